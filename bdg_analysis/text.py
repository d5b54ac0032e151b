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


def recorded_decimals(values) -> int | None:
    """How many decimals (0-2) the values are recorded with; None when there are none."""
    found = None
    for value in values:
        if value is None or not math.isfinite(float(value)):
            continue
        number = float(value)
        used = 0 if number == round(number) else (1 if number == round(number, 1) else 2)
        found = used if found is None else max(found, used)
    return found


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
    "moving_away": "✘",
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


def sentence_latest(
    name: str,
    year: int,
    value: float,
    unit: str,
    lang: str = "vi",
    flag: str = "",
    decimals: int | None = None,
) -> str:
    """'Tỷ số giới tính khi sinh năm 2024 là 112,3 bé trai/100 bé gái.'"""
    flag_text = f" ({flag})" if flag else ""
    unit_text = unit if unit.startswith("/") else f" {unit}"
    unit_text = "%" if unit == "%" else unit_text
    if lang == "en":
        return f"{name} was {fmt_value(value, lang, decimals)}{unit_text} in {year}{flag_text}."
    return f"{name} năm {year} là {fmt_value(value, lang, decimals)}{unit_text}{flag_text}."


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
    if abs(change) < 1e-9:
        return (
            f"Không thay đổi so với năm {first_year}."
            if lang != "en"
            else f"Unchanged since {first_year}."
        )
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
) -> str:
    """'Theo xu hướng hiện nay, năm 2030 dự kiến 110,8 (khoảng 109,1–112,6), khả năng đạt
    mục tiêu ≤ 109: 18%.'"""
    chance = fmt_percent(probability, lang)
    if lang == "en":
        return (
            f"On the current trend, {to_year} is projected at "
            f"{fmt_value(value, lang, decimals)} (range {fmt_value(low, lang, decimals)}–"
            f"{fmt_value(high, lang, decimals)}); chance of meeting "
            f"the target {target_text}: {chance}."
        )
    return (
        f"Theo xu hướng hiện nay, năm {to_year} dự kiến {fmt_value(value, lang, decimals)} "
        f"(khoảng {fmt_value(low, lang, decimals)}–{fmt_value(high, lang, decimals)}), "
        f"khả năng đạt mục tiêu "
        f"{target_text}: {chance}."
    )
