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
    "summary": {"vi": "Tóm tắt", "en": "Summary"},
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
