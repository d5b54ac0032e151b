"""Tests for bdg_analysis.plans: each seed's targets, the merge rule, validation, output."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
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


# ---------------------------------------------------------------- the schema, declared once


def test_schema_file_is_valid_json_schema_and_its_words_name_real_keywords():
    from bdg_analysis.plans import schema

    schema.check_schema()
    inlined = schema.inlined_schema()  # raises when a key beside a $ref clashes with its target
    assert "$ref" not in json.dumps(inlined)

    def walk(node, where):
        if isinstance(node, dict):
            for keyword in node.get("x-messages", {}):
                # a word for a keyword the subschema does not use would never be shown
                assert keyword in node or keyword == "finite", (where, keyword)
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    walk(schema.schema(), "#")


def test_every_params_key_is_in_the_schema_and_the_docs():
    from bdg_analysis.plans import schema

    docs = (Path(__file__).resolve().parents[1] / "docs" / "params.md").read_text(encoding="utf-8")
    defs = schema.schema()["$defs"]
    for part in ("jurisdiction", "document", "period", "lead_agency", "local_indicator", "target"):
        for key in defs[part]["properties"]:
            assert f"`{key}`" in docs, (part, key)
    for part in ("baseline", "agency", "deadline"):
        for key in defs[part]["properties"]:
            assert f"`{key}`" in docs, (part, key)
    for key in schema.schema()["properties"]:
        assert f"`{key}`" in docs, key


def test_problems_come_in_file_order_all_at_once(tmp_path):
    text = (PARAMS / "hiep_hoa.yaml").read_text(encoding="utf-8")
    text = text.replace("level: district", "level: commune")
    text = text.replace('date: "2023"', 'date: "23/4/2023"')
    text = text.replace("op: ge, value: 50,", 'op: ge, value: "50%",')
    text = text.replace("{id: M2.CT2, year: 2023", '{id: M2.CT2, year: "2023"')
    path = tmp_path / "many.yaml"
    path.write_text(text, encoding="utf-8")
    lines = [str(p) for p in plans.validate_params_file(path)]
    assert lines == [
        f"{path}:9: jurisdiction.level: level 'commune' is not one of national, province, district",
        f"{path}:17: document.date: expected YYYY, YYYY-MM or YYYY-MM-DD, got '23/4/2023'",
        f"{path}:35: targets[2].value: expected a number, got '50%'",
        f"{path}:37: targets[3].year: expected a year (an integer such as 2030), got '2023'",
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  level: district\n", "", "jurisdiction.level: missing 'level' (one of national, "),
        ('name: "Hiệp Hòa"', "name: null", "jurisdiction.name: missing 'name' (expected text)"),
        ('name: "Hiệp Hòa"', 'name: "  "', "jurisdiction.name: expected non-empty text, got '  '"),
        (
            "period: {start: 2023, end: 2023}",
            "period: {start: 2024, end: 2023}",
            "period: start 2024 is after end 2023",
        ),
        (
            "period: {start: 2023, end: 2023}",
            "period: {start: 2023.0, end: 2023}",
            "period.start: expected a year (an integer such as 2030), got 2023.0",
        ),
        (
            "op: ge, value: 50,",
            "op: ge, value: true,",
            "targets[2].value: expected a number, got True",
        ),
        ("op: ge, value: 50,", "op: ge,", "targets[2].value: missing 'value' (expected a number)"),
        (
            "op: ge, value: 50,",
            "op: ge, value: 50, value_high: 60,",
            "targets[2].value_high: value_high is only for 'between', not 'ge'",
        ),
        (
            "value: 40, value_high: 60",
            "value: 60, value_high: 40",
            "targets[1].value_high: value_high 40 is below value 60",
        ),
        (
            "op: ge, value: 50,",
            "op: ge, value: 50, value: 55,",
            "targets[2].value: key 'value' given twice in one mapping (first at line 35)",
        ),
        (
            "op: ge, value: 50,",
            "op: ge, value: 50, two_sided: true,",
            "targets[2].two_sided: two_sided is only for 'between', not 'ge'",
        ),
        (
            'date: "2023"',
            'date: "2023-02-30"',
            "document.date: '2023-02-30' is not a date of the calendar",
        ),
        (
            "  number: null\n",
            '  number: "5/KH-UBND"\n  status: unnumbered\n',
            "document.status: status 'unnumbered' but the document has a number",
        ),
        ("  number: null\n", "  status: final\n", "document.status: status 'final' is not one of"),
        ("schema: 1", "schema: 2", "schema: schema 2 is not one this version reads (1)"),
        (
            "targets:\n",
            "targets:\n  - 'M2.CT1 >= 50'\n",
            "targets[0]: expected a target (a mapping)",
        ),
    ],
)
def test_each_mistake_is_one_line_with_its_key(tmp_path, old, new, expected):
    text = (PARAMS / "hiep_hoa.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "one.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    problems = plans.validate_params_file(path)
    assert len(problems) == 1, [str(p) for p in problems]
    (problem,) = problems
    assert problem.row is not None
    assert str(problem).startswith(f"{path}:{problem.row}: {expected}"), str(problem)


def test_deadlines_mm_dd_must_be_a_day_of_the_calendar(tmp_path):
    text = (PARAMS / "quang_ninh.yaml").read_text(encoding="utf-8")
    for due, ok in [('"02-29"', True), ('"02-30"', False), ('"04-31"', False), ('"12-31"', True)]:
        path = tmp_path / "due.yaml"
        path.write_text(text.replace('due: "06-10"', f"due: {due}", 1), encoding="utf-8")
        messages = [p.message for p in plans.validate_params_file(path)]
        assert (messages == []) is ok, (due, messages)
    path.write_text(text.replace('due: "06-10"', "due: 610", 1), encoding="utf-8")
    (problem,) = plans.validate_params_file(path)
    assert problem.message == "expected MM-DD (quoted), a year or text, got 610"


# ---------------------------------------------------------------- hostile files (issue 15)


def test_billion_laughs_is_refused_at_its_first_anchor():
    path = FIXTURES / "plans_billion_laughs.yaml"
    (problem,) = plans.validate_params_file(path)
    assert str(problem).startswith(f"{path}:3: YAML anchor &a refused")
    assert "anchors or aliases" in problem.message


def test_billion_laughs_in_the_params_folder_stops_every_load_with_one_line(tmp_path):
    shutil.copy(PARAMS / "national.yaml", tmp_path / "national.yaml")
    shutil.copy(FIXTURES / "plans_billion_laughs.yaml", tmp_path / "lol.yaml")
    with pytest.raises(BdgInputError) as info:
        plans.load_plan("Cà Mau", params_dir=tmp_path)
    (problem,) = info.value.problems
    assert problem.file.endswith("lol.yaml") and problem.row == 3


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("base: &b {a: 1}\nother: {c: 2}\n", 1, "anchor &b"),
        ("a: [1, 2]\nb: *x\n", 2, "alias *x refused"),  # an alias, even without its anchor
        ("a: 1\nb: " + "[" * 40 + "]" * 40 + "\n", 2, "nested more than 32 levels"),
        ("a: " + "9" * 400 + "\n", 1, "an integer of 400 digits"),
        ("a: !!python/object:os.system {}\n", 1, "not valid YAML"),
    ],
)
def test_yaml_that_costs_or_runs_more_than_data_is_refused(tmp_path, text, line, what):
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    (problem,) = plans.validate_params_file(path)
    assert problem.row == line and what in problem.message, str(problem)


def test_merge_keys_are_refused_as_aliases(tmp_path):
    path = tmp_path / "merge.yaml"
    path.write_text("defaults: &d {op: ge}\nt: {<<: *d, value: 1}\n", encoding="utf-8")
    (problem,) = plans.validate_params_file(path)
    assert problem.row == 1 and "anchor &d" in problem.message


def test_size_cap_states_the_limit_and_how_to_raise_it(tmp_path, monkeypatch):
    path = tmp_path / "big.yaml"
    text = (PARAMS / "lang_son.yaml").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    size = path.stat().st_size
    monkeypatch.setenv("BDG_MAX_PARAMS_BYTES", str(size - 1))
    (problem,) = plans.validate_params_file(path)
    assert problem.file == str(path) and problem.row is None
    assert f"larger than the {size - 1} bytes" in problem.message
    assert "BDG_MAX_PARAMS_BYTES=<bytes>" in problem.message
    monkeypatch.setenv("BDG_MAX_PARAMS_BYTES", str(size))
    assert plans.validate_params_file(path) == []
    monkeypatch.setenv("BDG_MAX_PARAMS_BYTES", "lots")
    with pytest.raises(BdgInputError, match="BDG_MAX_PARAMS_BYTES: expected a positive whole"):
        plans.validate_params_file(path)


def test_default_size_cap_refuses_a_file_one_byte_over(tmp_path, monkeypatch):
    monkeypatch.delenv("BDG_MAX_PARAMS_BYTES", raising=False)
    path = tmp_path / "padded.yaml"
    path.write_bytes(b"#" * plans.DEFAULT_MAX_BYTES + b"\n")
    (problem,) = plans.validate_params_file(path)
    assert f"larger than the {plans.DEFAULT_MAX_BYTES} bytes" in problem.message
    # every report scans the folder: the cap holds there too, and the cached scan follows it
    shutil.copy(PARAMS / "national.yaml", tmp_path / "national.yaml")
    with pytest.raises(BdgInputError, match="padded.yaml: larger than"):
        plans.load_plan("Cà Mau", params_dir=tmp_path)
    monkeypatch.setenv("BDG_MAX_PARAMS_BYTES", str(2 * plans.DEFAULT_MAX_BYTES))
    with pytest.raises(BdgInputError, match="padded.yaml.*jurisdiction.name: missing"):
        plans.load_plan("Cà Mau", params_dir=tmp_path)


def test_non_finite_numbers_are_refused_with_file_line_and_key():
    path = FIXTURES / "plans_nonfinite.yaml"
    lines = [str(p) for p in plans.validate_params_file(path)]
    assert lines == [
        f"{path}:15: targets[0].value: expected a finite number, got nan",
        f"{path}:16: targets[1].value: expected a finite number, got inf",
        f"{path}:17: targets[2].value: expected a finite number, got -inf",
        f"{path}:18: targets[3].value: expected a finite number, got inf",
        f"{path}:19: targets[4].value: expected a number, got '1e309'",
        f"{path}:20: targets[5].value_high: expected a finite number, got nan",
        f"{path}:22: baselines[0].value: expected a finite number, got nan",
    ]


def test_a_file_with_too_many_problems_lists_the_first_and_counts_the_rest(tmp_path):
    text = (PARAMS / "hiep_hoa.yaml").read_text(encoding="utf-8")
    bad = '  - {id: M9.CT9, year: 2023, op: ge, value: 1, section: "x", wording: "y"}\n'
    path = tmp_path / "many.yaml"
    path.write_text(text.replace("targets:\n", "targets:\n" + bad * 250, 1), encoding="utf-8")
    problems = plans.validate_params_file(path)
    assert len(problems) == 201
    assert problems[0].row == 29 and "unknown indicator 'M9.CT9'" in problems[0].message
    assert problems[-1].message.startswith("50 more problems not listed")


def test_dates_stay_as_written_and_the_checker_never_imports_the_iri_grammar(tmp_path):
    text = (PARAMS / "quang_ninh.yaml").read_text(encoding="utf-8")
    path = tmp_path / "quang_ninh.yaml"
    path.write_text(text.replace('date: "2021-04-08"', "date: 2021-04-08"), encoding="utf-8")
    from bdg_analysis.plans import reader

    parsed = reader.parse(path)
    assert parsed.data["document"]["date"] == "2021-04-08" and parsed.problems == []
    code = (
        "import sys; from bdg_analysis import plans; plans.validate_params_dir(); "
        "print('rfc3987_syntax' in sys.modules, 'jsonschema' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


# ---------------------------------------------------------------- a Province, not resolved again


def test_load_plan_takes_a_province_and_gives_the_plan_its_name_gives():
    from bdg_analysis import geo

    for province in [geo.national(), *geo.current_provinces()]:
        by_province = plans.load_plan(province)
        by_name = plans.load_plan(province.name)
        assert by_province == by_name, province.name
    bac_kan = geo.resolve("Bắc Kạn", 2024).former
    assert plans.load_plan(bac_kan).jurisdiction == "Bắc Kạn"
    bac_giang = geo.resolve("Bắc Giang", 2024).former
    plan = plans.load_plan(bac_giang)
    assert plan.jurisdiction == "Bắc Ninh" and not plan.has_own_file


def test_a_resolved_province_is_not_resolved_again(monkeypatch):
    from bdg_analysis import geo

    ca_mau = geo.resolve("Cà Mau").province
    asked: list[str] = []
    real = geo.resolve

    def spy(name, year=None):
        asked.append(name)
        return real(name, year)

    monkeypatch.setattr(geo, "resolve", spy)
    assert plans.load_plan(ca_mau).jurisdiction == "Cà Mau"
    assert "Cà Mau" not in asked
    plans.load_plan("Cà Mau")
    assert "Cà Mau" in asked


# ---------------------------------------------------------------- bands (issue 16)


def test_two_sided_is_read_into_the_target_and_the_band_judged_by_direction(tmp_path):
    plan = plans.load_plan("Hiệp Hòa")
    band = plan.target("M6.CT1", 2023)
    assert (band.op, band.value, band.value_high, band.two_sided) == ("between", 40, 60, False)
    assert plan.effective_target(band).label() == "≥ 40"
    assert band.is_met(75, plan.indicator("M6.CT1").direction)
    for name in ("hiep_hoa.yaml", "national.yaml"):
        shutil.copy(PARAMS / name, tmp_path / name)
    text = (tmp_path / "hiep_hoa.yaml").read_text(encoding="utf-8")
    text = text.replace("value: 40, value_high: 60,", "value: 40, value_high: 60, two_sided: true,")
    (tmp_path / "hiep_hoa.yaml").write_text(text, encoding="utf-8")
    two = plans.load_plan("Hiệp Hòa", params_dir=tmp_path).target("M6.CT1", 2023)
    assert two.two_sided and not two.is_met(75, "higher") and two.is_met(50, "higher")
    # the JSON contract is unchanged: no new key
    rows = json.loads(
        plans.format_targets(plans.load_plan("Hiệp Hòa", params_dir=tmp_path), "json")
    )
    assert all("two_sided" not in r for r in rows)


def test_no_shipped_band_is_two_sided():
    for entry in plans.list_jurisdictions():
        plan = plans.load_plan(entry["name"])
        assert not any(t.two_sided for t in plan.targets), entry["name"]


# ---------------------------------------------------------------- the plan's name (issue 14)


@pytest.mark.parametrize(
    ("name", "vi", "en"),
    [
        (
            "Quảng Ninh",
            "Kế hoạch số 82/KH-UBND ngày 08/04/2021 của UBND tỉnh Quảng Ninh",
            "Plan No. 82/KH-UBND of 8 April 2021, Quảng Ninh Provincial People's Committee",
        ),
        (
            "Lạng Sơn",
            "Kế hoạch của UBND tỉnh Lạng Sơn (bản chưa ghi số, tháng 4/2026)",
            "Lạng Sơn Provincial People's Committee plan (unnumbered copy, April 2026)",
        ),
        (
            "Hiệp Hòa",
            "Kế hoạch của UBND huyện Hiệp Hòa (năm 2023)",
            "Hiệp Hòa District People's Committee plan (2023)",
        ),
        (
            "Cao Bằng",
            "Kế hoạch của UBND tỉnh Cao Bằng (năm 2022)",
            "Cao Bằng Provincial People's Committee plan (2022)",
        ),
        (
            "Bắc Kạn",
            "Quyết định số 415/QĐ-UBND ngày 19/03/2018 của UBND tỉnh Bắc Kạn",
            "Decision No. 415/QĐ-UBND of 19 March 2018, Bắc Kạn Provincial People's Committee",
        ),
        (
            "Toàn quốc",
            "Nghị quyết số 28/NQ-CP ngày 03/03/2021 của Chính phủ",
            "Resolution No. 28/NQ-CP of 3 March 2021, Government of Viet Nam",
        ),
    ],
)
def test_each_plan_is_named_as_its_document_names_itself(name, vi, en):
    plan = plans.load_plan(name)
    assert plan.label() == vi and plan.label("en") == en
    assert plan.heading("vi") == vi and plan.heading("en") == en
    assert "không ghi số" not in plan.label()


def test_a_province_without_a_plan_is_headed_in_plain_words():
    plan = plans.load_plan("Cà Mau")
    assert plan.heading() == (
        "Cà Mau: chưa có kế hoạch riêng; áp dụng chỉ tiêu quốc gia "
        "(Nghị quyết số 28/NQ-CP ngày 03/03/2021 của Chính phủ)"
    )
    assert plan.heading("en").startswith("Cà Mau: no plan of its own; the national targets apply")
    # the old citation form stays for sources and `bdg targets`
    assert plan.title() == (
        "Cà Mau: chưa có kế hoạch riêng trong params/; áp dụng chỉ tiêu quốc gia "
        "(Nghị quyết 28/NQ-CP ngày 03/03/2021 của Chính phủ)"
    )
    assert plans.load_plan("Lạng Sơn").document_label() == (
        "Kế hoạch (không ghi số) tháng 4/2026 của Ủy ban nhân dân tỉnh Lạng Sơn"
    )


@pytest.mark.parametrize(
    ("doc", "vi", "en"),
    [
        (
            {"kind": "Kế hoạch", "number": "123/KH-UBND", "date": "2026-04-15",
             "issuer": "Ủy ban nhân dân tỉnh Lạng Sơn"},
            "Kế hoạch số 123/KH-UBND ngày 15/04/2026 của UBND tỉnh Lạng Sơn",
            "Plan No. 123/KH-UBND of 15 April 2026, Lạng Sơn Provincial People's Committee",
        ),
        (
            {"kind": "Kế hoạch", "date": "2026-04", "status": "draft",
             "issuer": "Uỷ ban nhân dân tỉnh Lạng Sơn"},
            "Kế hoạch của UBND tỉnh Lạng Sơn (dự thảo, tháng 4/2026)",
            "Lạng Sơn Provincial People's Committee plan (draft, April 2026)",
        ),
        (
            {"kind": "Kế hoạch", "number": "7/KH-UBND", "date": "2026", "status": "draft",
             "issuer": "UBND thành phố Hà Nội"},
            "Kế hoạch số 7/KH-UBND năm 2026 của UBND thành phố Hà Nội (dự thảo)",
            "Plan No. 7/KH-UBND of 2026, Hà Nội City People's Committee (draft)",
        ),
        (
            {"kind": "Chỉ thị", "number": "1/CT-UBND", "issuer": "Sở Nội vụ",
             "issuer_en": "Department of Home Affairs"},
            "Chỉ thị số 1/CT-UBND của Sở Nội vụ",
            "Directive No. 1/CT-UBND, Department of Home Affairs",
        ),
        ({}, "Văn bản", "Document"),
        ({"date": "2025-07"}, "Văn bản (tháng 7/2025)", "Document (July 2025)"),
    ],
)  # fmt: skip
def test_document_name_from_its_fields(doc, vi, en):
    assert plans.document_name(doc, "vi") == vi
    assert plans.document_name(doc, "en") == en
