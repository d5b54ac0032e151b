"""Number formats and escaping for readers."""

import math

from bdg_analysis.targets import Target
from bdg_analysis.text import escape, fmt_number, fmt_target


def test_vietnamese_number_format_uses_decimal_comma_and_thousand_dot():
    assert fmt_number(12.5, "vi") == "12,5"
    assert fmt_number(1234, "vi") == "1.234"
    assert fmt_number(1234.56, "vi") == "1.234,56"
    assert fmt_number(112.3, "vi", decimals=1) == "112,3"


def test_english_number_format():
    assert fmt_number(12.5, "en") == "12.5"
    assert fmt_number(1234, "en") == "1,234"


def test_missing_values_show_a_dash():
    assert fmt_number(None) == "–"
    assert fmt_number(math.nan) == "–"


def test_targets_read_as_the_document_words_them():
    assert fmt_target(Target("M2.CT2", 2025, "lt", 30.0), "vi") == "< 30"
    assert fmt_target(Target("M3.CT1", 2025, "le", 1.7), "vi") == "≤ 1,7"
    assert fmt_target(Target("M3.CT1", 2025, "between", 40.0, 60.5), "en") == "40–60.5"
    assert fmt_target(None, "en") == "None set"


def test_text_from_data_is_escaped():
    assert escape('<script>alert("x")</script>') == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    )


def test_values_show_the_precision_their_series_is_recorded_at():
    from bdg_analysis.dataset import recorded_decimals
    from bdg_analysis.text import fmt_value

    assert recorded_decimals([105.8, 108.0, None, float("nan")]) == 1
    assert recorded_decimals([2.0, 3.0]) == 0
    assert recorded_decimals([52.35, 50.0]) == 2
    assert recorded_decimals([]) is None
    assert fmt_value(108.0, "vi") == "108"  # no precision known: trailing zeros dropped
    assert fmt_value(108.0, "vi", 1) == "108,0"
    assert fmt_value(2.0, "vi", 0) == "2"
    assert fmt_value(1234.56, "en", 2) == "1,234.6"  # never beyond 1 decimal from 10 up
    assert fmt_value(0.5, "vi", 2) == "0,50"
