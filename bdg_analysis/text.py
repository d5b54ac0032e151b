"""Words and number formats for reports, in Vietnamese (default) and English."""

from __future__ import annotations

import html
import math

from bdg_analysis import words
from bdg_analysis.words import word

LANGS = words.LANGS


def label(key: str, lang: str = "vi") -> str:
    """The word for ``key`` of the report's vocabulary (``resources/words/report.yaml``)."""
    return word(f"report.{key}", lang)


def fmt_number(value: float | None, lang: str = "vi", decimals: int | None = None) -> str:
    """Format a number the way readers expect: ``1.234,5`` in Vietnamese, ``1,234.5`` in English.

    ``decimals=None`` keeps up to two decimals and drops trailing zeros.
    """
    return words.fmt_number(value, lang, decimals)


def fmt_value(value: float | None, lang: str = "vi", decimals: int | None = None) -> str:
    """A measured or projected value at a sensible precision: 1 decimal, 2 below 10.

    ``decimals`` is the precision the series is recorded at (``IndicatorView.decimals``): then
    every value of the series shows that many decimals (108,0 beside 105,8; counts whole), never
    more than the sensible precision.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    sensible = sensible_decimals(value)
    if decimals is None:
        return fmt_number(round(value, sensible), lang)
    shown = min(decimals, sensible)
    return fmt_number(round(value, shown), lang, decimals=shown)


def sensible_decimals(value: float) -> int:
    """The most decimals a value is shown with: 1, or 2 below 10."""
    return 2 if abs(value) < 10 else 1


def fmt_target(target, lang: str = "vi") -> str:
    """A target as a reader sees it: ``≥ 60``, ``< 30``, ``40–60`` with local number format."""
    if target is None:
        return label("no_target", lang)
    symbols = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}
    if target.op == "between":
        return f"{fmt_number(target.value, lang)}–{fmt_number(target.value_high, lang)}"
    return f"{symbols[target.op]} {fmt_number(target.value, lang)}"


def escape(text: object) -> str:
    """Escape text that came from data or params before it goes into HTML."""
    from bdg_analysis.controls import strip_controls  # \x00, \x1b, ... never reach a page

    return html.escape(strip_controls("" if text is None else str(text)), quote=True)


# --- progress status: a word and a symbol for each, so status never rests on colour alone ---

STATUS_SYMBOLS = {
    "achieved": "✔",
    "on_track": "▲",
    "at_risk": "◆",
    "off_track": "▼",
    "moving_away": "↩",
    "not_achieved": "✘",
    "insufficient_data": "?",
    "no_target": "–",
}
STATUS_ORDER = (
    "achieved",
    "on_track",
    "at_risk",
    "off_track",
    "moving_away",
    "not_achieved",
    "insufficient_data",
    "no_target",
)


def status_word(status: str, lang: str = "vi") -> str:
    return word(f"status.{status}", lang)


def status_badge(status: str, lang: str = "vi") -> str:
    """HTML badge: symbol and word (readable in grey and by colour-blind readers)."""
    return (
        f'<span class="badge status-{escape(status)}">{STATUS_SYMBOLS[status]} '
        f"{escape(status_word(status, lang))}</span>"
    )


def fmt_percent(probability: float | None, lang: str = "vi") -> str:
    """A probability as a whole percentage ("18%"), or a dash."""
    return words.fmt_percent(probability, lang)


CUT_ON_TRACK = 2 / 3
"""On track from this chance (``progress.THRESHOLDS.on_track``; a test keeps them equal)."""
CUT_OFF_TRACK = 1 / 3
"""Off track at this chance or below (``progress.THRESHOLDS.off_track``)."""
STALE_YEARS = 5
"""``progress.STALE_YEARS``, for the words (the presentation floor does not import analysis
for a number; a test keeps them equal)."""
BOUND_RUN = 3
"""``progress.BOUND_RUN``, for the words."""
BOUND_TOLERANCE_POINTS = 0.5
"""``progress.BOUND_TOLERANCE`` on a 0-100 share, in points, for the words."""


def fmt_chance(probability: float | None, lang: str = "vi") -> str:
    """A chance as a whole percentage that can never contradict the status word beside it.

    Rounding alone would print 66.6 % (at risk, below 2/3) as "67%", the on-track figure; so a
    chance below a cut-off is shown at most 66 % (or 33 %), one at or above it at least 67 %
    (34 %). A chance that is not 0 or 1 never shows as "0%" or "100%": "< 1%", "> 99%".
    """
    if probability is None or (isinstance(probability, float) and math.isnan(probability)):
        return words.MISSING
    p = float(probability)
    pct = round(100 * p)
    top, bottom = math.ceil(100 * CUT_ON_TRACK), math.floor(100 * CUT_OFF_TRACK)
    pct = min(pct, top - 1) if p < CUT_ON_TRACK else max(pct, top)
    pct = max(pct, bottom + 1) if p > CUT_OFF_TRACK else min(pct, bottom)
    if pct <= 0 < p:
        return word("statuses.chance_below", lang)
    if pct >= 100 and p < 1:
        return word("statuses.chance_above", lang)
    return words.fmt_percent(pct / 100, lang)


def fmt_value_against(
    value: float | None, targets, lang: str = "vi", decimals: int | None = None
) -> str:
    """:func:`fmt_value`, with more decimals (up to four) when the rounded figure would fall on
    the other side of a target than the value itself: 49.96 against "≥ 50" shows "49,96", not
    "50,0" beside "not achieved". ``targets``: objects with ``is_met(value)``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    sensible = sensible_decimals(value)
    shown = sensible if decimals is None else min(decimals, sensible)
    for more in range(shown, 5):
        rounded = round(float(value), more)
        if all(t.is_met(rounded) == t.is_met(float(value)) for t in targets):
            break
    if more == shown:
        return fmt_value(value, lang, decimals)
    return fmt_number(round(float(value), more), lang, decimals=more)


