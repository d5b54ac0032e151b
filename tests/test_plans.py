"""Tests for bdg_analysis.plans: each seed's targets, the merge rule, validation, output."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import pytest

from bdg_analysis import catalogue, paths, plans
from bdg_analysis.errors import BdgInputError, UnknownNameError

FIXTURES = Path(__file__).parent / "fixtures"
PARAMS = paths.params_dir()

# Section I.2 of seeds/004_2a1f0c576e708f6e.txt (Quảng Ninh, 82/KH-UBND): (id, year) -> (op, value)
QUANG_NINH = {
    ("M1.CT1", 2025): ("ge", 60), ("M1.CT1", 2030): ("ge", 75),
    ("M1.CT2", 2025): ("ge", 80), ("M1.CT2", 2030): ("ge", 90),
    ("M2.CT1", 2025): ("ge", 50), ("M2.CT1", 2030): ("ge", 60),
    ("M2.CT2", 2025): ("lt", 30), ("M2.CT2", 2030): ("lt", 25),
    ("M2.CT3", 2025): ("ge", 27), ("M2.CT3", 2030): ("ge", 30),
    ("M3.CT1", 2025): ("le", 1.7), ("M3.CT1", 2030): ("le", 1.4),
    ("M3.CT2a", 2025): ("ge", 80), ("M3.CT2a", 2030): ("ge", 90),
    ("M3.CT2b", 2025): ("ge", 50), ("M3.CT2b", 2030): ("ge", 70),
    ("M3.CT3", 2025): ("ge", 100), ("M3.CT3", 2030): ("ge", 100),
    ("M3.CT4", 2025): ("ge", 70), ("M3.CT4", 2030): ("ge", 100),
    ("M4.CT1", 2025): ("le", 111), ("M4.CT1", 2030): ("le", 109),
    ("M4.CT2", 2025): ("le", 25), ("M4.CT2", 2030): ("lt", 25),
    ("M4.CT3", 2025): ("le", 18), ("M4.CT3", 2030): ("lt", 18),
    ("M4.CT4", 2025): ("ge", 1), ("M4.CT4", 2030): ("ge", 1),
    ("M5.CT1", 2025): ("ge", 1), ("M5.CT1", 2030): ("ge", 1),
    ("M5.CT2a", 2025): ("ge", 99.6), ("M5.CT2a", 2030): ("gt", 99.6),
    ("M5.CT2b", 2025): ("ge", 85), ("M5.CT2b", 2030): ("ge", 90),
    ("M5.CT3", 2025): ("gt", 30), ("M5.CT3", 2030): ("gt", 40),
    ("M5.CT4a", 2025): ("ge", 50), ("M5.CT4a", 2030): ("ge", 50),
    ("M5.CT4b", 2025): ("ge", 30), ("M5.CT4b", 2030): ("ge", 35),
    ("M6.CT1", 2025): ("ge", 60), ("M6.CT1", 2030): ("ge", 80),
    ("M6.CT2", 2025): ("ge", 100), ("M6.CT2", 2030): ("ge", 100),
    ("M6.CT3", 2025): ("ge", 100), ("M6.CT3", 2030): ("ge", 100),
    ("M6.CT4", 2025): ("ge", 100), ("M6.CT4", 2030): ("ge", 100),
}  # fmt: skip

# Section II.2 of seeds/002_99ace7ec0c5e6e1c.txt (Lạng Sơn 2026-2030): 2030 values only.
LANG_SON = {
    "M1.CT1": ("ge", 75), "M2.CT1": ("gt", 60), "M2.CT2": ("lt", 25), "M2.CT3": ("ge", 30),
    "M3.CT1": ("le", 1.4), "M3.CT2a": ("ge", 90), "M3.CT2b": ("ge", 70), "M3.CT3": ("ge", 100),
    "M3.CT4": ("ge", 100), "M4.CT1": ("le", 109), "M4.CT2": ("le", 42), "M4.CT3": ("lt", 18),
    "M4.CT4": ("ge", 1), "M5.CT1": ("ge", 1), "M5.CT2a": ("gt", 99), "M5.CT2b": ("ge", 90),
    "M5.CT3": ("ge", 40), "M5.CT4a": ("ge", 50), "M5.CT4b": ("ge", 35), "M6.CT1": ("ge", 80),
    "M6.CT2": ("ge", 100), "M6.CT3": ("ge", 100), "M6.CT4": ("ge", 100),
}  # fmt: skip

# Section I.2 of seeds/001_394d6e83b46803bf.txt (Hiệp Hòa 2023): id -> (op, value, value_high)
HIEP_HOA = {
    "M6.CT2": ("ge", 100, None), "M6.CT1": ("between", 40, 60), "M2.CT1": ("ge", 50, None),
    "M2.CT2": ("lt", 30, None), "M3.CT2a": ("ge", 80, None), "M3.CT2b": ("ge", 45, None),
    "M3.CT3": ("ge", 100, None),
}  # fmt: skip


def _own(plan: plans.Plan) -> dict[tuple[str, int], tuple]:
    return {
        (t.indicator, t.year): (t.op, t.value, t.value_high)
        for t in plan.targets
        if plan.is_own(t.indicator, t.year)
    }


# ---------------------------------------------------------------- the seeds


def test_params_directory_has_no_problem():
    assert plans.validate_params_dir(PARAMS) == []
    names = {j["name"] for j in plans.list_jurisdictions(PARAMS)}
    assert names == {"Toàn quốc", "Quảng Ninh", "Lạng Sơn", "Hiệp Hòa", "Cao Bằng", "Bắc Kạn"}


def test_quang_ninh_targets_section_i2():
    plan = plans.load_plan("Quảng Ninh")
    assert plan.has_own_file and plan.level == "province" and plan.province.code == "22"
    assert plan.document["number"] == "82/KH-UBND" and plan.document["date"] == "2021-04-08"
    assert plan.period == (2021, 2030)
    own = _own(plan)
    assert set(own) == set(QUANG_NINH)
    for key, (op, value) in QUANG_NINH.items():
        assert own[key][:2] == (op, pytest.approx(value)), key
    # Quảng Ninh promises 25 maternal deaths per 100,000 where the nation promises 42.
    assert plan.target("M4.CT2", 2025).value == 25
    assert catalogue.get("M4.CT2").national_target(2025).value == 42
    # Its own target M1.CT2 keeps its number and has a definition of its own.
    assert plan.indicator("M1.CT2").unit("vi") == "%"
    assert not catalogue.is_known("M1.CT2")


def test_quang_ninh_agencies_baselines_deadlines():
    plan = plans.load_plan("Quảng Ninh")
    a = plan.agencies["M3.CT2a"]
    assert a["responsible"] == ["Sở Văn hóa và Thể thao"]
    assert a["coordinating"] == ["Sở Lao động - Thương binh và Xã hội"]
    assert "IV.1" in a["source"] and "IV.8" in a["source"]
    assert plan.agencies["M1.CT1"]["responsible"] == ["Sở Nội vụ"]
    assert plan.agencies["M1.CT2"]["responsible"] == ["Ban Tổ chức Tỉnh ủy"]
    assert plan.agencies["M4.CT3"]["responsible"] == ["Sở Y tế"]
    assert plan.agencies["M3.CT1"]["responsible"] == ["Cục Thống kê tỉnh"]
    assert [(b["indicator"], b["value"], b["year"]) for b in plan.baselines] == [
        ("M4.CT3", 23.0, None)
    ]
    dues = [d["due"] for d in plan.deadlines]
    assert dues[:2] == ["06-10", "12-10"]
    assert "mục IV.19" in plan.deadlines[0]["source"]


def test_lang_son_sets_only_2030_and_inherits_2025():
    plan = plans.load_plan("Lạng Sơn")
    assert plan.period == (2026, 2030) and plan.document["date"] == "2026-04"
    own = _own(plan)
    assert {year for _, year in own} == {2030}
    assert {ind for ind, _ in own} == set(LANG_SON)
    for ind, (op, value) in LANG_SON.items():
        assert own[(ind, 2030)][:2] == (op, pytest.approx(value)), ind
    # A year the plan does not set comes from the national plan, and says so.
    t = plan.target("M2.CT1", 2025)
    assert (t.op, t.value) == ("ge", 50) and not plan.is_own("M2.CT1", 2025)
    assert t.source.startswith("Nghị quyết 28/NQ-CP")
    assert [b["value"] for b in plan.baselines] == [18.0]
    assert plan.agencies["M2.CT3"]["responsible"] == ["Sở Tài chính"]
    assert plan.agencies["M2.CT3"]["coordinating"] == ["Hội Liên hiệp Phụ nữ tỉnh", "Thống kê tỉnh"]
    assert plan.agencies["M3.CT2b"]["coordinating"] == ["Sở Tư pháp", "Sở Y tế", "Công an tỉnh"]
    assert [d["due"] for d in plan.deadlines] == ["hằng năm", "2028", "2030"]


def test_hiep_hoa_district_2023_within_bac_ninh():
    plan = plans.load_plan("Hiệp Hòa")
    assert plan.level == "district"
    assert (plan.province.name, plan.province.code) == ("Bắc Ninh", "24")
    assert plan.former_province.name == "Bắc Giang" and plan.former_province.era == "former"
    own = _own(plan)
    assert {year for _, year in own} == {2023}
    assert {ind: v for (ind, _), v in own.items()} == {
        k: (op, float(v), None if hi is None else float(hi)) for k, (op, v, hi) in HIEP_HOA.items()
    }
    # 2025 and 2030 follow its current province's plan (Bắc Ninh has none: national).
    assert plan.target("M3.CT2b", 2023).value == 45
    assert plan.target("M3.CT2b", 2025).value == 50 and not plan.is_own("M3.CT2b", 2025)
    assert plan.follows_via == "Bắc Ninh"
    assert plan.deadlines == [] and plan.agencies == {}
    assert plan.lead_agency["name"].startswith("Phòng Lao động")


@pytest.mark.parametrize(
    ("name", "dues"), [("Cao Bằng", ["06-15", "12-15"]), ("Bắc Kạn", ["06-10", "12-10"])]
)
def test_plans_without_numeric_targets_follow_the_national_ones(name, dues):
    plan = plans.load_plan(name)
    national = plans.load_plan("Toàn quốc")
    assert plan.has_own_file and plan.own_target_keys == frozenset()
    assert [(t.indicator, t.year, t.op, t.value) for t in plan.targets] == [
        (t.indicator, t.year, t.op, t.value) for t in national.targets
    ]
    assert [d["due"] for d in plan.deadlines] == dues


def test_bac_kan_is_a_former_province_now_in_thai_nguyen():
    plan = plans.load_plan("Bắc Kạn")
    assert plan.document["number"] == "415/QĐ-UBND" and plan.period == (2018, 2018)
    assert plan.province.name == "Thái Nguyên" and plan.former_province.code == "06"
    tn = plans.load_plan("Thái Nguyên")
    assert not tn.has_own_file and tn.related == ["Bắc Kạn"]


def test_national_params_agree_with_the_catalogue():
    national = plans.load_plan("Toàn quốc")
    assert national.is_national and national.document["number"] == "28/NQ-CP"
    ours = {(t.indicator, t.year): (t.op, t.value, t.value_high) for t in national.targets}
    theirs = {
        (t.indicator, t.year): (t.op, t.value, t.value_high)
        for ind in catalogue.indicators()
        for t in ind.national_targets
    }
    assert ours == theirs, "params/national.yaml and catalogue.yaml disagree: update both"


def test_every_own_target_cites_section_and_source_file():
    for name, file in [
        ("Quảng Ninh", "004_2a1f0c576e708f6e.txt"),
        ("Lạng Sơn", "002_99ace7ec0c5e6e1c.txt"),
        ("Hiệp Hòa", "001_394d6e83b46803bf.txt"),
    ]:
        plan = plans.load_plan(name)
        for t in plan.targets:
            if plan.is_own(t.indicator, t.year):
                assert ", mục " in t.source and t.source.endswith(f"({file})"), t
                assert t.wording


# ---------------------------------------------------------------- names and defaults


@pytest.mark.parametrize(
    "name",
    ["Lạng Sơn", "Lang Son", "tỉnh Lạng Sơn", "LẠNG SƠN", unicodedata.normalize("NFD", "Lạng Sơn")],
)
def test_lang_son_spellings(name):
    plan = plans.load_plan(name)
    assert plan.jurisdiction == "Lạng Sơn" and plan.has_own_file


@pytest.mark.parametrize("name", ["Hiệp Hòa", "Hiệp Hoà", "huyện Hiệp Hòa", "Hiep Hoa"])
def test_hiep_hoa_spellings(name):
    assert plans.load_plan(name).jurisdiction == "Hiệp Hòa"


def test_province_without_file_gets_the_national_targets_labelled():
    plan = plans.load_plan("Cà Mau")
    assert plan.jurisdiction == "Cà Mau" and plan.province.code == "96"
    assert not plan.has_own_file and plan.own_target_keys == frozenset()
    national = plans.load_plan("national")
    assert [t.to_dict() for t in plan.targets] == [t.to_dict() for t in national.targets]
    assert "chưa có kế hoạch riêng" in plan.title()
    assert "no plan of its own" in plan.title("en")


def test_former_province_name_gets_its_current_provinces_plan():
    plan = plans.load_plan("Bắc Giang")
    assert plan.jurisdiction == "Bắc Ninh" and not plan.has_own_file
    assert plan.related == ["Hiệp Hòa"]


def test_ha_tay_is_a_clear_error():
    with pytest.raises(UnknownNameError) as info:
        plans.load_plan("Hà Tây")
    assert "unknown province 'Hà Tây'" in str(info.value)
    assert "merged into Hà Nội" in str(info.value)


def test_unknown_name_suggests_jurisdictions_too():
    with pytest.raises(UnknownNameError) as info:
        plans.load_plan("Hiep Hoaa")
    assert "Hiệp Hòa" in info.value.suggestions


def test_agency_falls_back_to_the_catalogue_default():
    plan = plans.load_plan("Cà Mau")
    a = plan.agency_for("M4.CT1")
    assert a["responsible"] == [catalogue.get("M4.CT1").agency]
    assert "catalogue default" in a["source"]
    assert plans.load_plan("Quảng Ninh").agency_for("M4.CT1")["responsible"] == ["Sở Y tế"]


# ---------------------------------------------------------------- output


def test_json_quang_ninh_lists_2025_and_2030_with_operators():
    rows = json.loads(plans.format_targets(plans.load_plan("Quảng Ninh"), fmt="json"))
    assert all(
        set(r) == {"id", "year", "op", "value", "value_high", "unit", "source"} for r in rows
    )
    got = {(r["id"], r["year"]): (r["op"], r["value"]) for r in rows}
    assert got == {k: (op, pytest.approx(v)) for k, (op, v) in QUANG_NINH.items()}
    srb = next(r for r in rows if r["id"] == "M4.CT1" and r["year"] == 2030)
    assert srb["unit"] == "bé trai/100 bé gái" and srb["value_high"] is None
    assert "mục I.2.4" in srb["source"]


def test_json_lang_son_and_hiep_hoa():
    rows = json.loads(plans.format_targets(plans.load_plan("Lang Son"), fmt="json", lang="en"))
    own = {r["id"]: (r["op"], r["value"]) for r in rows if r["year"] == 2030}
    assert own == {k: (op, pytest.approx(v)) for k, (op, v) in LANG_SON.items()}
    assert next(r for r in rows if r["id"] == "M4.CT2")["unit"] == "per 100,000 live births"
    rows = json.loads(plans.format_targets(plans.load_plan("Hiệp Hòa"), fmt="json"))
    m61 = next(r for r in rows if r["id"] == "M6.CT1" and r["year"] == 2023)
    assert (m61["op"], m61["value"], m61["value_high"]) == ("between", 40.0, 60.0)


def test_table_is_vietnamese_by_default_and_english_on_request():
    plan = plans.load_plan("Quảng Ninh")
    vi = plans.format_targets(plan)
    assert "Kế hoạch áp dụng: Kế hoạch 82/KH-UBND ngày 08/04/2021" in vi
    assert "Mã" in vi and "Chỉ tiêu" in vi and "Mục tiêu" in vi
    assert "≤ 1,7" in vi and "Tỷ số tử vong mẹ" in vi and "Hạn báo cáo" in vi and "10/06" in vi
    en = plans.format_targets(plan, lang="en")
    assert "Plan applied" in en and "≤ 1.7" in en and "Maternal mortality ratio" in en
    merged = plans.format_targets(plans.load_plan("Hiệp Hòa"))
    assert "nay thuộc tỉnh Bắc Ninh" in merged and "Bắc Giang" in merged
    camau = plans.format_targets(plans.load_plan("Cà Mau"))
    assert "chưa có kế hoạch riêng" in camau and "Quốc gia (NQ 28/NQ-CP)" in camau
    assert "Bạc Liêu" in camau  # the merged province's history is named
    with pytest.raises(BdgInputError):
        plans.format_targets(plan, fmt="xml")


# ---------------------------------------------------------------- validation


def test_validation_names_file_line_and_key():
    path = FIXTURES / "plans_bad.yaml"
    lines = [str(p) for p in plans.validate_params_file(path)]
    expected = [
        f"{path}:16: targets[0].id: unknown indicator 'M4.CT9'; did you mean: M4.CT4",
        f"{path}:17: targets[1].op: operator 'gte' is not one of ge, gt, le, lt, between",
        f"{path}:18: targets[2].year: year 2035 is outside the plan period 2026-2030",
        f"{path}:19: targets[3].value_high: missing 'value_high' (required for 'between')",
        f"{path}:20: targets[4].value: 130 is outside the indicator's range 0-100",
        f"{path}:21: targets[5].opp: unknown key 'opp' (did you mean 'op'?)",
        f"{path}:21: targets[5]: second target for M2.CT3 2030",
        f"{path}:23: agencies[0].role: role 'lead' is not one of responsible, coordinating",
        f"{path}:25: deadlines[0].due: '13-40' is not a valid MM-DD date",
    ]
    assert len(lines) == len(expected)
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(start), (line, start)


def test_validation_of_syntax_errors_and_places(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("jurisdiction: {name: x\ntargets: [\n", encoding="utf-8")
    (problem,) = plans.validate_params_file(broken)
    assert "not valid YAML" in problem.message and problem.row is not None
    wrong = tmp_path / "wrong.yaml"
    text = (PARAMS / "hiep_hoa.yaml").read_text(encoding="utf-8")
    wrong.write_text(
        text.replace('former_province: "Bắc Giang"', 'former_province: "Hà Tây"'), encoding="utf-8"
    )
    (problem,) = plans.validate_params_file(wrong)
    assert problem.column == "jurisdiction.former_province" and "Hà Tây" in problem.message
    wrong.write_text(
        text.replace('former_province: "Bắc Giang"', 'former_province: "Bắc Kạn"'), encoding="utf-8"
    )
    (problem,) = plans.validate_params_file(wrong)
    assert "Bắc Kạn is now part of Thái Nguyên, not of Bắc Ninh" in problem.message


def test_load_plan_refuses_a_bad_file(tmp_path):
    shutil.copy(PARAMS / "national.yaml", tmp_path / "national.yaml")
    bad = (FIXTURES / "plans_bad.yaml").read_text(encoding="utf-8")
    (tmp_path / "test.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(BdgInputError) as info:
        plans.load_plan("Tỉnh thử nghiệm", params_dir=tmp_path)
    assert len(info.value.problems) == 9
    assert all(p.file.endswith("test.yaml") for p in info.value.problems)
    # Other names still load from the same folder: the bad file is only read when asked for.
    assert plans.load_plan("Cà Mau", params_dir=tmp_path).has_own_file is False


def test_missing_national_file_is_an_input_error(tmp_path):
    with pytest.raises(BdgInputError) as info:
        plans.load_plan("Cà Mau", params_dir=tmp_path)
    assert "national.yaml" in str(info.value)
