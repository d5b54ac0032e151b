"""The words module: one catalogue of vi/en strings, one language check, locale number formats."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bdg_analysis import words
from bdg_analysis.errors import BdgInputError


def _old_fmt_number(value: float, lang: str, decimals: int | None = None) -> str:
    """The hand-written formatter words.fmt_number replaced; the two must agree digit for digit."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if decimals is None else f"{value:,.{decimals}f}"
    if text in ("-0", ""):
        text = "0"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]  # the one change: "-0.0" (a tiny negative rounded) now reads "0.0"
    if lang == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def test_every_word_has_both_languages_and_no_empty_text():
    catalogue = words.catalogue()
    assert len(catalogue) > 50
    for key, entry in catalogue.items():
        assert "." in key
        assert set(entry) == {"vi", "en"}
        assert entry["vi"].strip() and entry["en"].strip(), key


def test_word_fills_fields_and_namespace_lists_one_part():
    assert words.word("status.achieved", "vi") == "Đã đạt"
    assert words.word("status.achieved", "en") == "Achieved"
    assert words.namespace("status", "en")["on_track"] == "On track"
    assert all("." not in key for key in words.namespace("status"))


def test_a_file_with_a_bare_yes_key_or_one_language_is_refused(tmp_path, monkeypatch):
    (tmp_path / "bad.yaml").write_text("yes:\n  vi: Có\n  en: Yes\n", encoding="utf-8")
    monkeypatch.setattr(words, "WORDS_DIR", tmp_path)
    words.catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match="quote the key"):
            words.catalogue()
        (tmp_path / "bad.yaml").write_text("x:\n  vi: Có\n", encoding="utf-8")
        words.catalogue.cache_clear()
        with pytest.raises(ValueError, match="needs exactly the languages"):
            words.catalogue()
    finally:
        monkeypatch.undo()
        words.catalogue.cache_clear()


def test_check_lang_accepts_vi_and_en_only():
    assert words.check_lang("vi") == "vi"
    assert words.check_lang("en") == "en"
    for bad in ("fr", "VI", "", None, 1):
        with pytest.raises(BdgInputError, match="vi or en"):
            words.check_lang(bad)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "vi_VN.UTF-8"}, "vi"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "C"}, "en"),
        ({}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "vi_VN.UTF-8"}, "vi"),
        ({"LANG": "vi_VN.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
    ],
)
def test_language_of_messages_follows_the_locale(env, expected):
    assert words.lang_from_env(env) == expected


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (1234.5, "vi", None, "1.234,5"),
        (1234.5, "en", None, "1,234.5"),
        (12.0, "vi", 1, "12,0"),
        (-0.04, "vi", 1, "0,0"),
        (2.675, "en", 2, "2.67"),  # Python's rounding of the binary value, not 2.68
        (1_000_000, "vi", 0, "1.000.000"),
        (float("nan"), "vi", None, "–"),
        (None, "en", 1, "–"),
    ],
)
def test_numbers_in_the_readers_convention(value, lang, decimals, expected):
    assert words.fmt_number(value, lang, decimals) == expected


@given(
    value=st.floats(min_value=-1e7, max_value=1e7, allow_nan=False),
    decimals=st.one_of(st.none(), st.integers(min_value=0, max_value=3)),
    lang=st.sampled_from(["vi", "en"]),
)
def test_babel_formatting_agrees_with_the_old_formatter(value, decimals, lang):
    assert words.fmt_number(value, lang, decimals) == _old_fmt_number(value, lang, decimals)


def test_percentages_and_dates():
    assert words.fmt_percent(0.666, "vi") == "67%"
    assert words.fmt_percent(0.666, "en", decimals=1) == "66.6%"
    assert words.fmt_percent(None, "vi") == "–"
    assert words.fmt_date("2026-11-30", "vi") == "30/11/2026"
    assert words.fmt_date(dt.date(2026, 11, 30), "en") == "30 November 2026"
    ict = dt.timezone(dt.timedelta(hours=7))
    moment = dt.datetime(2026, 11, 30, 19, 23, tzinfo=ict)
    assert words.fmt_datetime(moment, "vi") == "30/11/2026 19:23 (UTC+07:00)"
    assert words.fmt_datetime(moment.replace(tzinfo=None), "en") == "30 November 2026 19:23"