def status_note(entry, lang: str = "vi", value_text: str | None = None) -> str:
    """The few words beside a status that say which rule gave it (a ``TargetStatus``).

    ``value_text`` is the observed value of the target year, formatted by the caller.
    """
    rule, year, latest = entry.rule, entry.target_year, entry.latest_year
    run = BOUND_RUN
    fields = {"year": year, "latest_year": latest, "years": STALE_YEARS, "run": run}
    fields["n"] = entry.n_points
    notes = []
    if rule == "observed":
        if latest != year:  # the latest value shown is another year's: give this year's
            notes.append(word("statuses.note_observed", lang, value=value_text or "", **fields))
    elif rule == "bound_run" and latest is not None:
        notes.append(
            word("statuses.note_bound_run", lang, first=latest - run + 1, last=latest, **fields)
        )
    elif rule not in ("likely", "uncertain", "unlikely") and words.has_word(
        f"statuses.note_{rule}"
    ):
        notes.append(word(f"statuses.note_{rule}", lang, **fields))
    if "not_observed" in entry.flags and rule not in ("binary_unobserved",):
        notes.append(word("statuses.note_not_observed", lang, **fields))
    if "short_capped" in entry.flags:
        notes.append(word("statuses.note_short_capped", lang, **fields))
    if entry.op == "between" and entry.judged_op != "between":
        band = f"{fmt_number(entry.target, lang)}–{fmt_number(entry.target_high, lang)}"
        judged = f"{'≥' if entry.judged_op == 'ge' else '≤'} {fmt_number(entry.judged_value, lang)}"
        notes.append(word("statuses.note_band", lang, band=band, judged=judged))
    return "; ".join(notes)


def sentence_latest(
    name: str,
    year: int,
    value: float,
    unit: str,
    lang: str = "vi",
    flag: str = "",
    decimals: int | None = None,
    targets=(),
) -> str:
    """'Tỷ số giới tính khi sinh năm 2024 là 112,3 bé trai/100 bé gái.' The value shows enough
    decimals to tell it from each of ``targets`` (:func:`fmt_value_against`)."""
    flag_text = f" ({flag})" if flag else ""
    unit_text = unit if unit.startswith("/") else f" {unit}"
    unit_text = "%" if unit == "%" else unit_text
    shown = fmt_value_against(value, targets, lang, decimals)
    if lang == "en":
        return f"{name} was {shown}{unit_text} in {year}{flag_text}."
    return f"{name} năm {year} là {shown}{unit_text}{flag_text}."


