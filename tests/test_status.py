"""The table of cases of docs/methods/projection-and-status.md §3.1, one test per row, each
through ``bdg status --format json`` on a small tidy CSV typed by hand (the issue's cases).

Provinces without a plan file follow the national targets (Resolution 28/NQ-CP): M1.CT1 ≥ 60
(2025) and ≥ 75 (2030); M2.CT1 ≥ 50 and ≥ 60; M3.CT3 ≥ 100 both years; M5.CT1 (yes/no) ≥ 1.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from bdg_analysis import cli, progress, projection, scorecard, text

FIXTURES = Path(__file__).parent / "fixtures"
STATUSES = {s.value for s in progress.Status}
KEYS = list(scorecard.STATUS_KEYS)
HEADER = "province,indicator,year,value\n"


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch):
    monkeypatch.setenv("BDG_CACHE_DIR", "")  # each case computed from its own file


def _csv(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "case.csv"
    path.write_text(HEADER + rows.strip().replace("    ", "") + "\n", encoding="utf-8")
    return path


def status(capsys, data: Path, year: int, province: str = "Điện Biên", fmt: str = "json"):
    """``bdg status`` in this process on ``data`` alone (the hand-typed series of a case, no
    embedded data underneath); JSON as a dict keyed (id, target year)."""
    argv = ["status", "--province", province, "--data", str(data), "--no-embedded"]
    argv += ["--year", str(year)]
    assert cli.main([*argv, "--format", fmt]) == 0
    out = capsys.readouterr().out
    if fmt != "json":
        return out
    entries = json.loads(out)
    for e in entries:  # the contract, for every entry of every case
        assert list(e) == KEYS and e["status"] in STATUSES
        assert e["p_met"] is None or 0 <= e["p_met"] <= 1
    return {(e["id"], e["target_year"]): e for e in entries}


def _line(table: str, indicator: str, year: int) -> str:
    return next(x for x in table.splitlines() if x.startswith(f"{indicator} ") and f" {year} " in x)


# ---------------------------------------------------------------- row 1: no data


def test_row_1_no_data_up_to_the_report_year(tmp_path, capsys):
    data = _csv(tmp_path, "Điện Biên,M2.CT1,2025,40")
    got = status(capsys, data, 2025)[("M1.CT1", 2030)]
    assert got["status"] == "insufficient_data" and got["p_met"] is None
    assert got["latest_value"] is None and got["method"] is None


# ---------------------------------------------------------------- row 2: observed target year


def test_row_2_observed_target_year_achieved_or_not_with_tolerance_at_the_bound(tmp_path, capsys):
    data = _csv(
        tmp_path,
        """
        Điện Biên,M2.CT1,2023,48.5
        Điện Biên,M2.CT1,2024,49.2
        Điện Biên,M2.CT1,2025,49.96
        Điện Biên,M3.CT3,2024,100
        Điện Biên,M3.CT3,2025,99.6
        Điện Biên,M1.CT1,2024,58
        Điện Biên,M1.CT1,2025,60.2
        """,
    )
    got = status(capsys, data, 2025)
    missed = got[("M2.CT1", 2025)]
    assert missed["status"] == "not_achieved" and missed["p_met"] is None
    assert missed["method"] == "observed" and missed["latest_value"] == 49.96
    assert got[("M1.CT1", 2025)]["status"] == "achieved"
    assert got[("M3.CT3", 2025)]["status"] == "achieved"  # 99.6 is within 0.5 of 100
    # shown with the decimals that tell 49.96 from 50, never "50,0" beside "Không đạt"
    line = _line(status(capsys, data, 2025, fmt="table"), "M2.CT1", 2025)
    assert "49,96 (2025)" in line and "Không đạt" in line and "50,0" not in line


# ---------------------------------------------------------------- row 3: stale


def test_row_3_a_latest_value_more_than_five_years_old_is_insufficient_data(tmp_path, capsys):
    # issue: a 2030 target of ≥ 75, the latest value 80 from 2019, report year 2025
    data = _csv(
        tmp_path,
        """
        Điện Biên,M1.CT1,2017,70
        Điện Biên,M1.CT1,2018,75
        Điện Biên,M1.CT1,2019,80
        Điện Biên,M2.CT1,2025,40
        """,
    )
    got = status(capsys, data, 2025)
    for year in (2025, 2030):
        entry = got[("M1.CT1", year)]
        assert entry["status"] == "insufficient_data" and entry["p_met"] is None
        assert (entry["latest_value"], entry["latest_year"]) == (80, 2019)
    line = _line(status(capsys, data, 2025, fmt="table"), "M1.CT1", 2030)
    assert "số liệu mới nhất năm 2019, đã quá 5 năm" in line


# ---------------------------------------------------------------- row 4: before the data


def test_row_4_a_target_year_before_the_first_value_is_insufficient_data(tmp_path, capsys):
    data = _csv(
        tmp_path,
        """
        Điện Biên,M2.CT1,2026,55
        Điện Biên,M2.CT1,2027,56
        """,
    )
    got = status(capsys, data, 2027)[("M2.CT1", 2025)]
    assert got["status"] == "insufficient_data" and got["latest_year"] == 2027


# ---------------------------------------------------------------- rows 5-8: yes/no targets


def test_row_5_a_yes_no_deadline_not_observed_is_not_met_by_a_later_1(tmp_path, capsys):
    # issue: M5.CT1 "from 2025": 2024 = 0, 2025 missing, 2026 = 1
    data = _csv(
        tmp_path,
        """
        Điện Biên,M5.CT1,2023,0
        Điện Biên,M5.CT1,2024,0
        Điện Biên,M5.CT1,2026,1
        """,
    )
    got = status(capsys, data, 2026)
    assert got[("M5.CT1", 2025)]["status"] == "insufficient_data"
    assert got[("M5.CT1", 2030)]["status"] == "on_track"  # in place now, the deadline ahead
    line = _line(status(capsys, data, 2026, fmt="table"), "M5.CT1", 2025)
    assert "số liệu năm sau không tính cho hạn năm 2025" in line


def test_row_6_a_yes_no_target_held_three_years_is_achieved(tmp_path, capsys):
    data = _csv(
        tmp_path,
        """
        Điện Biên,M5.CT1,2022,0
        Điện Biên,M5.CT1,2023,1
        Điện Biên,M5.CT1,2024,1
        Điện Biên,M5.CT1,2025,1
        """,
    )
    got = status(capsys, data, 2025)
    assert got[("M5.CT1", 2030)]["status"] == "achieved"
    assert got[("M5.CT1", 2030)]["p_met"] is None  # no projection of a yes/no
    assert got[("M5.CT1", 2025)]["status"] == "achieved"  # observed


def test_row_7_a_yes_no_target_just_met_is_on_track(tmp_path, capsys):
    data = _csv(
        tmp_path,
        """
        Điện Biên,M5.CT1,2023,0
        Điện Biên,M5.CT1,2024,0
        Điện Biên,M5.CT1,2025,1
        """,
    )
    assert status(capsys, data, 2025)[("M5.CT1", 2030)]["status"] == "on_track"


def test_row_8_a_yes_no_target_not_met_is_at_risk(tmp_path, capsys):
    data = _csv(
        tmp_path,
        """
        Điện Biên,M5.CT1,2024,0
        Điện Biên,M5.CT1,2025,0
        """,
    )
    got = status(capsys, data, 2025)
    assert got[("M5.CT1", 2030)]["status"] == "at_risk"
    assert got[("M5.CT1", 2025)]["status"] == "not_achieved"


# ---------------------------------------------------------------- row 9: a run at the bound


def test_row_9_six_years_at_100_percent_is_achieved_without_a_50_percent_chance(tmp_path, capsys):
    rows = "\n".join(f"Điện Biên,M3.CT3,{y},100" for y in range(2020, 2026))
    near = "\n".join(
        f"Lai Châu,M3.CT3,{y},{v}"
        for y, v in zip(range(2020, 2026), (95, 96, 97, 98, 99, 99.7), strict=True)
    )
    data = _csv(tmp_path, rows + "\n" + near)
    got = status(capsys, data, 2025)[("M3.CT3", 2030)]
    assert got["status"] == "achieved" and got["p_met"] is None
    # not yet a run at the bound: a real chance of reaching 99.5 or more, not a coin flip
    close = status(capsys, data, 2025, province="Lai Châu")[("M3.CT3", 2030)]
    assert close["p_met"] is not None and abs(close["p_met"] - 0.5) > 0.1


# ---------------------------------------------------------------- rows 10-11: no projection


def test_row_10_a_single_value_is_insufficient_data(tmp_path, capsys):
    data = _csv(tmp_path, "Điện Biên,M2.CT1,2024,45\nĐiện Biên,M1.CT1,2025,50")
    got = status(capsys, data, 2025)
    for year in (2025, 2030):  # 2025 not observed, one value: no forecast either
        assert got[("M2.CT1", year)]["status"] == "insufficient_data"
        assert got[("M2.CT1", year)]["latest_year"] == 2024


def test_row_11_no_projection_is_insufficient_data(tmp_path, capsys, monkeypatch):
    from bdg_analysis import projection

    real = projection.project

    def nothing(series, to_year, **kwargs):  # a projection that could not be made
        return real(pd.Series(dtype=float), to_year)

    monkeypatch.setattr(projection, "project", nothing)
    monkeypatch.setattr(projection, "project_path", lambda *a, **k: [])
    data = _csv(tmp_path, "Điện Biên,M2.CT1,2023,40\nĐiện Biên,M2.CT1,2024,42")
    got = status(capsys, data, 2025)[("M2.CT1", 2030)]
    assert got["status"] == "insufficient_data" and got["p_met"] is None


# ---------------------------------------------------------------- rows 12-16: forecasts


def test_row_12_a_future_target_met_now_and_likely_kept_is_achieved(tmp_path, capsys):
    rows = "\n".join(
        f"Điện Biên,M2.CT1,{y},{62 + 0.4 * i}" for i, y in enumerate(range(2016, 2026))
    )
    got = status(capsys, _csv(tmp_path, rows), 2025)[("M2.CT1", 2030)]
    assert got["status"] == "achieved" and got["p_met"] >= 2 / 3
    assert got["method"] in projection.METHOD_NAMES  # a projection, not an observed value


def test_row_13_falling_towards_the_target_from_above_is_moving_away(tmp_path, capsys):
    # issue: above its 2030 target but falling about 1.3 points a year ("at risk", chance 0%)
    rows = "\n".join(
        f"Điện Biên,M1.CT1,{y},{92 - 1.3 * i:.1f}" for i, y in enumerate(range(2016, 2026))
    )
    data = _csv(tmp_path, rows)
    got = status(capsys, data, 2025)[("M1.CT1", 2030)]
    assert got["status"] == "moving_away" and got["p_met"] < 2 / 3
    line = _line(status(capsys, data, 2025, fmt="table"), "M1.CT1", 2030)
    assert "Đi ngược mục tiêu" in line and "xu hướng xa dần mục tiêu" in line


def test_row_14_a_target_year_not_yet_observed_gets_a_forecast_never_achieved(tmp_path, capsys):
    # issue: 2025 target, report year 2026, data up to 2024 at 49.5 and rising steadily
    rising = "\n".join(f"Điện Biên,M2.CT1,{y},{45.5 + i}" for i, y in enumerate(range(2020, 2025)))
    # issue: the 2024 value (51.0) already above the 2025 target, report year 2025
    above = "\n".join(f"Lai Châu,M2.CT1,{y},{47 + i}" for i, y in enumerate(range(2020, 2025)))
    data = _csv(tmp_path, rising + "\n" + above + "\nLai Châu,M1.CT1,2025,50")
    got = status(capsys, data, 2026)[("M2.CT1", 2025)]
    assert got["status"] == "on_track" and got["p_met"] >= 2 / 3 and got["latest_year"] == 2024
    assert got["method"] in projection.METHOD_NAMES and got["method"] != "naive"  # a trend
    line = _line(status(capsys, data, 2026, fmt="table"), "M2.CT1", 2025)
    assert "năm 2025 chưa có số liệu, mới nhất năm 2024" in line
    early = status(capsys, data, 2025, province="Lai Châu")[("M2.CT1", 2025)]
    assert early["status"] == "on_track" and early["latest_value"] == 51


def test_row_15_met_now_but_a_coin_flip_for_its_year_is_at_risk(tmp_path, capsys):
    values = (74, 76, 75, 74.5, 75.5, 75.2)
    rows = "\n".join(
        f"Điện Biên,M1.CT1,{y},{v}" for y, v in zip(range(2020, 2026), values, strict=True)
    )
    got = status(capsys, _csv(tmp_path, rows), 2025)[("M1.CT1", 2030)]
    assert got["status"] == "at_risk" and 1 / 3 < got["p_met"] < 2 / 3


def test_row_16_an_unlikely_target_is_off_track(tmp_path, capsys):
    values = (30, 30.5, 29.8, 30.2, 30, 30.1)
    rows = "\n".join(
        f"Điện Biên,M2.CT1,{y},{v}" for y, v in zip(range(2020, 2026), values, strict=True)
    )
    got = status(capsys, _csv(tmp_path, rows), 2025)[("M2.CT1", 2030)]
    assert got["status"] == "off_track" and got["p_met"] <= 1 / 3


# ---------------------------------------------------------------- modifiers of the rows


def test_a_short_series_gets_no_better_chance_for_moving_away(tmp_path, capsys):
    # issue: 45 -> 41 was judged better than 45, 45 (its interval is wider)
    data = _csv(
        tmp_path,
        """
        Điện Biên,M2.CT1,2024,45
        Điện Biên,M2.CT1,2025,41
        Lai Châu,M2.CT1,2024,45
        Lai Châu,M2.CT1,2025,45
        """,
    )
    fell = status(capsys, data, 2025)[("M2.CT1", 2030)]
    flat = status(capsys, data, 2025, province="Lai Châu")[("M2.CT1", 2030)]
    order = [s.value for s in progress.STATUS_ORDER]
    assert fell["p_met"] <= flat["p_met"]
    assert order.index(fell["status"]) >= order.index(flat["status"])
    line = _line(status(capsys, data, 2025, fmt="table"), "M2.CT1", 2030)
    assert "chuỗi ngắn (2 giá trị) đi xa mục tiêu" in line


@pytest.fixture
def band_home(tmp_path, monkeypatch):
    """A project folder whose plans give Điện Biên a band 40-60 % for M6.CT1 in 2025 (read as
    its lower bound: higher is better) and Lai Châu the same band marked two-sided."""
    home = tmp_path / "home"
    (home / "params").mkdir(parents=True)
    shutil.copy(Path(__file__).parent.parent / "params" / "national.yaml", home / "params")
    for name in ("status_plan_band.yaml", "status_plan_band_two_sided.yaml"):
        shutil.copy(FIXTURES / name, home / "params" / name)
    monkeypatch.setenv("BDG_HOME", str(home))
    return home


def test_a_band_on_a_higher_is_better_indicator_reads_as_its_lower_bound(
    band_home, tmp_path, capsys
):
    # issue: Hiệp Hòa's M6.CT1 "40-60 %": 75 was "not achieved"
    data = _csv(
        tmp_path,
        """
        Điện Biên,M6.CT1,2024,72
        Điện Biên,M6.CT1,2025,75
        Lai Châu,M6.CT1,2024,72
        Lai Châu,M6.CT1,2025,75
        """,
    )
    one_sided = status(capsys, data, 2025)[("M6.CT1", 2025)]
    assert (one_sided["op"], one_sided["target"], one_sided["target_high"]) == ("between", 40, 60)
    assert one_sided["status"] == "achieved"
    two_sided = status(capsys, data, 2025, province="Lai Châu")[("M6.CT1", 2025)]
    assert two_sided["status"] == "not_achieved"
    line = _line(status(capsys, data, 2025, fmt="table"), "M6.CT1", 2025)
    assert "khoảng 40–60 tính là ≥ 40" in line


# ---------------------------------------------------------------- what is shown agrees


def test_chances_are_shown_so_they_never_contradict_the_word():
    assert text.fmt_chance(0.666) == "66%"  # at risk: not "67%"
    assert text.fmt_chance(2 / 3) == "67%"  # on track from exactly 2/3
    assert text.fmt_chance(0.3334) == "34%" and text.fmt_chance(1 / 3) == "33%"
    assert text.fmt_chance(0.004) == "< 1%" and text.fmt_chance(0.996) == "> 99%"
    assert text.fmt_chance(0.0) == "0%" and text.fmt_chance(1.0) == "100%"
    assert text.fmt_chance(None) == "–" and text.fmt_chance(0.5, "en") == "50%"
    # the words' numbers are the rules' numbers
    assert (text.CUT_ON_TRACK, text.CUT_OFF_TRACK) == (
        progress.THRESHOLDS.on_track,
        progress.THRESHOLDS.off_track,
    )
    assert (text.STALE_YEARS, text.BOUND_RUN) == (progress.STALE_YEARS, progress.BOUND_RUN)
    assert text.BOUND_TOLERANCE_POINTS == progress.BOUND_TOLERANCE * 100


def _chance(shown: str) -> float | None:
    if shown in ("–", ""):
        return None
    return {"< 1%": 0.005, "> 99%": 0.995}.get(shown) or int(shown.rstrip("%")) / 100


def test_every_chance_printed_on_the_embedded_data_agrees_with_its_status(capsys):
    assert cli.main(["status", "--province", "Lạng Sơn", "--format", "json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    for entry in entries:
        shown = _chance(text.fmt_chance(entry["p_met"]))
        if entry["status"] == "on_track":
            assert shown is None or shown >= 0.67  # None: a yes/no target, no projection
        elif entry["status"] == "off_track":
            assert shown <= 0.33
        elif entry["status"] == "at_risk" and shown is not None:
            assert 0.34 <= shown <= 0.66
        elif entry["status"] in ("achieved", "not_achieved", "insufficient_data"):
            assert shown is None or shown >= 0.67


def test_a_change_that_rounds_to_zero_reads_unchanged():
    assert text.sentence_change(2020, 0.04, "%", True, "vi", 1) == "Không đổi so với năm 2020."
    assert text.sentence_change(2020, -0.004, "%", True, "en") == "Unchanged since 2020."
    assert "tăng 0,1 điểm phần trăm" in text.sentence_change(2020, 0.06, "%", True, "vi", 1)


def test_the_projection_sentence_names_its_method():
    args = (2030, 75.2, 52.1, 89.6, "≥ 75", 0.505, "vi", 1)
    assert text.sentence_projection(*args, "naive").startswith("Nếu giữ nguyên mức hiện nay,")
    assert text.sentence_projection(*args, "linear").startswith("Theo xu hướng hiện nay,")
    assert text.sentence_projection(*args, "interpolated").startswith("Nội suy")
    assert text.sentence_projection(*args[:6], "en", 1, "naive").startswith(
        "If the current level holds"
    )


# ---------------------------------------------------------------- exit codes


def test_bad_input_exits_2_with_one_line_and_no_traceback(tmp_path, capsys):
    assert cli.main(["status", "--province", "Hà Tây", "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert "Hà Tây" in err and "Traceback" not in err
    assert cli.main(["status", "--province", "Lạng Sơn", "--data", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert "x.csv" in err and "Traceback" not in err
    assert cli.main(["status", "--province", "Lạng Sơn", "--lang", "fr"]) == 2
    with pytest.raises(SystemExit) as exc:
        cli.main(["status", "--province", "Lạng Sơn", "--format", "xml"])
    assert exc.value.code == 2
    empty = _csv(tmp_path, "Lai Châu,M2.CT1,2025,40")
    assert cli.main(["status", "--province", "Điện Biên", "--data", str(empty)]) == 2
    assert "no rows for Điện Biên" in capsys.readouterr().err  # the same check as bdg report


def test_csv_has_the_json_keys_and_table_is_in_english_on_request(tmp_path, capsys):
    data = _csv(tmp_path, "Điện Biên,M2.CT1,2024,45\nĐiện Biên,M2.CT1,2025,49.96")
    csv_text = status(capsys, data, 2025, fmt="csv")
    assert csv_text.splitlines()[0] == ",".join(KEYS)
    assert "M2.CT1,2025,ge,50.0,,not_achieved,,49.96,2025,,,,observed" in csv_text
    argv = ["status", "--province", "Dien Bien", "--data", str(data), "--no-embedded"]
    argv += ["--lang", "en"]
    assert cli.main(argv) == 0
    assert "Not achieved" in capsys.readouterr().out


# ---------------------------------------------------------------- the report shows the same


@pytest.mark.notebook
def test_the_embedded_lang_son_report_shows_the_status_of_bdg_status_for_every_target(
    tmp_path, capsys
):
    from bdg_analysis import runner

    result = runner.province_report(
        "Lạng Sơn", year=None, data=None, lang="vi", out_dir=tmp_path, run_date="2026-11-30"
    )
    html = unicodedata.normalize("NFC", result.html.read_text(encoding="utf-8"))
    table = html[html.index('<table class="status">') :]
    table = table[: table.index("</table>")]
    shown = dict(
        re.findall(
            r'<tr data-target="([^"]+)">.*?<span class="badge status-([a-z_]+)">', table, re.S
        )
    )
    assert cli.main(["status", "--province", "Lạng Sơn", "--format", "json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert shown == {f"{e['id']} {e['target_year']}": e["status"] for e in entries}
    assert len(shown) == len(entries) > 20
