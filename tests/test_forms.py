"""Collection forms: written per agency, locked and validated, read back guessing nothing."""

from __future__ import annotations

import datetime as dt
import shutil
import unicodedata
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from bdg_analysis import catalogue, cli, dataset, forms, importer, plans, scorecard, validate
from bdg_analysis import io as bio
from bdg_analysis.errors import BdgInputError
from bdg_analysis.history import read_history
from bdg_analysis.io import form_sources
from bdg_analysis.io import forms as fio

TODAY = dt.date(2026, 11, 20)
HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@pytest.fixture(scope="module")
def observations() -> pd.DataFrame:
    return dataset.load()


@pytest.fixture(scope="module")
def lang_son(observations) -> forms.Round:
    return forms.plan_round("Lạng Sơn", 2026, observations, today=TODAY)


@pytest.fixture(scope="module")
def written(lang_son, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("forms")
    paths = forms.write_forms(lang_son, out)
    return dict(zip(lang_son.agencies, paths, strict=True))


def fill(path: Path, out: Path, answers: dict, cover: dict | None = None) -> Path:
    """Fill a form as a department does in Excel (openpyxl ignores validation and locks)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Số liệu"] if "Số liệu" in wb.sheetnames else wb["Data"]
    for r in range(2, ws.max_row + 1):
        key = (ws[f"A{r}"].value, ws[f"D{r}"].value)
        for column, value in answers.get(key, {}).items():
            ws[f"{column}{r}"] = value
    sheet = wb[wb.sheetnames[0]]
    for ref, value in (cover or {}).items():
        sheet[ref] = value
    wb.save(out)
    return out


def row_of(path: Path, indicator: str, year: int) -> int:
    ws = openpyxl.load_workbook(path)["Số liệu"]
    for r in range(2, ws.max_row + 1):
        if ws[f"A{r}"].value == indicator and ws[f"D{r}"].value == year:
            return r
    raise AssertionError(f"{indicator} {year} not on the form")


# ---------------------------------------------------------------- what a round asks


def test_one_form_per_responsible_agency_named_after_it(lang_son, written):
    plan = plans.load_plan("Lạng Sơn")
    assert set(lang_son.agencies) == {
        "Sở Nội vụ",
        "Thống kê tỉnh",
        "Sở Tài chính",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Y tế",
        "Sở Giáo dục và Đào tạo",
    }
    for row in lang_son.rows:  # every indicator goes to the plan's responsible agency
        assert row.agency == plan.agencies[row.id]["responsible"][0]
    names = sorted(p.name for p in written.values())
    assert "lang-son-2026-so-y-te.xlsx" in names
    assert "lang-son-2026-so-van-hoa-the-thao-va-du-lich.xlsx" in names
    assert all(n.isascii() for n in names)
    assert lang_son.form_id("Sở Y tế") == "BDG-20-2026-so-y-te-20261210"


def test_indicators_without_an_agency_go_to_home_affairs(observations):
    cao_bang = forms.plan_round("Cao Bằng", 2026, observations, today=TODAY)
    assert cao_bang.agencies == ["Sở Nội vụ"]
    assert {r.id for r in cao_bang.rows} == set(plans.load_plan("Cao Bằng").indicator_ids())


def test_report_year_always_and_earlier_years_only_while_missing():
    frame = pd.read_csv(FIXTURES / "forms_history.csv", dtype=str, keep_default_na=False)
    obs = validate.check(frame.assign(source_file="h.csv", source_row=range(2, len(frame) + 2)))
    assert obs.ok, obs.problems
    asked = forms.plan_round("Lạng Sơn", 2026, obs.observations, today=TODAY, back=3)
    srb = [r for r in asked.rows if r.id == "M4.CT1"]
    # 2023 and 2025 are official in the fixture; 2024 is only provisional: asked again
    assert [r.year for r in srb] == [2024, 2026]
    assert srb[0].reference == (110.9, 2024, "provisional")
    assert srb[1].reference == (110.6, 2025, "official")
    other = [r for r in asked.rows if r.id == "M4.CT2"]
    assert [r.year for r in other] == [2023, 2024, 2025, 2026]


@pytest.mark.parametrize(
    ("province", "today", "expected"),
    [
        ("Lạng Sơn", dt.date(2026, 3, 1), dt.date(2026, 6, 10)),  # no day in the plan: default
        ("Lạng Sơn", dt.date(2026, 11, 20), dt.date(2026, 12, 10)),
        ("Lạng Sơn", dt.date(2027, 1, 15), dt.date(2027, 6, 10)),  # late round: next year's
        ("Cao Bằng", dt.date(2026, 11, 20), dt.date(2026, 12, 15)),  # the plan's own day
        ("Cao Bằng", dt.date(2028, 1, 1), dt.date(2027, 12, 15)),  # past every one: the last
    ],
)
def test_deadline_is_the_plans_next_day_or_10_june_10_december(province, today, expected):
    plan = plans.load_plan(province)
    assert forms.deadline_for(plan, 2026, today)[0] == expected
    assert forms.deadline_for(plan, 2026, today, dt.date(2026, 7, 1))[0] == dt.date(2026, 7, 1)


def test_slug_is_ascii_and_keeps_the_words():
    assert forms.slug("Sở Văn hóa, Thể thao và Du lịch") == "so-van-hoa-the-thao-va-du-lich"
    assert forms.slug("Sở Giáo dục và Đào tạo") == "so-giao-duc-va-dao-tao"
    assert forms.slug(nfc("Đắk Lắk")) == "dak-lak"


# ---------------------------------------------------------------- the workbook


def test_same_round_gives_the_same_bytes(lang_son, written, tmp_path):
    again = forms.write_form(lang_son, "Sở Y tế", tmp_path / "again.xlsx")
    assert again.read_bytes() == written["Sở Y tế"].read_bytes()
    wb = openpyxl.load_workbook(again)
    assert wb.properties.created == dt.datetime(2026, 1, 1)
    assert wb.properties.modified == dt.datetime(2026, 1, 1)


def test_cover_says_who_what_by_when_and_how(lang_son, written):
    wb = openpyxl.load_workbook(written["Sở Y tế"])
    assert wb.sheetnames == ["Hướng dẫn", "Số liệu", fio.META_SHEET]
    text = "\n".join(
        str(c.value) for row in wb["Hướng dẫn"].iter_rows() for c in row if c.value is not None
    )
    for needed in (
        "Lạng Sơn",
        "Sở Y tế",
        "2026",
        "10/12/2026",
        "Sở Nội vụ tỉnh Lạng Sơn",
        "BDG-20-2026-so-y-te-20261210",
        "Sơ bộ",  # how to mark provisional figures
        "để trống ô Giá trị và ghi lý do",  # a figure that does not exist
        "Tử số: số bé trai sinh ra sống",  # what the numerator means, per indicator
        "× 100.000",  # the rate's factor
    ):
        assert needed in text, needed


def test_data_sheet_header_rows_and_reference(lang_son, written):
    ws = openpyxl.load_workbook(written["Sở Y tế"])["Số liệu"]
    header = [ws.cell(1, c).value for c in range(1, 11)]
    assert header == [
        "Mã chỉ tiêu",
        "Chỉ tiêu",
        "Đơn vị",
        "Năm",
        "Giá trị",
        "Tử số",
        "Mẫu số",
        "Nguồn",
        "Ghi chú",
        "Trạng thái",
    ]
    assert ws["K1"].value == "Số liệu gần nhất (tham khảo)"
    asked = lang_son.rows_of("Sở Y tế")
    assert ws.max_row == len(asked) + 1
    got = [(ws[f"A{r}"].value, ws[f"D{r}"].value) for r in range(2, ws.max_row + 1)]
    assert got == [(r.id, r.year) for r in asked]
    ids = {r.id for r in asked}
    assert ids == {"M3.CT3", "M3.CT4", "M4.CT1", "M4.CT2", "M4.CT3", "M4.CT4"}
    assert all((i, 2026) in got for i in ids)  # the report year for every indicator
    assert ws["C2"].value == "%"
    assert all(ws[f"K{r}"].value for r in range(2, ws.max_row + 1))


def test_validation_rules_locked_cells_and_hidden_block(written):
    path = written["Sở Y tế"]
    wb = openpyxl.load_workbook(path)
    ws = wb["Số liệu"]
    share = row_of(path, "M3.CT3", 2026)
    rate = row_of(path, "M4.CT2", 2026)
    count = row_of(path, "M4.CT4", 2026)
    rules = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in range(rng.min_row, rng.max_row + 1):
                for col in range(rng.min_col, rng.max_col + 1):
                    rules[f"{openpyxl.utils.get_column_letter(col)}{row}"] = dv
    v = rules[f"E{share}"]
    assert (v.type, v.operator, v.formula1, v.formula2) == ("decimal", "between", "0", "100")
    assert v.showErrorMessage and v.errorStyle == "stop"
    v = rules[f"E{rate}"]
    assert (v.type, v.operator, v.formula1) == ("decimal", "greaterThanOrEqual", "0")
    v = rules[f"E{count}"]
    assert (v.type, v.operator, v.formula1) == ("whole", "greaterThanOrEqual", "0")
    v = rules[f"J{share}"]
    assert v.type == "list" and v.formula1 == '"Chính thức,Sơ bộ,Ước tính"'
    assert rules[f"G{share}"].operator == "greaterThan"  # a denominator above 0
    assert f"F{count}" not in rules  # a count has no numerator
    # locks: the sheet is protected without a password; only the input cells are open
    assert ws.protection.sheet and not ws.protection.password
    for col in "EFGHIJ":
        assert ws[f"{col}{share}"].protection.locked is False
    for col in "ABCDK":
        assert ws[f"{col}{share}"].protection.locked is True
    assert ws[f"F{count}"].protection.locked is True  # greyed, not an input
    assert wb["Hướng dẫn"].protection.sheet
    assert wb.security.lockStructure  # the hidden sheet cannot be unhidden or removed
    # the hidden block names everything the reader needs
    meta = wb[fio.META_SHEET]
    assert meta.sheet_state == "veryHidden"
    values = {r[0]: r[1] for r in meta.iter_rows(values_only=True) if r[0]}
    assert values[fio.FORM_MARK] == fio.FORM_VERSION
    assert values["province"] == "Lạng Sơn" and values["province_code"] == "20"
    assert values["agency"] == "Sở Y tế" and values["year"] == "2026"
    assert values["form_id"] == "BDG-20-2026-so-y-te-20261210"
    lines = [r for r in meta.iter_rows(values_only=True) if isinstance(r[0], int)]
    assert (share, "M3.CT3", 2026, "share", 0, 100, 100) in [tuple(r[:7]) for r in lines]


def test_binary_indicator_takes_0_or_1(written):
    path = written["Sở Giáo dục và Đào tạo"]
    ws = openpyxl.load_workbook(path)["Số liệu"]
    r = row_of_sheet(ws, "M5.CT1", 2026)
    (dv,) = [d for d in ws.data_validations.dataValidation if f"E{r}" in d.sqref]
    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("whole", "between", "0", "1")


def row_of_sheet(ws, indicator: str, year: int) -> int:
    return next(
        r
        for r in range(2, ws.max_row + 1)
        if ws[f"A{r}"].value == indicator and ws[f"D{r}"].value == year
    )


def test_text_is_never_a_formula(observations, tmp_path):
    asked = forms.plan_round(
        "Lạng Sơn", 2026, observations, today=TODAY, contact="=HYPERLINK(1)", return_to="+1"
    )
    path = forms.write_form(asked, "Sở Tài chính", tmp_path / "f.xlsx")
    ws = openpyxl.load_workbook(path)["Hướng dẫn"]
    cells = [c for row in ws.iter_rows() for c in row if c.value in ("=HYPERLINK(1)", "+1")]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)


def test_english_form_keeps_the_contract_header_and_reads_back(observations, tmp_path):
    asked = forms.plan_round("Lạng Sơn", 2026, observations, today=TODAY)
    path = forms.write_form(asked, "Sở Tài chính", tmp_path / "en.xlsx", lang="en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Instructions", "Data", fio.META_SHEET]
    assert [wb["Data"].cell(1, c).value for c in range(1, 11)] == list(fio.COLUMNS)
    filled = fill(path, tmp_path / "en-filled.xlsx", {("M2.CT3", 2026): {"E": 28, "J": "Estimate"}})
    got = fio.read_form(filled)
    assert got.rows[["indicator", "value", "status"]].values.tolist() == [
        ["M2.CT3", "28", "estimate"]
    ]


# ---------------------------------------------------------------- reading a return


def test_round_trip_lang_son_2026_values_official_with_the_agency(written, tmp_path):
    form = written["Sở Y tế"]
    cover_date = fio.read_form(form).meta.cells["return_date"]
    filled = fill(
        form,
        tmp_path / "so-y-te-tra-loi.xlsx",
        {
            ("M4.CT1", 2026): {"E": 112.4, "F": 5620, "G": 5000, "H": "Báo cáo thống kê y tế"},
            ("M4.CT1", 2025): {"E": 113.1, "F": 5655, "G": 5000, "J": "Sơ bộ"},
            ("M3.CT3", 2026): {"E": "41,5%"},  # typed as text, as departments do
            ("M4.CT4", 2026): {"E": 1},
            ("M4.CT3", 2026): {"I": "chưa điều tra năm 2026"},  # no figure, and why
        },
        cover={cover_date: dt.datetime(2026, 12, 8)},
    )
    got = fio.read_form(filled, province="Lang Son", year=2026)
    assert got.problems == [] and got.flags == []
    assert got.returned == dt.date(2026, 12, 8) and got.returned_from == "cover"
    rows = got.rows.set_index(["indicator", "year"])
    assert rows.loc[("M4.CT1", "2026"), "value"] == "112.4"
    assert rows.loc[("M4.CT1", "2026"), "status"] == "official"
    assert rows.loc[("M4.CT1", "2026"), "numerator"] == "5620"
    assert rows.loc[("M4.CT1", "2026"), "denominator"] == "5000"
    assert rows.loc[("M4.CT1", "2025"), "status"] == "provisional"
    assert rows.loc[("M3.CT3", "2026"), "value"] == "41.5"
    assert rows.loc[("M4.CT3", "2026"), "value"] == ""
    assert rows.loc[("M4.CT3", "2026"), "note"] == "chưa điều tra năm 2026"
    source = form_sources.parse_source(rows.loc[("M4.CT1", "2026"), "source"])
    assert source == form_sources.FormSource(
        "Sở Y tế", "BDG-20-2026-so-y-te-20261210", dt.date(2026, 12, 8), "Báo cáo thống kê y tế"
    )
    where = rows.loc[("M4.CT1", "2026")]
    assert where["source_file"] == "so-y-te-tra-loi.xlsx:Số liệu"
    assert where["source_cell"] == f"E{row_of(form, 'M4.CT1', 2026)}"
    assert len(got.unanswered) == len(fio.read_form(form).meta.rows) - 5

    # the tidy rows pass today's validation, 'bdg validate' and 'bdg import' as they are
    checked = validate.check(got.tidy())
    assert checked.ok, checked.problems
    tidy = tmp_path / "tra-loi.csv"
    bio.write_tidy_csv(got.tidy(), tidy)
    assert cli.main(["validate", str(tidy)]) == 0
    data = tmp_path / "observations.csv"
    shutil.copy(HERE.parent / "data" / "observations.csv", data)
    assert cli.main(["import", str(tidy), "--out", str(data)]) == 2  # demo values differ
    assert cli.main(["import", str(tidy), "--out", str(data), "--revise"]) == 0

    # a report built on the merged data sees the agency's figures as official, not demo
    ctx = scorecard.Context(dataset.load(data))
    srb = ctx.rows("Lạng Sơn", "M4.CT1", 2026).set_index("year")
    assert srb.loc[2026, "value"] == pytest.approx(112.4)
    assert srb.loc[2026, "status"] == "official"
    assert srb.loc[2025, "status"] == "provisional"
    assert srb.loc[2024, "status"] == "demo"
    assert form_sources.parse_source(srb.loc[2026, "source"]).agency == "Sở Y tế"
    history = read_history(data)  # the demo value the return replaced is kept
    assert history[["change", "indicator", "year", "old_status"]].values.tolist() == [
        ["revised", "M4.CT1", "2025", "demo"]
    ]
    assert cli.main(["import", str(tidy), "--out", str(data)]) == 0  # twice: nothing changes

    # the data notes' line: which values came from which agency's return, on what date
    notes = form_sources.form_returns(dataset.load(data))
    assert notes.to_dict("records") == [
        {
            "agency": "Sở Y tế",
            "form_id": "BDG-20-2026-so-y-te-20261210",
            "returned": dt.date(2026, 12, 8),
            "rows": 4,
            "empty": 1,
            "indicators": "M3.CT3, M4.CT1, M4.CT3, M4.CT4",
            "years": "2025-2026",
        }
    ]
    other = {"source": ["GSO"], "indicator": ["M4.CT1"], "year": [2024], "value": [111.0]}
    assert form_sources.form_returns(pd.DataFrame(other)).empty


def test_a_form_of_another_province_or_year_is_refused(written, tmp_path):
    path = written["Sở Tài chính"]
    with pytest.raises(BdgInputError, match=r"made for province 'Lạng Sơn', not 'Cao Bằng'"):
        fio.read_form(path, province="Cao Bằng", year=2026)
    with pytest.raises(BdgInputError, match=r"report year 2026, not 2025"):
        fio.read_form(path, province="Lạng Sơn", year=2025)
    form = fio.read_form(path)
    with pytest.raises(BdgInputError) as err:
        fio.expect(form.meta, form.file, province="Cao Bằng", year=2025)
    message = str(err.value)
    assert form.meta.form_id in message and "not 'Cao Bằng'" in message and "not 2025" in message


def test_value_typed_around_validation_is_refused_with_file_sheet_cell(written, tmp_path):
    form = written["Sở Y tế"]
    r = row_of(form, "M3.CT3", 2026)
    c = row_of(form, "M4.CT4", 2026)
    filled = fill(
        form,
        tmp_path / "ngoai-khoang.xlsx",
        {
            ("M3.CT3", 2026): {"E": 120},  # a share above 100
            ("M4.CT4", 2026): {"E": 1.5},  # a count that is not whole
            ("M4.CT1", 2026): {"E": "1.234"},  # a thousand, or one point two?
            ("M4.CT2", 2026): {"E": dt.datetime(2026, 10, 12)},  # Excel made it a date
        },
    )
    got = fio.read_form(filled)
    where = [str(p) for p in got.problems]
    assert any(
        w.startswith(f"ngoai-khoang.xlsx:Số liệu:E{r}: Giá trị: 120 is outside the range")
        for w in where
    ), where
    assert any(w.startswith(f"ngoai-khoang.xlsx:Số liệu:E{c}:") and "whole" in w for w in where)
    assert any("thousands separator" in w for w in where)
    assert any("is a date, not a number" in w for w in where)
    assert got.rows.empty  # nothing refused gets into the rows


def test_numerator_and_denominator_disagreeing_beyond_tolerance_are_flagged(written, tmp_path):
    form = written["Sở Y tế"]
    r = row_of(form, "M3.CT3", 2026)
    filled = fill(
        form,
        tmp_path / "tu-so.xlsx",
        {
            ("M3.CT3", 2026): {"E": 41.5, "F": 400, "G": 1000},  # 40.0, not 41.5
            ("M3.CT3", 2025): {"E": 41.5, "F": 4153, "G": 10000},  # 41.53 rounds to 41.5
            ("M4.CT1", 2026): {"E": 112, "F": 5620, "G": 5000},  # 112.4 rounds to 112
            ("M4.CT2", 2026): {"F": 21, "G": 50000},  # value left empty: computed
        },
    )
    got = fio.read_form(filled)
    assert got.problems == []
    flagged = [str(f) for f in got.flags]
    assert len(flagged) == 2, flagged
    assert flagged[0].startswith(f"tu-so.xlsx:Số liệu:E{r}: Giá trị: 41.5 differs from")
    rows = got.rows.set_index(["indicator", "year"])
    assert rows.loc[("M3.CT3", "2026"), "note"].startswith(fio.MISMATCH_NOTE)
    assert rows.loc[("M3.CT3", "2025"), "note"] == ""
    assert rows.loc[("M4.CT2", "2026"), "value"] == "42"  # 21 / 50 000 x 100 000
    assert rows.loc[("M4.CT2", "2026"), "note"].startswith(fio.COMPUTED_NOTE)


@pytest.mark.parametrize(
    ("value", "numerator", "denominator", "scale", "agrees"),
    [
        (41.5, 415, 1000, 100, True),
        (41.5, 4153, 10000, 100, True),  # 41.53: within half of 0.1
        (41.5, 4156, 10000, 100, False),  # 41.56 rounds to 41.6
        (112, 5620, 5000, 100, True),  # 112.4: within half of 1
        (112, 5630, 5000, 100, False),  # 112.6
        (1.6, 33, 20, 1, True),  # 1.65 at the edge
        (45.2, 45, 99558, 100000, True),
    ],
)
def test_the_tolerance_rule(value, numerator, denominator, scale, agrees):
    assert fio.fraction_agrees(value, numerator, denominator, scale) is agrees


def test_scale_from_kind_and_unit():
    scales = {i.id: fio.fraction_scale(i.kind, i.unit_vi) for i in catalogue.indicators()}
    assert scales["M1.CT1"] == 100
    assert scales["M3.CT1"] == 1  # 'lần'
    assert scales["M4.CT1"] == 100  # 'bé trai/100 bé gái'
    assert scales["M4.CT2"] == 100_000  # '/100.000 trẻ đẻ sống'
    assert scales["M4.CT3"] == 1_000  # 'ca sinh/1.000 phụ nữ 15-19 tuổi'
    assert scales["M4.CT4"] is None and scales["M5.CT1"] is None


def test_a_moved_row_is_followed_or_refused(written, tmp_path):
    form = written["Sở Tài chính"]
    wb = openpyxl.load_workbook(form)
    ws = wb["Số liệu"]
    ws.insert_rows(2)  # a department unprotects the sheet and inserts a row
    ws["E8"] = 31.2  # M2.CT3 2026, sent on row 7
    wb.save(tmp_path / "moved.xlsx")
    got = fio.read_form(tmp_path / "moved.xlsx")
    assert got.rows[["indicator", "year", "value"]].values.tolist() == [["M2.CT3", "2026", "31.2"]]
    assert any("came back on row 8" in f.message for f in got.flags)
    ws.delete_rows(8)  # and then deletes the report year's row
    wb.save(tmp_path / "deleted.xlsx")
    got = fio.read_form(tmp_path / "deleted.xlsx")
    assert any("rows were moved, inserted or deleted" in p.message for p in got.problems)


def test_not_one_of_our_forms_is_none_and_a_damaged_block_is_refused(written, tmp_path):
    assert fio.read_form(FIXTURES / "io_form.xlsx") is None
    assert fio.read_form(FIXTURES / "tidy_good.csv") is None
    assert not fio.is_form(FIXTURES / "io_form.xlsx")
    assert fio.is_form(written["Sở Tài chính"])
    wb = openpyxl.load_workbook(written["Sở Tài chính"])
    meta = wb[fio.META_SHEET]
    for row in meta.iter_rows():
        if row[0].value == "province_code":
            row[1].value = None
    wb.save(tmp_path / "damaged.xlsx")
    with pytest.raises(BdgInputError, match="hidden block is damaged"):
        fio.read_form(tmp_path / "damaged.xlsx")
    meta["B1"] = fio.FORM_VERSION + 1
    wb.save(tmp_path / "newer.xlsx")
    with pytest.raises(BdgInputError, match="newer bdg-analysis"):
        fio.read_form(tmp_path / "newer.xlsx")


def test_source_text_round_trips_and_other_sources_are_not_forms():
    text = form_sources.source_text("Sở Y tế", "BDG-20-2026-so-y-te-20261210", dt.date(2026, 12, 8))
    assert text == "Sở Y tế (biểu BDG-20-2026-so-y-te-20261210, nhận 2026-12-08)"
    assert form_sources.parse_source(text).returned == dt.date(2026, 12, 8)
    assert form_sources.parse_source("GSO, PX-Web E02.08") is None
    assert form_sources.parse_source("") is None


# ---------------------------------------------------------------- validate: the two columns


def test_validate_checks_numerator_and_denominator_when_given():
    frame = pd.DataFrame(
        {
            "province": ["Lạng Sơn"] * 5,
            "indicator": ["M2.CT3", "M2.CT3", "M4.CT4", "M4.CT1", "M4.CT2"],
            "year": ["2021", "2022", "2023", "2024", "2025"],
            "value": ["30", "30", "1", "110", "40"],
            "numerator": ["30", "-1", "1", "5500", "abc"],
            "denominator": ["100", "0", "1", "", "50000"],
            "source_file": "f.csv",
            "source_row": [2, 3, 4, 5, 6],
        }
    )
    problems, bad = validate.check_fractions(frame)
    assert bad.tolist() == [False, True, True, True, True]
    text = [str(p) for p in problems]
    assert "f.csv:3: numerator: must be 0 or more" in text
    assert any(t.startswith("f.csv:4: numerator: only shares, ratios and rates") for t in text)
    assert any(
        t.startswith("f.csv:5: denominator: numerator and denominator come in") for t in text
    )
    assert "f.csv:6: numerator: 'abc' is not a number" in text
    empty, none = validate.check_fractions(frame.drop(columns=["numerator", "denominator"]))
    assert empty == [] and not none.any()
    assert isinstance(bad, np.ndarray)


# ---------------------------------------------------------------- the command


def test_bdg_form_writes_the_round(tmp_path, capsys):
    code = cli.main(
        [
            "form",
            "--province",
            "Lang Son",
            "--year",
            "2026",
            "--out",
            str(tmp_path),
            "--today",
            "2026-11-20",
            "--data",
            str(FIXTURES / "forms_history.csv"),
        ]
    )
    assert code == 0
    out = capsys.readouterr()
    assert "lang-son-2026-so-y-te.xlsx: Sở Y tế" in out.out
    assert "hạn nộp 10/12/2026" in out.err  # the form is Vietnamese, so is the message
    assert len(list(tmp_path.glob("*.xlsx"))) == 6
    assert cli.main(["form", "--province", "Hà Tây", "--year", "2026", "--out", str(tmp_path)]) == 2
    assert (
        cli.main(["form", "--province", "Lạng Sơn", "--year", "2026", "--today", "20/11/2026"]) == 2
    )


def test_as_table_is_what_validate_and_import_take(written, tmp_path):
    form = written["Sở Tài chính"]
    r = row_of(form, "M2.CT3", 2026)
    filled = fill(
        form,
        tmp_path / "tc.xlsx",
        {("M2.CT3", 2026): {"E": 30.5, "F": 60, "G": 200}, ("M2.CT3", 2025): {"E": 101}},
    )
    table = fio.read_form(filled).as_table()
    assert table.file == "tc.xlsx" and not table.canonical
    assert "BDG-20-2026-so-tai-chinh-20261210" in table.inferred["layout"]
    assert f"tc.xlsx:Số liệu:E{r}" in table.inferred["flagged"]  # 60 / 200 = 30, not 30.5
    assert [p.column for p in table.problems] == ["Giá trị"]  # 101 % refused
    assert "numerator" not in table.frame.columns
    assert validate.check(table.frame).ok
    kept = fio.read_form(filled).as_table(fractions=True).frame
    assert kept[["numerator", "denominator"]].values.tolist() == [["60", "200"]]


def test_every_reader_takes_a_returned_form_with_its_flags_as_warnings(written, tmp_path):
    form = written["Sở Tài chính"]
    r = row_of(form, "M2.CT3", 2026)
    filled = fill(form, tmp_path / "tc.xlsx", {("M2.CT3", 2026): {"E": 30.5, "F": 60, "G": 200}})
    table = bio.read(filled)
    assert bio.registry.find(filled).name == "collection form"
    assert [str(w).split(": ")[0] for w in table.warnings] == [f"tc.xlsx:Số liệu:E{r}"]
    assert table.frame[["numerator", "denominator"]].values.tolist() == [["60", "200"]]
    assert table.inferred["round"] == "Lạng Sơn 2026"
    loaded = importer.check_paths([filled])
    assert loaded.ok and len(loaded.warnings) == 1  # the form's flag, not twice
    assert loaded.checked.observations["numerator"].tolist() == [60.0]
    # a department's own workbook is not claimed: the plain workbook reader reads it
    assert bio.registry.find(FIXTURES / "io_form.xlsx").name == "Excel workbook"


def test_a_form_returned_without_any_value_says_so(written):
    with pytest.raises(BdgInputError, match=r"has no value filled in yet \(\d+ row\(s\) to fill\)"):
        bio.read(written["Sở Tài chính"])
