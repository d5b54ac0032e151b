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


def _vietnamese(monkeypatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "vi_VN.UTF-8")


def test_validate_and_import_speak_vietnamese_in_a_vietnamese_environment(
    tmp_path, monkeypatch, capsys
):
    _vietnamese(monkeypatch)
    data = tmp_path / "own.csv"
    data.write_text(
        "province,indicator,year,value,sex,source,note,status\n"
        "Lạng Sơn,M4.CT1,2024,112.5,total,Sở Y tế,,official\n",
        encoding="utf-8",
    )
    assert cli.main(["validate", str(data)]) == 0
    said = capsys.readouterr()
    assert said.out.startswith("ĐẠT: 1 dòng, 1 địa phương") and "đọc như sau" in said.err
    out = tmp_path / "tidy.csv"
    assert cli.main(["import", str(data), "--out", str(out)]) == 0
    assert "đã ghi (1 thêm mới, 0 không đổi)" in capsys.readouterr().out
    data.write_text("province,indicator,year,value\nLạng Sơn,M4.CT1,2024,abc\n", encoding="utf-8")
    assert cli.main(["validate", str(data)]) == 2
    assert "1 lỗi trong 1 tệp" in capsys.readouterr().err


def test_bdg_form_says_where_to_return_in_the_form_language(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LANG", "C.UTF-8")
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    args = ["form", "--province", "Lạng Sơn", "--year", "2026", "--out", str(tmp_path)]
    assert cli.main([*args, "--today", "2026-11-30"]) == 0
    assert "hạn nộp 10/12/2026; gửi về Sở Nội vụ" in capsys.readouterr().err
    assert cli.main([*args, "--today", "2026-11-30", "--lang", "en"]) == 0
    assert "deadline 10 December 2026; return to" in capsys.readouterr().err
