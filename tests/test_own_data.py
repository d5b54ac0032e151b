"""A province's own figures beside the embedded data: returned forms through every reader,
`--data` repeated and layered over the embedded data, the provenance of every file (issue 13)."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from bdg_analysis import batch, cli, dataset, geo, paths, report, runner, scorecard
from bdg_analysis import io as bio
from bdg_analysis.errors import BdgInputError
from bdg_analysis.io import form_sources
from bdg_analysis.io import forms as fio

FIXTURES = Path(__file__).parent / "fixtures"
EMBEDDED = paths.default_data_file()
HEADER = "province,indicator,year,value,sex,source,note,status\n"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fill(path: Path, out: Path, answers: dict, cover: dict | None = None) -> Path:
    """Fill a form as a department does in Excel (openpyxl ignores validation and locks)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Số liệu"]
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


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def forms_dir(tmp_path_factory) -> Path:
    """The Lạng Sơn 2026 round as `bdg form` writes it."""
    out = tmp_path_factory.mktemp("round") / "bieu"
    code = cli.main(
        [
            "form",
            "--province",
            "Lạng Sơn",
            "--year",
            "2026",
            "--out",
            str(out),
            "--today",
            "2026-11-20",
        ]
    )
    assert code == 0
    return out


@pytest.fixture(scope="module")
def returned(forms_dir, tmp_path_factory) -> Path:
    """Two departments' returns, filled as they fill them."""
    folder = tmp_path_factory.mktemp("tra-ve")
    health = forms_dir / "lang-son-2026-so-y-te.xlsx"
    date_cell = fio.read_form(health).meta.cells["return_date"]
    fill(
        health,
        folder / "so-y-te.xlsx",
        {
            ("M4.CT1", 2026): {"E": 109.2, "F": 5460, "G": 5000, "H": "Báo cáo thống kê y tế"},
            ("M4.CT1", 2025): {"E": 109.9, "F": 5495, "G": 5000},
            ("M3.CT3", 2025): {"E": 80, "F": 40, "G": 50},
            ("M4.CT3", 2026): {"I": "chưa điều tra năm 2026"},
        },
        cover={date_cell: dt.datetime(2026, 12, 8)},
    )
    finance = forms_dir / "lang-son-2026-so-tai-chinh.xlsx"
    fill(
        finance,
        folder / "so-tai-chinh.xlsx",
        {("M2.CT3", 2025): {"E": 33.5, "F": 67, "G": 200}},
        cover={fio.read_form(finance).meta.cells["return_date"]: dt.datetime(2026, 12, 5)},
    )
    return folder


