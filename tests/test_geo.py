"""Tests for bdg_analysis.geo: the register, the 63-to-34 mapping, names, folding and slugs."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bdg_analysis import geo
from bdg_analysis.errors import UnknownNameError

FIXTURES = Path(__file__).parent / "fixtures"


# ---------------------------------------------------------------- the library and the register


def test_library_version_is_the_one_checked():
    # The facts below were checked against this version; a new one must be re-checked.
    assert geo.library_version() == geo.LIBRARY_VERSION == "1.0.4"


def test_register_sizes_and_order():
    current = geo.current_provinces()
    former = geo.former_provinces()
    assert len(current) == 34
    assert len(former) == 63
    assert [p.code for p in current] == sorted(p.code for p in current)
    assert all(p.era == "current" and p.successor_code is None for p in current)
    assert all(p.era == "former" and p.successor_code in {c.code for c in current} for p in former)
    assert {p.successor_code for p in former} == {p.code for p in current}


def test_names_and_full_names():
    by_code = {p.code: p for p in geo.current_provinces()}
    assert by_code["20"].name == "Lạng Sơn" and by_code["20"].full_name == "Tỉnh Lạng Sơn"
    assert by_code["79"].name == "Hồ Chí Minh"
    assert by_code["79"].full_name == "Thành phố Hồ Chí Minh"
    assert by_code["46"].name == "Huế"
    for p in geo.current_provinces() + geo.former_provinces():
        assert p.name == unicodedata.normalize("NFC", p.name)


# The merged provinces the seeds rely on, and the code traps named in packages.md.
@pytest.mark.parametrize(
    ("former_code", "former_name", "current_code", "current_name"),
    [
        ("06", "Bắc Kạn", "19", "Thái Nguyên"),
        ("19", "Thái Nguyên", "19", "Thái Nguyên"),
        ("24", "Bắc Giang", "24", "Bắc Ninh"),
        ("27", "Bắc Ninh", "24", "Bắc Ninh"),
        ("20", "Lạng Sơn", "20", "Lạng Sơn"),
        ("04", "Cao Bằng", "04", "Cao Bằng"),
        ("22", "Quảng Ninh", "22", "Quảng Ninh"),
        ("96", "Cà Mau", "96", "Cà Mau"),
        ("95", "Bạc Liêu", "96", "Cà Mau"),
        ("15", "Yên Bái", "15", "Lào Cai"),
        ("10", "Lào Cai", "15", "Lào Cai"),
        ("52", "Bình Định", "52", "Gia Lai"),
        ("64", "Gia Lai", "52", "Gia Lai"),
        ("80", "Long An", "80", "Tây Ninh"),
        ("72", "Tây Ninh", "80", "Tây Ninh"),
        ("74", "Bình Dương", "79", "Hồ Chí Minh"),
        ("77", "Bà Rịa - Vũng Tàu", "79", "Hồ Chí Minh"),
        ("46", "Huế", "46", "Huế"),
    ],
)
def test_former_to_current_mapping(former_code, former_name, current_code, current_name):
    old = geo.former_by_code(former_code)
    assert old.name == former_name
    new = geo.successor(old)
    assert (new.code, new.name) == (current_code, current_name)


def test_mapping_matches_the_shared_table():
    shared = (
        Path(__file__).resolve().parents[2]
        / "shared"
        / "data"
        / "vietnam"
        / "province_merger_2025_63_to_34.csv"
    )  # shared/ lies beside the checkout
    if not shared.exists():
        pytest.skip("shared mapping table not available")
    table = pd.read_csv(shared, dtype=str)
    ours = geo.merger_table()
    merged = table.merge(ours, left_on="old_code", right_on="former_code")
    assert len(merged) == 63
    assert (merged["new_code"] == merged["current_code"]).all()
    assert (merged["new_name"] == merged["current_name"]).all()
    assert (merged["old_name"] == merged["former_name"]).all()


def test_former_parts_of_merged_and_unchanged():
    assert [p.name for p in geo.former_parts("Thái Nguyên")] == ["Bắc Kạn", "Thái Nguyên"]
    assert [p.name for p in geo.former_parts("24")] == ["Bắc Giang", "Bắc Ninh"]
    assert [p.code for p in geo.former_parts("Hồ Chí Minh")] == ["74", "77", "79"]
    assert [p.code for p in geo.former_parts("Lạng Sơn")] == ["20"]
    assert geo.is_merged("Thái Nguyên") and not geo.is_merged("Cao Bằng")
    assert sum(geo.is_merged(p) for p in geo.current_provinces()) == 23
    assert len(geo.former_parts(geo.NATIONAL_NAME)) == 63


def test_history_note_names_the_parts():
    vi = geo.history_note("Thái Nguyên")
    en = geo.history_note("Thái Nguyên", lang="en")
    assert "Bắc Kạn" in vi and "Thái Nguyên" in vi and "1/7/2025" in vi
    assert "Bắc Kạn and Thái Nguyên" in en
    assert geo.history_note("Quảng Ninh") is None


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    "name",
    [
        "Lạng Sơn",
        "Lang Son",
        "lang son",
        "LẠNG SƠN",
        "tỉnh Lạng Sơn",
        "Tỉnh Lạng Sơn",
        unicodedata.normalize("NFD", "Lạng Sơn"),
        unicodedata.normalize("NFD", "tỉnh Lạng Sơn"),
        "  Lạng   Sơn ",
        "Lang Son province",
    ],
)
def test_resolve_spellings_of_lang_son(name):
    res = geo.resolve(name)
    assert (res.province.code, res.province.name) == ("20", "Lạng Sơn")
    assert res.former is None and not res.is_national


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("HCM", "79"),
        ("TP.HCM", "79"),
        ("TP HCM", "79"),
        ("TPHCM", "79"),
        ("TP. Hồ Chí Minh", "79"),
        ("Thành phố Hồ Chí Minh", "79"),
        ("Ho Chi Minh city", "79"),
        ("Huế", "46"),
        ("Thừa Thiên Huế", "46"),
        ("Thua Thien-Hue", "46"),
        ("Hà Nội", "01"),
        ("Ha Noi", "01"),
        ("Thai  Nguyen", "19"),
        ("Đắk Lắk", "66"),
        ("Dak Lak", "66"),
        ("Cà Mau", "96"),
    ],
)
def test_resolve_short_forms_and_prefixes(name, code):
    assert geo.resolve(name).province.code == code


@pytest.mark.parametrize(
    "name",
    [
        "Toàn quốc",
        "Cả nước",
        "CẢ NƯỚC",
        "Việt Nam",
        "Viet Nam",
        "WHOLE COUNTRY",
        " WHOLE COUNTRY",
        "national",
    ],
)
def test_national_names(name):
    res = geo.resolve(name)
    assert res.is_national
    assert res.province == geo.national()
    assert (res.province.name, res.province.code) == (geo.NATIONAL_NAME, geo.NATIONAL_CODE)
    assert (geo.NATIONAL_NAME, geo.NATIONAL_CODE) == ("Toàn quốc", "00")


def test_former_province_names_point_to_the_current_one():
    res = geo.resolve("Bắc Kạn", 2018)
    assert res.province.name == "Thái Nguyên"
    assert res.former is not None and (res.former.name, res.former.code) == ("Bắc Kạn", "06")
    # A vanished province is the former unit whatever the year.
    assert geo.resolve("Bắc Kạn").former.code == "06"
    res = geo.resolve("Bắc Giang", 2023)
    assert (res.province.name, res.former.name) == ("Bắc Ninh", "Bắc Giang")


def test_year_decides_for_names_of_both_eras():
    old = geo.resolve("Thái Nguyên", 2024)
    assert old.former is not None and old.former.era == "former" and old.former.code == "19"
    assert old.province.code == "19"
    assert geo.resolve("Thái Nguyên", 2025).former is None
    assert geo.resolve("Thái Nguyên").former is None
    # Lào Cai: same name, different codes in the two eras.
    assert geo.resolve("Lào Cai", 2020).former.code == "10"
    assert geo.resolve("Lào Cai", 2020).province.code == "15"
    # Unchanged territory: never a former unit.
    assert geo.resolve("Lạng Sơn", 2015).former is None
    assert geo.resolve("Hà Nội", 2010).former is None


def test_codes_are_read_in_the_era_of_the_year():
    assert geo.resolve("15", 2020).former.name == "Yên Bái"
    assert geo.resolve("15", 2020).province.name == "Lào Cai"
    assert geo.resolve("15").province.name == "Lào Cai"
    assert geo.resolve("00").is_national


def test_ha_tay_is_a_clear_error_not_a_fuzzy_match():
    with pytest.raises(UnknownNameError) as info:
        geo.resolve("Hà Tây")
    message = str(info.value)
    assert "unknown province 'Hà Tây'" in message
    assert "merged into Hà Nội" in message
    assert info.value.name == "Hà Tây"
    assert "Hải Phòng" not in info.value.suggestions


def test_unknown_name_suggests_close_names():
    with pytest.raises(UnknownNameError) as info:
        geo.resolve("Lang Sonn")
    assert info.value.suggestions[0] == "Lạng Sơn"
    assert "did you mean: Lạng Sơn" in str(info.value)
    with pytest.raises(UnknownNameError):
        geo.resolve("Quảng Ninh Bắc")
    with pytest.raises(UnknownNameError):
        geo.resolve("99")


def test_regions_are_recognised_as_regions():
    assert geo.is_region("Red River Delta")
    assert geo.is_region("Đồng bằng sông Cửu Long")
    assert not geo.is_region("Lạng Sơn")


def test_history_note_reads_as_before_in_both_languages():
    # The report prints these sentences: the words catalogue must give them unchanged.
    assert geo.history_note("Tuyên Quang") == (
        "Tỉnh Tuyên Quang được hình thành từ ngày 1/7/2025 trên cơ sở các tỉnh cũ Hà Giang và "
        "Tuyên Quang. Số liệu trước năm 2025 được tổng hợp từ các tỉnh cũ đó (số tuyệt đối cộng "
        "lại, tỷ lệ bình quân gia quyền theo mẫu số)."
    )
    assert geo.history_note("Hồ Chí Minh", "en") == (
        "Hồ Chí Minh was formed on 1 July 2025 from the former provinces Bình Dương, "
        "Bà Rịa - Vũng Tàu and Hồ Chí Minh. Figures before 2025 are put together from those parts "
        "(counts summed, rates weighted by their denominator)."
    )


# ---------------------------------------------------------------- folding and slugs


def _old_runner_slug(name: str) -> str:
    """runner.slug as it was before geo.slug replaced it (the file names of every report)."""
    import re

    text = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "report"


def _old_yearbook_key(text: str) -> str:
    """io.yearbook.key as it was: the label key the yearbook reader matches on."""
    import re

    text = unicodedata.normalize("NFC", text).lower().replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "", text)


def test_slug_names_report_files_as_before():
    assert geo.slug("Lạng Sơn") == "lang-son"
    assert geo.slug("Đắk Lắk") == "dak-lak"
    assert geo.slug("Bà Rịa - Vũng Tàu") == "ba-ria-vung-tau"
    assert geo.slug("Toàn quốc") == "toan-quoc"
    assert geo.slug(" — ") == "report"
    names = [p.name for p in geo.current_provinces() + geo.former_provinces()]
    for name in [*names, geo.NATIONAL_NAME, "Hiệp Hòa", unicodedata.normalize("NFD", "Huế")]:
        assert geo.slug(name) == _old_runner_slug(name), name


def test_fold_without_unit_words_is_the_yearbook_label_key():
    for text in ["Nữ - Female", "Tỉnh Lạng Sơn", "Thành phố Hà Nội", "Sơ bộ\nPrel. 2023", "ĐẮK"]:
        assert geo.fold(text, unit_words=False) == _old_yearbook_key(text), text
    assert geo.fold("Tỉnh Lạng Sơn") == "langson"  # the matching key drops the unit word
    assert geo.ascii_fold("  Thừa Thiên-Huế ") == "thua thien-hue"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30))
def test_slug_and_label_key_agree_with_the_old_foldings_on_any_text(text):
    assert geo.slug(text) == _old_runner_slug(text)
    assert geo.fold(text, unit_words=False) == _old_yearbook_key(text)
