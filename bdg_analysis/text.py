"""Words and number formats for reports, in Vietnamese (default) and English."""

from __future__ import annotations

import html
import math

LANGS = ("vi", "en")

LABELS: dict[str, dict[str, str]] = {
    "report_title": {"vi": "Báo cáo tiến độ thực hiện mục tiêu bình đẳng giới",
                     "en": "Progress report on gender-equality targets"},
    "province": {"vi": "Tỉnh, thành phố", "en": "Province"},
    "report_year": {"vi": "Năm báo cáo", "en": "Report year"},
    "indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "unit": {"vi": "Đơn vị", "en": "Unit"},
    "latest": {"vi": "Giá trị mới nhất", "en": "Latest value"},
    "latest_year": {"vi": "Năm", "en": "Year"},
    "target": {"vi": "Mục tiêu", "en": "Target"},
    "target_2025": {"vi": "Mục tiêu 2025", "en": "Target 2025"},
    "target_2030": {"vi": "Mục tiêu 2030", "en": "Target 2030"},
    "met_2025": {"vi": "Đạt mục tiêu 2025?", "en": "Meets 2025 target?"},
    "yes": {"vi": "Đạt", "en": "Met"},
    "no": {"vi": "Chưa đạt", "en": "Not met"},
    "no_data": {"vi": "Không có số liệu", "en": "No data"},
    "no_target": {"vi": "Không đặt", "en": "None set"},
    "goal": {"vi": "Mục tiêu", "en": "Goal"},
    "source": {"vi": "Nguồn", "en": "Source"},
    "data_file": {"vi": "Tệp số liệu", "en": "Data file"},
    "plan": {"vi": "Kế hoạch áp dụng", "en": "Plan applied"},
    "demo_banner": {
        "vi": "DỮ LIỆU MINH HỌA: báo cáo này có số liệu minh họa (không phải số liệu thống kê "
              "đã công bố). Không dùng để đánh giá hay ra quyết định.",
        "en": "DEMONSTRATION DATA: this report contains demonstration values, not published "
              "statistics. Do not use it for assessment or decisions.",
    },
    "demo_share": {"vi": "Số giá trị minh họa trong báo cáo",
                   "en": "Demonstration values in this report"},
    "provisional": {"vi": "sơ bộ", "en": "provisional"},
    "estimate": {"vi": "ước tính", "en": "estimate"},
    "demo": {"vi": "minh họa", "en": "demo"},
    "official": {"vi": "chính thức", "en": "official"},
    "chart_series": {"vi": "Số liệu", "en": "Observed"},
    "chart_target": {"vi": "Mục tiêu", "en": "Target"},
    "chart_national": {"vi": "Toàn quốc", "en": "National"},
    "generated": {"vi": "Lập ngày", "en": "Generated on"},
    "version": {"vi": "phiên bản", "en": "version"},
    "contents": {"vi": "Mục lục", "en": "Contents"},
    "data_notes": {"vi": "Ghi chú về số liệu", "en": "Data notes"},
    "rows_used": {"vi": "Dòng số liệu sử dụng", "en": "Data rows used"},
    "summary": {"vi": "Tóm tắt cho lãnh đạo", "en": "Summary for leaders"},
    "rank_best": {"vi": "tốt nhất", "en": "best"},
    "rank_worst": {"vi": "kém nhất", "en": "worst"},
    "rank_title": {"vi": "Thứ hạng trong các tỉnh, thành phố", "en": "Rank among provinces"},
    "comparison": {"vi": "So sánh với toàn quốc và các tỉnh", "en": "Comparison with the nation "
                   "and other provinces"},
    "accountability": {"vi": "Trách nhiệm thực hiện", "en": "Accountability"},
    "agency": {"vi": "Cơ quan chủ trì", "en": "Responsible agency"},
    "projection": {"vi": "Dự báo", "en": "Projection"},
    "probability": {"vi": "Khả năng đạt", "en": "Chance of meeting"},
    "status_table_note": {
        "vi": "Dự báo: giá trị dự kiến vào năm của mục tiêu theo xu hướng hiện nay, trong ngoặc "
              "là khoảng 80%. Khả năng đạt: xác suất giá trị năm đó đạt mục tiêu. Một chỉ tiêu "
              "“Đã đạt” (giá trị mới nhất đã đạt mục tiêu) vẫn có thể có khả năng đạt dưới "
              "100%: đó là khả năng giữ được mức đã đạt đến năm của mục tiêu.",
        "en": "Projection: the value expected in the target year on the current trend, with its "
              "80% range in brackets. Chance of meeting: the probability that the value in that "
              "year meets the target. An “achieved” indicator (its latest value already meets "
              "the target) can still show a chance below 100%: the chance of holding on to it "
              "until the target year."},
    "status": {"vi": "Tình trạng", "en": "Status"},
    "national_value": {"vi": "Toàn quốc", "en": "National"},
    "gap": {"vi": "Chênh lệch", "en": "Gap"},
    "rank": {"vi": "Thứ hạng", "en": "Rank"},
    "targets_total": {"vi": "Tổng số chỉ tiêu", "en": "Targets"},
    "biggest_risks": {"vi": "Những rủi ro lớn nhất", "en": "The biggest risks"},
    "deadline": {"vi": "Thời hạn báo cáo", "en": "Report deadline"},
    "method": {"vi": "Phương pháp", "en": "Method"},
    "history_from": {"vi": "Số liệu các năm trước 2025 gộp từ tỉnh cũ",
                     "en": "Figures before 2025 put together from former provinces"},
    "gaps": {"vi": "Năm thiếu số liệu", "en": "Years without data"},
    "chart_projection": {"vi": "Dự báo (khoảng 80%)", "en": "Projection (80% range)"},
}