@pytest.fixture(scope="module")
def imported(returned, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("du-lieu") / "lang-son.csv"
    code = cli.main(
        ["import", str(returned), "--out", str(out), "--province", "Lạng Sơn", "--year", "2026"]
    )
    assert code == 0
    return out


# ---------------------------------------------------------------- returned forms, every reader


def test_a_returned_form_is_read_by_the_registered_reader(returned, capsys):
    table = bio.read(returned / "so-y-te.xlsx")
    assert "collection form" in table.inferred["layout"]
    frame = table.frame.set_index(["indicator", "year"])
    assert frame.loc[("M4.CT1", "2026"), "numerator"] == "5460"
    assert frame.loc[("M4.CT1", "2026"), "denominator"] == "5000"
    assert frame.loc[("M4.CT1", "2026"), "source_file"] == "so-y-te.xlsx:Số liệu"
    # bdg validate reads the same form, numerator and denominator included
    assert cli.main(["validate", str(returned)]) == 0
    assert capsys.readouterr().out.startswith("OK: 5 rows")


def test_import_keeps_numerator_denominator_agency_and_date(imported):
    rows = pd.read_csv(imported, dtype=str, keep_default_na=False)
    assert list(rows.columns) == [*bio.TIDY_COLUMNS, "numerator", "denominator"]
    srb = rows.set_index(["indicator", "year"]).loc[("M4.CT1", "2026")]
    assert (srb["value"], srb["numerator"], srb["denominator"]) == ("109.2", "5460", "5000")
    assert srb["status"] == "official"
    source = form_sources.parse_source(srb["source"])
    assert (source.agency, source.returned) == ("Sở Y tế", dt.date(2026, 12, 8))
    empty = rows.set_index(["indicator", "year"]).loc[("M4.CT3", "2026")]
    assert empty["value"] == "" and empty["note"] == "chưa điều tra năm 2026"
    # the written file reads back with its numbers numeric
    assert pd.read_csv(imported)["numerator"].dtype.kind == "f"


def test_a_form_of_another_province_or_year_is_refused(returned, tmp_path, capsys):
    out = tmp_path / "x.csv"
    form = str(returned / "so-y-te.xlsx")
    assert cli.main(["import", form, "--out", str(out), "--province", "Cao Bằng"]) == 2
    said = capsys.readouterr()
    assert (
        "so-y-te.xlsx: " in said.out and "made for province 'Lạng Sơn', not 'Cao Bằng'" in said.out
    )
    assert "Traceback" not in said.err
    assert cli.main(["import", form, "--out", str(out), "--year", "2025"]) == 2
    assert "report year 2026, not 2025" in capsys.readouterr().out
    assert not out.exists()
    with pytest.raises(BdgInputError, match="not 'Cao Bằng'"):
        bio.read(form, province="Cao Bằng")


def test_forms_of_two_rounds_read_together_are_refused(forms_dir, returned, tmp_path, capsys):
    other = tmp_path / "other-round"
    other.mkdir()
    shutil.copy(returned / "so-y-te.xlsx", other / "so-y-te.xlsx")
    written = tmp_path / "bieu-cao-bang"
    assert (
        cli.main(
            ["form", "--province", "Cao Bằng", "--year", "2026", "--out", str(written)]
            + ["--today", "2026-11-20"]
        )
        == 0
    )
    capsys.readouterr()
    form = sorted(written.glob("*.xlsx"))[0]
    first = fio.read_form(form).meta.rows[0]
    fill(form, other / "cao-bang.xlsx", {(first.indicator, first.year): {"I": "chưa có số liệu"}})
    out = tmp_path / "mixed.csv"
    assert cli.main(["import", str(other), "--out", str(out)]) == 2
    text = capsys.readouterr().out
    assert "cao-bang.xlsx: returned form of the round 'Cao Bằng 2026'" in text
    assert "so-y-te.xlsx: returned form of the round 'Lạng Sơn 2026'" in text
    assert "--province and --year" in text and not out.exists()
    # the year stated, the provinces still differ
    assert cli.main(["import", str(other), "--out", str(out), "--year", "2026"]) == 2
    assert "returned form of the round 'Cao Bằng 2026'" in capsys.readouterr().out
    # the province stated: the other province's form is refused as such
    assert cli.main(["import", str(other), "--out", str(out), "--province", "Lạng Sơn"]) == 2
    said = capsys.readouterr().out
    assert "made for province 'Cao Bằng', not 'Lạng Sơn'" in said and "round 'Lạng" not in said


def test_a_value_typed_around_excels_validation_is_refused_on_import(forms_dir, tmp_path, capsys):
    health = forms_dir / "lang-son-2026-so-y-te.xlsx"
    r = row_of(health, "M3.CT3", 2026)
    filled = fill(health, tmp_path / "ngoai-khoang.xlsx", {("M3.CT3", 2026): {"E": 120}})
    out = tmp_path / "x.csv"
    assert cli.main(["import", str(filled), "--out", str(out)]) == 2
    text = capsys.readouterr().out
    assert f"ngoai-khoang.xlsx:Số liệu:E{r}: Giá trị: 120 is outside the range" in text
    assert not out.exists()
    assert cli.main(["validate", str(filled)]) == 2  # validate says the same
    assert f"ngoai-khoang.xlsx:Số liệu:E{r}" in capsys.readouterr().out


def test_numerator_and_denominator_disagreeing_are_flagged_on_import(forms_dir, tmp_path, capsys):
    health = forms_dir / "lang-son-2026-so-y-te.xlsx"
    r = row_of(health, "M3.CT3", 2026)
    filled = fill(
        health, tmp_path / "tu-so.xlsx", {("M3.CT3", 2026): {"E": 41.5, "F": 400, "G": 1000}}
    )
    out = tmp_path / "x.csv"
    assert cli.main(["import", str(filled), "--out", str(out)]) == 0  # kept, flagged
    err = capsys.readouterr().err
    assert f"warning: tu-so.xlsx:Số liệu:E{r}: Giá trị: 41.5 differs from" in err
    kept = pd.read_csv(out, dtype=str, keep_default_na=False).iloc[0]
    assert kept["value"] == "41.5" and kept["note"].startswith(fio.MISMATCH_NOTE)
    assert (kept["numerator"], kept["denominator"]) == ("400", "1000")


def test_a_tidy_file_whose_value_its_parts_do_not_give_is_warned_about(tmp_path, capsys):
    data = tmp_path / "own.csv"
    data.write_text(
        HEADER.rstrip("\n") + ",numerator,denominator\n"
        "Lạng Sơn,M3.CT3,2025,41.5,,Sở Y tế,,official,400,1000\n"
        "Lạng Sơn,M3.CT3,2024,41.5,,Sở Y tế,,official,4153,10000\n",
        encoding="utf-8",
    )
    assert cli.main(["validate", str(data)]) == 0
    err = capsys.readouterr().err
    assert "warning: own.csv:2: value: 41.5 differs from numerator / denominator x 100 = 40" in err
    assert "own.csv:3" not in err  # 41.53 rounds to 41.5: within the stated tolerance


# ---------------------------------------------------------------- layers over the embedded data


def test_layer_files_put_the_embedded_data_underneath(tmp_path):
    own = _write(tmp_path / "own.csv", ["Lạng Sơn,M4.CT1,2024,108.8,,Sở Y tế,,official"])
    assert dataset.layer_files(None, embedded=True) is None
    assert dataset.layer_files(own) == [str(own)]
    assert dataset.layer_files([own], embedded=True) == [str(EMBEDDED), str(own)]
    # the embedded file given as data is not laid twice
    assert dataset.layer_files([EMBEDDED, own], embedded=True) == [str(EMBEDDED), str(own)]


def test_a_later_file_wins_and_every_file_keeps_its_rows(tmp_path):
    first = _write(tmp_path / "a.csv", ["Lạng Sơn,M4.CT1,2024,108.8,,A,,official"])
    second = _write(tmp_path / "b.csv", ["Lạng Sơn,M4.CT1,2024,107.5,,B,,provisional"])
    layered = dataset.load_inputs(dataset.layer_files([first, second], embedded=True))
    mine = layered[(layered["province"] == "Lạng Sơn") & (layered["indicator"] == "M4.CT1")]
    cell = mine[mine["year"] == 2024].iloc[0]
    assert cell["value"] == 107.5 and cell["source_file"].endswith("b.csv")
    assert (layered["province"] == "Toàn quốc").sum() == (
        dataset.load()["province"] == "Toàn quốc"
    ).sum()
    again = dataset.load_inputs(dataset.layer_files([second, first], embedded=True))
    swapped = again[(again["province"] == "Lạng Sơn") & (again["indicator"] == "M4.CT1")]
    assert swapped.loc[swapped["year"] == 2024, "value"].item() == 108.8


def test_no_embedded_gives_the_files_alone_as_before(imported):
    alone = dataset.load_inputs(dataset.layer_files([imported], embedded=False))
    pd.testing.assert_frame_equal(alone, dataset.load(imported))
    assert set(alone["province"]) == {"Lạng Sơn"}


def test_prepare_on_own_data_keeps_the_nation_and_the_ranks(imported):
    rep = report.prepare(
        "Lạng Sơn", year=2026, data=[str(imported)], embedded=True, run_date="2026-12-15"
    )
    assert rep.data_layers == [
        paths.display_path(EMBEDDED),
        paths.display_path(imported),
    ]
    views = {v.id: v for v in rep.views}
    srb = views["M4.CT1"].rows.set_index("year")
    assert srb.loc[2026, "value"] == pytest.approx(109.2)
    assert srb.loc[2026, "status"] == "official" and srb.loc[2024, "status"] == "demo"
    assert len(views["M4.CT1"].national) > 5  # the national series is still there
    share = views["M2.CT3"]  # the department's 2025 figure, ranked among every province
    assert share.rows.set_index("year").loc[2025, "status"] == "official"
    assert share.rank[1] == 34
    # without the embedded data: alone, so no rank (1 of 34 provinces is below the coverage a
    # rank needs) and no nation
    alone = report.prepare("Lạng Sơn", year=2026, data=str(imported), run_date="2026-12-15")
    alone_views = {v.id: v for v in alone.views}
    assert alone_views["M2.CT3"].rank == (None, 1)
    assert alone_views["M4.CT1"].national.empty
    assert alone.data_layers == [paths.display_path(imported)]


# ---------------------------------------------------------------- the command, end to end


@pytest.mark.notebook
def test_bdg_report_on_a_returned_form_shows_official_values_agency_and_ranks(
    imported, tmp_path, capsys
):
    out = tmp_path / "reports"
    args = ["report", "--province", "Lạng Sơn", "--year", "2026", "--data", str(imported)]
    code = cli.main([*args, "--run-date", "2026-12-15", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    page = nfc((out / "lang-son-2026-vi.html").read_text(encoding="utf-8"))
    meta = re.search(r'<meta name="bdg-provenance" content="([^"]*)">', page)
    record = json.loads(html.unescape(meta.group(1)))
    names = [i["name"] for i in record["inputs"] if i["role"] == "data"]
    assert names == [paths.display_path(EMBEDDED), paths.display_path(imported)]
    assert all(len(i["sha256"]) == 64 for i in record["inputs"])
    assert record["parameters"]["embedded"] is True
    assert record["parameters"]["data"] == paths.display_path(imported)
    notes = page[page.index('id="data-notes"') :]
    assert "Sở Y tế, gửi ngày 08/12/2026 (biểu BDG-20-2026-so-y-te-20261210)" in notes
    assert "Sở Tài chính, gửi ngày 05/12/2026" in notes
    assert f"{paths.display_path(imported)}: 4 giá trị" in notes  # 4 figures shown
    assert "Các tệp được xếp chồng theo thứ tự" in notes
    comparison = page[page.index('id="comparison"') : page.index('id="accountability"')]
    m2 = re.search(r"M2\.CT3</span>.*?</tr>", comparison, flags=re.S).group(0)
    ranked = r'>\d+<br/><span class="coverage">\d+/34 tỉnh có số liệu năm 2025<'
    assert "33,5 (2025)" in m2 and re.search(ranked, m2)
    assert "Toàn quốc" in page and str(tmp_path) not in page
    # the value from the return is official, not demo: no demo flag beside it
    status = page[page.index('id="summary"') : page.index('id="goal-1"')]
    srb = re.search(r"M4\.CT1</span>.*?</tr>", status, flags=re.S).group(0)
    assert "109,2" in srb and "flag-demo" not in srb


def test_report_data_reach_the_notebook_as_json_simple_parameters(imported, tmp_path, monkeypatch):
    calls = []

    def render(notebook, parameters, *, name, lang, provenance, timeout=600, engine_options=None):
        calls.append((parameters, provenance))
        return runner.Rendered(html="<p>x</p>", meta={}, year=2026, title="x", timings={})

    monkeypatch.setattr(runner, "render", render)
    extra = _write(tmp_path / "extra.csv", ["Lạng Sơn,M4.CT1,2024,108.8,,A,,official"])
    code = cli.main(
        ["report", "--province", "Lạng Sơn", "--data", str(imported), "--data", str(extra)]
        + ["--out", str(tmp_path / "out"), "--year", "2026"]
    )
    assert code == 0
    parameters, record = calls[-1]
    assert parameters["data"] == [str(imported), str(extra)] and parameters["embedded"] is True
    json.dumps(parameters)  # papermill needs JSON-simple values
    assert record["parameters"]["data"] == (
        f"{paths.display_path(imported)}; {paths.display_path(extra)}"
    )
    assert [i["name"] for i in record["inputs"] if i["role"] == "data"] == [
        paths.display_path(EMBEDDED),
        paths.display_path(imported),
        paths.display_path(extra),
    ]
    code = cli.main(
        ["report", "--province", "Lạng Sơn", "--data", str(imported), "--no-embedded"]
        + ["--out", str(tmp_path / "out"), "--year", "2026"]
    )
    assert code == 0
    parameters, record = calls[-1]
    assert parameters["data"] == str(imported) and "embedded" not in parameters
    assert [i["name"] for i in record["inputs"] if i["role"] == "data"] == [
        paths.display_path(imported)
    ]


def test_no_embedded_without_data_and_own_data_of_another_province_exit_2(
    imported, tmp_path, capsys
):
    assert cli.main(["report", "--province", "Lạng Sơn", "--no-embedded"]) == 2
    assert "--no-embedded needs at least one --data file" in capsys.readouterr().err
    code = cli.main(
        ["report", "--province", "Hà Nội", "--data", str(imported), "--out", str(tmp_path)]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "no rows for Hà Nội" in err and len(err.strip().splitlines()) == 1


def test_run_all_jobs_warm_up_and_provenance_carry_every_file(imported):
    jobs, _ = batch.plan_jobs(
        provinces=["Lạng Sơn"], data=[imported], embedded=True, national=True, kernel="spawn"
    )
    for job in jobs:
        assert job.parameters["data"] == str(imported) and job.parameters["embedded"] is True
        names = [i["name"] for i in job.provenance["inputs"] if i["role"] == "data"]
        assert names == [paths.display_path(EMBEDDED), paths.display_path(imported)]
    assert json.loads(jobs[0].warm_up) == {
        "data": str(imported),
        "embedded": True,
        "lang": "vi",
        "year": None,
    }
    alone, _ = batch.plan_jobs(provinces=["Lạng Sơn"], data=imported, national=False)
    assert "embedded" not in alone[0].parameters
    assert alone[0].fingerprint != jobs[-1].fingerprint
    default, _ = batch.plan_jobs(provinces=["Lạng Sơn"], national=False)
    assert default[0].parameters["data"] is None and "embedded" not in default[0].parameters
    assert json.loads(default[0].warm_up) == {"data": None, "lang": "vi", "year": None}


def test_the_warm_up_builds_the_context_the_kernel_asks_for(imported, monkeypatch):
    monkeypatch.setattr(scorecard, "_WARM", {})
    monkeypatch.setattr(scorecard.Context, "pooled", lambda self, *a, **k: None)
    scorecard.bdg_warm_up({"data": str(imported), "embedded": True, "year": 2026})
    layers = dataset.layer_files(str(imported), embedded=True)
    assert scorecard.load_context(layers) is next(iter(scorecard._WARM.values()))
    assert scorecard.load_context(str(imported)) is not next(iter(scorecard._WARM.values()))


def test_check_inputs_reads_the_layers_and_lists_every_file(imported):
    place = geo.resolve("Lạng Sơn").province
    inputs = runner.check_inputs([imported], province=place, year=2026, embedded=True)
    assert inputs.files == (EMBEDDED, imported)
    assert inputs.first_year < 2025 and inputs.last_year == 2026  # the years of every layer
    alone = runner.check_inputs([imported], province=place, year=2026)
    assert alone.files == (imported,) and alone.first_year == 2025
