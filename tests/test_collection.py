"""The round's state: received, missing, refused, flagged, days to the deadline; the page."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from bdg_analysis import cli, collection, dataset, forms
from bdg_analysis import io as bio
from bdg_analysis.io import form_sources
from bdg_analysis.io import forms as fio

FIXTURES = Path(__file__).parent / "fixtures"
HISTORY = FIXTURES / "forms_history.csv"
TODAY = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return dataset.load(HISTORY)


@pytest.fixture(scope="module")
def blank(history, tmp_path_factory) -> dict[str, Path]:
    asked = forms.plan_round("Lạng Sơn", 2026, history, today=dt.date(2026, 11, 20))
    out = tmp_path_factory.mktemp("blank")
    return dict(zip(asked.agencies, forms.write_forms(asked, out), strict=True))


def fill(path: Path, out: Path, answers: dict, returned: dt.date | None = None) -> Path:
    wb = openpyxl.load_workbook(path)
    ws = wb["Số liệu"]
    for r in range(2, ws.max_row + 1):
        for column, value in answers.get((ws[f"A{r}"].value, ws[f"D{r}"].value), {}).items():
            ws[f"{column}{r}"] = value
    if returned is not None:
        ref = fio.read_form(path).meta.cells["return_date"]
        wb["Hướng dẫn"][ref] = dt.datetime.combine(returned, dt.time())
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


@pytest.fixture(scope="module")
def returns(blank, tmp_path_factory) -> Path:
    """A folder as the Home Affairs officer keeps it: the health department's return, a
    workbook that is not a form, and a form of another province."""
    folder = tmp_path_factory.mktemp("returns")
    fill(
        blank["Sở Y tế"],
        folder / "so-y-te.xlsx",
        {
            ("M4.CT1", 2026): {"E": 110.5, "F": 5525, "G": 5000},  # in line with the series
            ("M4.CT1", 2024): {"E": 110.9},  # the provisional figure, now official
            ("M4.CT2", 2026): {"E": 41.5, "F": 21, "G": 50000, "J": "Sơ bộ"},  # 42, not 41.5
            ("M4.CT3", 2026): {"I": "Chưa điều tra năm 2026"},
            ("M3.CT3", 2026): {"E": 120},  # typed around the validation
            ("M4.CT4", 2026): {"E": 1},
        },
        returned=dt.date(2026, 12, 4),
    )
    (folder / "bang-tinh-rieng.xlsx").write_bytes((FIXTURES / "io_form.xlsx").read_bytes())
    other = forms.plan_round("Cao Bằng", 2026, dataset.load(HISTORY), today=TODAY)
    forms.write_form(other, "Sở Nội vụ", folder / "cao-bang.xlsx")
    return folder


@pytest.fixture(scope="module")
def state(returns) -> collection.RoundState:
    return collection.collect("Lạng Sơn", 2026, [HISTORY], forms_dir=[returns], today=TODAY)


def items(state: collection.RoundState, agency: str) -> dict[tuple[str, int], collection.Item]:
    part = next(a for a in state.agencies if a.agency == agency)
    return {(i.indicator, i.year): i for i in part.items}


def test_counts_per_agency_and_days_left(state):
    assert state.deadline == dt.date(2026, 12, 10) and state.days_left == 10
    health = next(a for a in state.agencies if a.agency == "Sở Y tế")
    counts = health.counts()
    assert counts["received"] == 4  # M4.CT1 2024 and 2026, M4.CT2 2026, M4.CT4 2026
    assert counts["no_figure"] == 1 and counts["refused"] == 1
    assert counts["asked"] == counts["received"] + 1 + 1 + counts["missing"]
    assert health.returned == dt.date(2026, 12, 4)
    assert health.form_id == "BDG-20-2026-so-y-te-20261210"
    finance = next(a for a in state.agencies if a.agency == "Sở Tài chính")
    assert finance.returned is None and finance.counts()["received"] == 0
    asked = items(state, "Sở Tài chính")
    assert ("M2.CT3", 2024) not in asked  # held as official before the round: not asked
    assert sorted(y for _, y in asked) == [2021, 2022, 2023, 2025, 2026]


def test_refused_flagged_and_no_figure_rows_say_why(state):
    got = items(state, "Sở Y tế")
    refused = got[("M3.CT3", 2026)]
    assert refused.state == "refused"
    assert re.search(r"so-y-te\.xlsx:Số liệu:E\d+$", refused.where)
    assert "120 nằm ngoài khoảng hợp lệ" in refused.flags[0][1]
    rate = got[("M4.CT2", 2026)]
    assert [c for c, _ in rate.flags] == ["provisional", "mismatch"]
    confirmed = got[("M4.CT1", 2024)]
    assert confirmed.state == "received" and confirmed.flags == []  # same figure, now official
    assert got[("M4.CT1", 2026)].flags == []  # in line with its own history
    gap = got[("M4.CT3", 2026)]
    assert gap.state == "no_figure" and gap.note == "Chưa điều tra năm 2026"
    assert got[("M3.CT4", 2026)].state == "missing"


def test_other_files_in_the_folder_are_left_out_and_named(state):
    assert any(name.endswith("bang-tinh-rieng.xlsx") for name in state.ignored)
    assert any("cao-bang.xlsx (Cao Bằng 2026)" in name for name in state.ignored)


def test_a_jump_far_beyond_the_series_history_is_flagged(history):
    smooth = history[history["indicator"] == "M4.CT1"]
    assert collection.jump_z(smooth, 2026, 110.5) is None
    z = collection.jump_z(smooth, 2026, 118.0)
    assert z is not None and z > 3.5
    short = smooth[smooth["year"] >= 2022]  # too few changes to judge
    assert collection.jump_z(short, 2026, 130.0) is None


def test_a_jump_in_a_return_is_flagged(blank, history, tmp_path):
    form = fill(blank["Sở Y tế"], tmp_path / "r" / "y.xlsx", {("M4.CT1", 2026): {"E": 118}})
    state = collection.round_state(
        "Lạng Sơn", 2026, history, returns=[fio.read_form(form)], today=TODAY, lang="en"
    )
    flags = items(state, "Sở Y tế")[("M4.CT1", 2026)].flags
    assert [c for c, _ in flags] == ["jump"]
    assert flags[0][1].startswith("unusual change for the series (|z| = ")


def test_imported_returns_count_as_received_and_the_round_keeps_its_rows(blank, tmp_path):
    form = fill(
        blank["Sở Tài chính"],
        tmp_path / "tc.xlsx",
        {("M2.CT3", 2021): {"E": 24.0}, ("M2.CT3", 2026): {"E": 28.5, "F": 57, "G": 200}},
    )
    got = fio.read_form(form, province="Lạng Sơn", year=2026)
    tidy = tmp_path / "tc.csv"
    bio.write_tidy_csv(got.tidy(), tidy)
    data = tmp_path / "data.csv"
    data.write_bytes(HISTORY.read_bytes())
    assert cli.main(["import", str(tidy), "--out", str(data)]) == 0
    state = collection.collect("Lạng Sơn", 2026, [data], today=dt.date(2026, 12, 12))
    assert state.deadline == dt.date(2026, 12, 10)  # named by the imported rows' form
    assert state.days_left == -2
    finance = items(state, "Sở Tài chính")
    # 2021 was asked because it was missing; now held from this round's return: still listed
    assert finance[("M2.CT3", 2021)].state == "received"
    assert finance[("M2.CT3", 2026)].state == "received"
    assert form_sources.parse_source(finance[("M2.CT3", 2026)].source).agency == "Sở Tài chính"
    assert finance[("M2.CT3", 2022)].state == "missing"


def test_overdue_and_due_today():
    place = collection.geo.resolve("Lạng Sơn").province
    late = collection.RoundState(place, 2026, dt.date(2026, 12, 10), dt.date(2026, 12, 15), "", [])
    assert late.days_left == -5 and "quá hạn 5 ngày" in collection.render_table(late)
    now = collection.RoundState(place, 2026, dt.date(2026, 12, 10), dt.date(2026, 12, 10), "", [])
    assert "hết hạn hôm nay" in collection.render_table(now)


def test_json_is_complete_and_parses(state):
    data = json.loads(collection.render(state, "json"))
    assert data["days_left"] == 10 and data["deadline"] == "2026-12-10"
    health = next(a for a in data["agencies"] if a["agency"] == "Sở Y tế")
    assert health["returned"] == "2026-12-04"
    assert health["counts"]["refused"] == 1
    codes = {f["code"] for i in health["items"] for f in i["flags"]}
    assert {"provisional", "mismatch", "refused"} <= codes


def test_the_page_is_self_contained_escaped_and_printable(returns, tmp_path):
    odd = fill(
        returns / "so-y-te.xlsx",
        tmp_path / "f" / "odd.xlsx",
        {("M4.CT3", 2026): {"I": "<script>alert(1)</script> & chưa có"}},
    )
    state = collection.collect("Lạng Sơn", 2026, [HISTORY], forms_dir=[odd], today=TODAY)
    page = collection.render(state, "html")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="vi">' in page
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; chưa có" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@media print" in page and "<style>" in page
    assert unicodedata.normalize("NFC", page) == page
    for words in ("Tình hình thu thập số liệu bình đẳng giới", "Hạn gửi", "còn 10 ngày"):
        assert words in page
    assert "Sở Y tế" in page and "Sở Giáo dục và Đào tạo" in page


def test_bdg_collection_command(returns, tmp_path, capsys):
    base = ["collection", "--province", "Lang Son", "--year", "2026", "--data", str(HISTORY)]
    assert cli.main([*base, "--forms", str(returns), "--today", "2026-11-30"]) == 0
    out = capsys.readouterr().out
    assert "Hạn gửi: 10/12/2026 (còn 10 ngày" in out and "Sở Y tế" in out
    page = tmp_path / "vong.html"
    assert cli.main([*base, "--format", "html", "--out", str(page), "--lang", "en"]) == 0
    assert "Gender-equality data collection round" in page.read_text(encoding="utf-8")
    assert capsys.readouterr().out.strip() == str(page)
    late = [*base, "--forms", str(returns), "--format", "json", "--today", "2026-12-12"]
    assert cli.main(late) == 0  # the forms' own deadline, passed: overdue
    assert json.loads(capsys.readouterr().out)["days_left"] == -2
    assert cli.main([*base, "--format", "json", "--today", "2026-12-12"]) == 0
    assert json.loads(capsys.readouterr().out)["deadline"] == "2027-06-10"  # no form: the plan's
    assert cli.main([*base, "--format", "json", "--deadline", "2026-12-10"]) == 0
    assert cli.main([*base, "--forms", str(tmp_path / "none")]) == 2
    with pytest.raises(SystemExit) as usage:  # --data is required
        cli.main(["collection", "--province", "Lạng Sơn", "--year", "2026"])
    assert usage.value.code == 2
