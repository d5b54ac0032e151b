"""Operators of targets, as documents word them."""

import pytest

from bdg_analysis.targets import Target


@pytest.mark.parametrize(
    ("op", "value", "high", "observed", "met"),
    [
        ("ge", 27, None, 27.0, True),
        ("ge", 27, None, 26.9, False),
        ("gt", 30, None, 30.0, False),
        ("gt", 30, None, 30.1, True),
        ("le", 1.7, None, 1.7, True),
        ("le", 1.7, None, 1.71, False),
        ("lt", 30, None, 30.0, False),
        ("lt", 30, None, 29.9, True),
        ("between", 40, 60, 40.0, True),
        ("between", 40, 60, 60.1, False),
    ],
)
def test_is_met(op, value, high, observed, met):
    assert Target("X", 2025, op, value, high).is_met(observed) is met


def test_bad_operator_and_missing_high_value_are_refused():
    with pytest.raises(ValueError, match="operator"):
        Target("X", 2025, "eq", 1.0)
    with pytest.raises(ValueError, match="value_high"):
        Target("X", 2025, "between", 1.0)


def test_json_form_follows_the_contract():
    t = Target("M2.CT2", 2025, "lt", 30.0, source="NQ 28")
    assert t.to_dict("%") == {
        "id": "M2.CT2",
        "year": 2025,
        "op": "lt",
        "value": 30.0,
        "value_high": None,
        "unit": "%",
        "source": "NQ 28",
    }