def label(key: str, lang: str = "vi") -> str:
    """The word for ``key`` in ``lang``."""
    return LABELS[key]["en" if lang == "en" else "vi"]


def fmt_number(value: float | None, lang: str = "vi", decimals: int | None = None) -> str:
    """Format a number the way readers expect: ``1.234,5`` in Vietnamese, ``1,234.5`` in English.

    ``decimals=None`` keeps up to two decimals and drops trailing zeros.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if decimals is None:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:,.{decimals}f}"
    if text in ("-0", ""):
        text = "0"
    if lang == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


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
    return html.escape("" if text is None else str(text), quote=True)


# --- progress status: a word and a symbol for each, so status never rests on colour alone ---

STATUS_WORDS: dict[str, dict[str, str]] = {
    "achieved": {"vi": "Đã đạt", "en": "Achieved"},
    "on_track": {"vi": "Đúng tiến độ", "en": "On track"},
    "at_risk": {"vi": "Có nguy cơ", "en": "At risk"},
    "off_track": {"vi": "Chậm tiến độ", "en": "Off track"},
    "moving_away": {"vi": "Đi ngược mục tiêu", "en": "Moving away"},
    "not_achieved": {"vi": "Không đạt", "en": "Not achieved"},
    "insufficient_data": {"vi": "Thiếu số liệu", "en": "Insufficient data"},
    "no_target": {"vi": "Không có mục tiêu", "en": "No target"},
}
STATUS_SYMBOLS = {"achieved": "✔", "on_track": "▲", "at_risk": "◆", "off_track": "▼",
                  "moving_away": "✘", "not_achieved": "✘", "insufficient_data": "?",
                  "no_target": "–"}
STATUS_ORDER = ("achieved", "on_track", "at_risk", "off_track", "moving_away", "not_achieved",
                "insufficient_data", "no_target")


def status_word(status: str, lang: str = "vi") -> str:
    return STATUS_WORDS[status]["en" if lang == "en" else "vi"]


def status_badge(status: str, lang: str = "vi") -> str:
    """HTML badge: symbol and word (readable in grey and by colour-blind readers)."""
    return (f'<span class="badge status-{escape(status)}">{STATUS_SYMBOLS[status]} '
            f"{escape(status_word(status, lang))}</span>")


def fmt_percent(probability: float | None, lang: str = "vi") -> str:
    """A probability as a whole percentage ("18%"), or a dash."""
    if probability is None or (isinstance(probability, float) and math.isnan(probability)):
        return "–"
    return f"{fmt_number(round(100 * probability), lang, decimals=0)}%"


def sentence_latest(name: str, year: int, value: float, unit: str, lang: str = "vi",
                    flag: str = "", decimals: int | None = None) -> str:
    """'Tỷ số giới tính khi sinh năm 2024 là 112,3 bé trai/100 bé gái.'"""
    flag_text = f" ({flag})" if flag else ""
    unit_text = unit if unit.startswith("/") else f" {unit}"
    unit_text = "%" if unit == "%" else unit_text
    if lang == "en":
        return f"{name} was {fmt_value(value, lang, decimals)}{unit_text} in {year}{flag_text}."
    return f"{name} năm {year} là {fmt_value(value, lang, decimals)}{unit_text}{flag_text}."


def sentence_change(first_year: int, change: float, unit: str, higher_is_better: bool,
                    lang: str = "vi", decimals: int | None = None) -> str:
    """How the value moved since ``first_year``, and whether that is the good direction."""
    points = "điểm phần trăm" if unit == "%" else unit
    points_en = "percentage points" if unit == "%" else unit
    if abs(change) < 1e-9:
        return (f"Không thay đổi so với năm {first_year}." if lang != "en"
                else f"Unchanged since {first_year}.")
    good = (change > 0) == higher_is_better
    if lang == "en":
        verb = "up" if change > 0 else "down"
        judgement = "an improvement" if good else "a step back"
        sep = "" if unit.startswith("/") else " "
        return (f"That is {verb} {fmt_value(abs(change), lang, decimals)}{sep}{points_en} since "
                f"{first_year}, {judgement}.")
    verb = "tăng" if change > 0 else "giảm"
    judgement = "theo hướng tích cực" if good else "theo hướng bất lợi"
    sep = "" if unit.startswith("/") else " "
    change_text = fmt_value(abs(change), lang, decimals)
    return f"So với năm {first_year}, {verb} {change_text}{sep}{points}, {judgement}."


def sentence_projection(to_year: int, value: float, low: float, high: float, target_text: str,
                        probability: float | None, lang: str = "vi",
                        decimals: int | None = None) -> str:
    """'Theo xu hướng hiện nay, năm 2030 dự kiến 110,8 (khoảng 109,1–112,6), khả năng đạt
    mục tiêu ≤ 109: 18%.'"""
    chance = fmt_percent(probability, lang)
    if lang == "en":
        return (f"On the current trend, {to_year} is projected at "
                f"{fmt_value(value, lang, decimals)} (range {fmt_value(low, lang, decimals)}–"
                f"{fmt_value(high, lang, decimals)}); chance of meeting "
                f"the target {target_text}: {chance}.")
    return (f"Theo xu hướng hiện nay, năm {to_year} dự kiến {fmt_value(value, lang, decimals)} "
            f"(khoảng {fmt_value(low, lang, decimals)}–{fmt_value(high, lang, decimals)}), "
            f"khả năng đạt mục tiêu "
            f"{target_text}: {chance}.")
