"""The `bdg` command line: contracts of `targets`, exit codes, no tracebacks."""

import json
import subprocess
import sys
import unicodedata

import pytest

from bdg_analysis import cli


def _json_targets(capsys, province: str) -> list[dict]:
    assert cli.main(["targets", "--province", province, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_targets_json_follows_the_contract(capsys):
    rows = _json_targets(capsys, "Quảng Ninh")
    assert rows and all(
        set(r) == {"id", "year", "op", "value", "value_high", "unit", "source"} for r in rows
    )
    mmr = {r["year"]: (r["op"], r["value"]) for r in rows if r["id"] == "M4.CT2"}
    assert mmr == {2025: ("le", 25.0), 2030: ("lt", 25.0)}  # Quảng Ninh's own, not the nation's 42


@pytest.mark.parametrize(
    "name", ["Lang Son", "tỉnh Lạng Sơn", unicodedata.normalize("NFD", "Lạng Sơn")]
)
def test_targets_accept_names_with_or_without_diacritics(capsys, name):
    rows = _json_targets(capsys, name)
    care = {r["year"]: r["value"] for r in rows if r["id"] == "M3.CT1"}
    assert care[2030] == 1.4


def test_a_province_without_a_plan_file_gets_the_national_targets(capsys):
    rows = _json_targets(capsys, "Cà Mau")
    wage = {r["year"]: (r["op"], r["value"]) for r in rows if r["id"] == "M2.CT1"}
    assert wage == {2025: ("ge", 50.0), 2030: ("ge", 60.0)}
    assert all("28/NQ-CP" in r["source"] for r in rows)


def test_targets_table_is_vietnamese_by_default(capsys):
    assert cli.main(["targets", "--province", "Cao Bằng"]) == 0
    out = capsys.readouterr().out
    assert "Tỷ số giới tính khi sinh" in out


def test_unknown_province_exits_2_with_suggestions(capsys):
    assert cli.main(["targets", "--province", "Ha Tay"]) == 2
    err = capsys.readouterr().err
    assert "unknown province" in err and "Traceback" not in err


def test_usage_errors_exit_2():
    with pytest.raises(SystemExit) as exc:
        cli.main(["report"])
    assert exc.value.code == 2


def test_output_into_a_closed_pipe_is_not_a_traceback():
    proc = subprocess.run(
        f'"{sys.executable}" -m bdg_analysis.cli targets --province "Quảng Ninh" | head -1',
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in proc.stderr
    assert proc.stdout.strip()