def sentence_change(
    first_year: int,
    change: float,
    unit: str,
    higher_is_better: bool,
    lang: str = "vi",
    decimals: int | None = None,
) -> str:
    """How the value moved since ``first_year``, and whether that is the good direction."""
    points = "điểm phần trăm" if unit == "%" else unit
    points_en = "percentage points" if unit == "%" else unit
    sensible = sensible_decimals(change)
    shown = sensible if decimals is None else min(decimals, sensible)
    if round(abs(change), shown) == 0:  # what the reader would see is zero: say so
        return word("statuses.unchanged_sentence", lang, year=first_year)
    good = (change > 0) == higher_is_better
    if lang == "en":
        verb = "up" if change > 0 else "down"
        judgement = "an improvement" if good else "a step back"
        sep = "" if unit.startswith("/") else " "
        return (
            f"That is {verb} {fmt_value(abs(change), lang, decimals)}{sep}{points_en} since "
            f"{first_year}, {judgement}."
        )
    verb = "tăng" if change > 0 else "giảm"
    judgement = "theo hướng tích cực" if good else "theo hướng bất lợi"
    sep = "" if unit.startswith("/") else " "
    change_text = fmt_value(abs(change), lang, decimals)
    return f"So với năm {first_year}, {verb} {change_text}{sep}{points}, {judgement}."


def sentence_projection(
    to_year: int,
    value: float,
    low: float,
    high: float,
    target_text: str,
    probability: float | None,
    lang: str = "vi",
    decimals: int | None = None,
    method: str | None = None,
) -> str:
    """'Theo xu hướng hiện nay, năm 2030 dự kiến 110,8 (khoảng 109,1–112,6), khả năng đạt
    mục tiêu ≤ 109: 18%.' The opening names the method: "Nếu giữ nguyên mức hiện nay" for the
    no-change projection (``naive``), "Nội suy ..." between observed years, else "Theo xu hướng
    hiện nay"; the chance is shown by :func:`fmt_chance`."""
    key = {"naive": "method_naive", "interpolated": "method_interpolated"}.get(
        method or "", "method_trend"
    )
    return word(
        "statuses.projection_sentence",
        lang,
        method=word(f"statuses.{key}", lang),
        year=to_year,
        value=fmt_value(value, lang, decimals),
        low=fmt_value(low, lang, decimals),
        high=fmt_value(high, lang, decimals),
        target=target_text,
        chance=fmt_chance(probability, lang),
    )


def method_words(method: str, lang: str) -> str:
    """A projection method in a leader's words ("xu hướng tuyến tính"), from the words file;
    a method the words do not know yet is named by the projection's own description of it
    (``projection.METHOD_NAMES``), else by its id."""
    from bdg_analysis import projection

    key = f"report_notes.method_{method}"
    if words.has_word(key):
        return words.word(key, lang)
    return str(projection.METHOD_NAMES.get(method, method.replace("_", " ")))


def format_statuses(statuses, fmt: str = "table", lang: str = "vi") -> str:
    """``bdg status`` output of a list of ``TargetStatus``: ``json`` (the contract's keys, in
    order; numbers as numbers, missing as null), ``csv`` (the same columns) or ``table`` (for a
    reader: status words, chances as the report shows them, notes)."""
    import csv
    import io
    import json

    from bdg_analysis.targets import Target

    records = [s.as_dict() for s in statuses]
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2)
    keys = list(records[0]) if records else []
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(keys)
        for record in records:
            writer.writerow(["" if v is None else v for v in record.values()])
        return buffer.getvalue().rstrip("\n")
    heads = [
        "Id",
        word("statuses.cli_year", lang),
        label("target", lang),
        label("status", lang),
        label("probability", lang),
        word("statuses.cli_latest", lang),
        label("projection", lang),
        word("statuses.cli_method", lang),
        word("statuses.note_column", lang),
    ]
    rows = []
    for s in statuses:
        target = Target(s.id, s.target_year, s.op, s.target, s.target_high)
        judged = Target(
            s.id,
            s.target_year,
            s.judged_op or s.op,
            s.target if s.judged_value is None else s.judged_value,
            s.judged_high if (s.judged_op or s.op) == "between" else None,
        )
        latest = (
            "–"
            if s.latest_value is None
            else f"{fmt_value_against(s.latest_value, [judged], lang)} ({s.latest_year})"
        )
        projection = (
            "–"
            if s.projection is None
            else f"{fmt_value(s.projection, lang)} ({fmt_value(s.low, lang)}–"
            f"{fmt_value(s.high, lang)})"
        )
        observed = (
            None
            if s.observed_value is None
            else fmt_value_against(s.observed_value, [judged], lang)
        )
        rows.append(
            [
                s.id,
                str(s.target_year),
                fmt_target(target, lang),
                status_word(s.status, lang),
                fmt_chance(s.p_met, lang),
                latest,
                projection,
                method_words(s.method, lang) if s.method else "–",
                status_note(s, lang, observed),
            ]
        )
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(heads)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)
