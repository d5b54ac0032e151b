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


# Hiệp Hòa's M6.CT1 (seeds/001_394d6e83b46803bf.txt, I.2): "40%- 60% dân số được tiếp cận kiến
# thức cơ bản về BDG", on an indicator where higher is better.
BAND = Target("M6.CT1", 2023, "between", 40.0, 60.0)


@pytest.mark.parametrize(
    ("observed", "two_sided", "met"),
    [
        (75.0, False, True),  # above the band on a higher-is-better indicator: met
        (75.0, True, False),  # unless the plan means the band literally
        (60.0, True, True),
        (50.0, False, True),
        (40.0, False, True),
        (39.9, False, False),
        (39.9, True, False),
    ],
)
def test_a_band_is_read_by_the_indicators_direction_unless_two_sided(observed, two_sided, met):
    band = Target("M6.CT1", 2023, "between", 40.0, 60.0, two_sided=two_sided)
    assert band.is_met(observed, "higher") is met
    assert band.effective("higher").is_met(observed) is met


def test_effective_gives_the_one_sided_target():
    assert BAND.effective("higher") == Target("M6.CT1", 2023, "ge", 40.0)
    assert BAND.effective("lower") == Target("M6.CT1", 2023, "le", 60.0)
    assert BAND.effective("lower").is_met(30.0) and not BAND.effective("lower").is_met(61.0)
    two = Target("X", 2025, "between", 1.0, 2.0, two_sided=True)
    assert two.effective("higher") is two and two.effective("lower") is two
    assert BAND.effective(None) is BAND and BAND.effective("sideways") is BAND
    ge = Target("X", 2025, "ge", 27.0)
    assert ge.effective("lower") is ge
    # without a direction, a band is read literally, as before
    assert BAND.is_met(75.0) is False and BAND.is_met(50.0) is True


def test_effective_keeps_source_and_wording():
    band = Target("M6.CT1", 2023, "between", 40.0, 60.0, source="KH, mục I.2", wording="40%- 60%")
    one = band.effective("higher")
    assert (one.source, one.wording, one.two_sided) == ("KH, mục I.2", "40%- 60%", False)


def test_two_sided_only_for_between():
    with pytest.raises(ValueError, match="two_sided"):
        Target("X", 2025, "ge", 1.0, two_sided=True)
    assert "two_sided" not in BAND.to_dict()
