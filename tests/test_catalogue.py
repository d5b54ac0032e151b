"""The catalogue holds every target of Resolution 28/NQ-CP with its national values."""

import pytest

from bdg_analysis import catalogue
from bdg_analysis.errors import UnknownNameError

EXPECTED_IDS = [
    "M1.CT1",
    "M2.CT1",
    "M2.CT2",
    "M2.CT3",
    "M3.CT1",
    "M3.CT2a",
    "M3.CT2b",
    "M3.CT3",
    "M3.CT4",
    "M4.CT1",
    "M4.CT2",
    "M4.CT3",
    "M4.CT4",
    "M5.CT1",
    "M5.CT2a",
    "M5.CT2b",
    "M5.CT3",
    "M5.CT4a",
    "M5.CT4b",
    "M6.CT1",
    "M6.CT2",
    "M6.CT3",
    "M6.CT4",
]


def test_every_id_of_the_design_is_present_in_order():
    assert catalogue.ids() == EXPECTED_IDS


@pytest.mark.parametrize(
    ("indicator", "year", "op", "value"),
    [
        # Values as restated by official and press sources (docs/sources/nq28_targets.md,
        # shared/data/README.md, shared/data/vietnam/strategy_targets_nq28_2021.csv).
        ("M1.CT1", 2025, "ge", 60),
        ("M1.CT1", 2030, "ge", 75),
        ("M2.CT1", 2025, "ge", 50),
        ("M2.CT1", 2030, "ge", 60),
        ("M2.CT2", 2025, "lt", 30),
        ("M2.CT2", 2030, "lt", 25),
        ("M2.CT3", 2025, "ge", 27),
        ("M2.CT3", 2030, "ge", 30),
        ("M3.CT1", 2025, "le", 1.7),
        ("M3.CT1", 2030, "le", 1.4),
        ("M3.CT2a", 2025, "ge", 80),
        ("M3.CT2a", 2030, "ge", 90),
        ("M3.CT2b", 2025, "ge", 50),
        ("M3.CT2b", 2030, "ge", 70),
        ("M4.CT1", 2025, "le", 111),
        ("M4.CT1", 2030, "le", 109),
        ("M4.CT2", 2025, "le", 42),
        ("M4.CT2", 2030, "lt", 42),
        ("M3.CT4", 2025, "ge", 70),
        ("M3.CT4", 2030, "ge", 100),
        ("M5.CT2a", 2025, "gt", 90),
        ("M5.CT2a", 2030, "ge", 99),
        ("M5.CT2b", 2025, "ge", 85),
        ("M5.CT2b", 2030, "ge", 90),
        ("M5.CT4a", 2025, "ge", 50),
        ("M5.CT4b", 2025, "ge", 30),
        ("M5.CT4b", 2030, "ge", 35),
        ("M6.CT1", 2025, "ge", 60),
        ("M6.CT1", 2030, "ge", 80),
    ],
)
def test_national_targets_as_in_the_resolution(indicator, year, op, value):
    target = catalogue.get(indicator).national_target(year)
    assert target is not None
    assert (target.op, target.value) == (op, value)
    assert "28/NQ-CP" in target.source


def test_every_indicator_is_complete_and_consistent():
    for ind in catalogue.indicators():
        assert ind.goal == int(ind.id[1])
        assert ind.name_vi and ind.name_en and ind.unit_vi and ind.unit_en
        assert ind.direction in ("higher", "lower")
        assert ind.kind in ("share", "ratio", "rate", "count", "binary")
        if ind.kind == "share":
            assert (ind.lower, ind.upper) == (0, 100)
        if ind.evidence == "N" or ind.id == "M4.CT4":
            # no national value per province: M4.CT3 not found; M4.CT4 is a share of provinces
            assert ind.national_targets == ()
            assert ind.id in ("M4.CT3", "M4.CT4")
        else:
            assert {t.year for t in ind.national_targets} == {2025, 2030}
        assert ind.evidence in ("A", "B", "C", "N")
        for t in ind.national_targets:
            assert ind.lower is None or t.value >= ind.lower
            assert ind.upper is None or t.value <= ind.upper


def test_direction_matches_the_operator_of_the_targets():
    for ind in catalogue.indicators():
        for t in ind.national_targets:
            if ind.direction == "higher":
                assert t.op in ("ge", "gt", "between"), ind.id
            else:
                assert t.op in ("le", "lt", "between"), ind.id


def test_lookup_forgives_case_and_suggests_for_typos():
    assert catalogue.get(" m4.ct1 ").id == "M4.CT1"
    with pytest.raises(UnknownNameError) as err:
        catalogue.get("M4.CT9")
    assert "did you mean: M4.CT4" in str(err.value)


def test_goals_have_names_in_both_languages():
    assert catalogue.goals("vi")[4] == "Y tế"
    assert catalogue.goals("en")[4] == "Health"
    assert len(catalogue.goals()) == 6
