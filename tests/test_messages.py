"""Messages a user reads on the command line are said in their language (issue 14).

Readers and checks build every problem with ``words.problem``/``words.phrase`` (a key in
``resources/words``), never an English string, so ``bdg validate``/``bdg import`` can print them in
Vietnamese; these tests read the code to keep it so, and check what the commands print.
"""

from __future__ import annotations

import ast
import pickle
import string
from pathlib import Path

import pytest

from bdg_analysis import words
from bdg_analysis.errors import BdgInputError, Problem

PACKAGE = Path(__file__).resolve().parents[1] / "bdg_analysis"
ERRORS = {"BdgInputError", "BdgError", "RunError"}

# Modules whose messages are still English strings: this set only shrinks.
NOT_YET: set[str] = set()


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _english_messages(path: Path) -> list[str]:
    """Each place in ``path`` that writes a message as an English string."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name == "Problem":
            found.append(f"{path.name}:{node.lineno}: Problem(...) (use words.problem)")
        elif name == "UnknownNameError" and not any(k.arg == "message" for k in node.keywords):
            found.append(f"{path.name}:{node.lineno}: UnknownNameError without message=")
        elif name in ERRORS and node.args:
            if isinstance(node.args[0], ast.JoinedStr | ast.Constant):
                found.append(f"{path.name}:{node.lineno}: {name}('...') (use words.phrase)")
    return found


def test_no_message_is_written_as_an_english_string():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        if module in {"errors.py", "words.py"} or module in NOT_YET:
            continue
        found += [f"{module}: {f}" for f in _english_messages(path)]
    assert found == []


# Words whose languages write a fact differently on purpose (month number vs month name).
# validate.outside_range names the indicator's unit as the catalogue writes it in each language.
OWN_FIELDS = {
    "geo.history_note",
    "plans.label_month",
    "plans.label_unnumbered",
    "plans.when_month",
    "validate.outside_range",
}


def test_every_word_has_the_same_fields_in_both_languages():
    odd = {
        key: (sorted(_fields(entry["vi"])), sorted(_fields(entry["en"])))
        for key, entry in words.catalogue().items()
        if _fields(entry["vi"]) != _fields(entry["en"]) and key not in OWN_FIELDS
    }
    assert odd == {}


def test_a_phrase_is_its_english_text_and_says_itself_in_vietnamese():
    inner = words.phrase("read_as.layout")
    said = words.phrase("cli.warning", text=inner)
    assert said == "warning: layout" and isinstance(said, str)
    assert words.said(said, "vi") == "cảnh báo: bố cục"
    assert words.said("a fact", "vi") == "a fact"


def test_a_problem_line_keeps_its_place_and_survives_a_worker_process():
    item = words.problem("data.csv", 7, "value", "cli.warning", text="x")
    assert str(item) == "data.csv:7: value: warning: x"
    again = pickle.loads(pickle.dumps(item))
    assert words.problem_line(again, "vi") == "data.csv:7: value: cảnh báo: x"
    plain = Problem("data.csv", None, None, "as written")
    assert words.problem_line(plain, "vi") == "data.csv: as written"
    with pytest.raises(BdgInputError) as caught:
        raise BdgInputError(item)
    assert caught.value.problems[0] is item


# --- what the commands print ------------------------------------------------------------------


def _environment(monkeypatch, lang: str) -> None:
    """The user's locale: ``LANG`` alone decides (``LC_ALL``/``LC_MESSAGES`` unset)."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", lang)


def test_an_unknown_province_is_said_in_vietnamese_with_lang_vi(monkeypatch, capsys):
    from bdg_analysis import cli

    _environment(monkeypatch, "C.UTF-8")
    assert cli.main(["report", "--province", "Lang Sonn", "--lang", "vi"]) == 2
    err = capsys.readouterr().err
    said = "<tham số dòng lệnh>: tỉnh: không tìm thấy tỉnh 'Lang Sonn'; có phải là: Lạng Sơn?\n"
    assert err == said
    assert cli.main(["report", "--province", "Atlantis", "--lang", "en"]) == 2
    assert capsys.readouterr().err == "<argument>: province: unknown province 'Atlantis'\n"


def test_the_pages_default_language_does_not_make_errors_vietnamese(monkeypatch, capsys):
    from bdg_analysis import cli

    _environment(monkeypatch, "en_GB.UTF-8")
    assert cli.main(["targets", "--province", "Atlantis"]) == 2
    assert "unknown province 'Atlantis'" in capsys.readouterr().err
    _environment(monkeypatch, "vi_VN.UTF-8")
    assert cli.main(["targets", "--province", "Atlantis"]) == 2
    assert "không tìm thấy tỉnh 'Atlantis'" in capsys.readouterr().err


def test_a_year_outside_the_data_is_said_in_vietnamese(monkeypatch, capsys, tmp_path):
    from bdg_analysis import cli

    _environment(monkeypatch, "C.UTF-8")
    args = ["report", "--province", "Lạng Sơn", "--year", "3000", "--out", str(tmp_path)]
    assert cli.main([*args, "--lang", "vi"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("<tham số dòng lệnh>: --year: năm 3000 nằm ngoài các năm có thể đánh giá")
    assert list(tmp_path.iterdir()) == []  # refused before anything ran
    assert cli.main([*args, "--lang", "en"]) == 2
    assert "3000 is outside the years a report can assess" in capsys.readouterr().err


def test_a_bad_params_file_is_said_in_vietnamese_in_a_vietnamese_environment(
    monkeypatch, capsys, tmp_path
):
    import shutil

    from bdg_analysis import cli, paths

    for file in paths.params_files():
        shutil.copy(file, tmp_path / file.name)
    plan = tmp_path / "lang_son.yaml"
    text = plan.read_text(encoding="utf-8")
    assert "op: gt," in text
    plan.write_text(text.replace("op: gt,", "op: gte,", 1), encoding="utf-8")
    monkeypatch.setattr(paths, "params_dir", lambda: tmp_path)
    _environment(monkeypatch, "vi_VN.UTF-8")
    assert cli.main(["targets", "--province", "Lạng Sơn"]) == 2
    said = capsys.readouterr().err
    assert f"{plan}:" in said and "targets[1].op: toán tử 'gte' không thuộc ge, gt," in said
    _environment(monkeypatch, "C.UTF-8")
    assert cli.main(["targets", "--province", "Lạng Sơn"]) == 2
    assert "targets[1].op: operator 'gte' is not one of ge, gt," in capsys.readouterr().err


def test_every_message_the_params_schema_names_has_its_words():
    import json

    from bdg_analysis.plans import schema

    named = ["missing_key"]  # the fallback of a required key without x-missing

    def walk(node):
        if isinstance(node, dict):
            named.extend([node["x-missing"]] if "x-missing" in node else [])
            named.extend(node.get("x-messages", {}).values())
            for key, value in node.items():
                if key not in ("x-missing", "x-messages"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(schema.SCHEMA_FILE.read_text(encoding="utf-8")))
    assert len(named) > 40
    keys = [f"params_schema.{name}" for name in named]
    assert [key for key in keys if not words.has_word(key)] == []
    assert all(words.word(key, "vi") != words.word(key, "en") for key in keys)


def test_a_failed_run_and_a_busy_file_are_said_in_the_users_language(monkeypatch, capsys):
    from bdg_analysis import cli, geo
    from bdg_analysis.errors import RunError
    from bdg_analysis.files import Busy

    failed = RunError(words.phrase("runner.cell_raised", name="ValueError", value="x"))
    assert str(failed) == "cell raised ValueError: x"
    _environment(monkeypatch, "vi_VN.UTF-8")

    def busy(name, year=None):
        raise Busy(words.phrase("files.busy", path="data.csv"))

    monkeypatch.setattr(geo, "resolve", busy)
    assert cli.main(["report", "--province", "Lạng Sơn"]) == 2
    assert capsys.readouterr().err == (
        "bdg: data.csv: một tiến trình bdg khác đang ghi tệp này; hãy thử lại khi nó xong\n"
    )


TIDY_HEADER = "province,indicator,year,value,sex,source,note,status\n"


def _tidy(path: Path, *rows: str) -> Path:
    path.write_text(TIDY_HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def test_validate_says_a_bad_number_a_province_and_a_duplicate_in_the_users_language(
    monkeypatch, capsys, tmp_path
):
    from bdg_analysis import cli

    data = _tidy(
        tmp_path / "data.csv",
        "Lạng Sơn,M4.CT1,2020,abc,total,,,official",
        "Lạng Sơnn,M4.CT1,2021,112.4,total,,,official",
        "Lạng Sơn,M4.CT1,2022,112.4,total,,,official",
        "Lạng Sơn,M4.CT1,2022,110,total,,,official",
    )
    _environment(monkeypatch, "vi_VN.UTF-8")
    assert cli.main(["validate", str(data)]) == 2
    out = capsys.readouterr().out
    assert "'abc' không phải là số (cần một số, ví dụ 12.5" in out
    assert "province: không tìm thấy tỉnh 'Lạng Sơnn'; có phải là: Lạng Sơn?" in out
    assert ":5: value: trùng với " in out and "và có giá trị khác (110 ở đây, 112.4 ở đó)" in out
    for english in ("is not a number", "unknown province", "duplicate of", "a different value"):
        assert english not in out
    _environment(monkeypatch, "C.UTF-8")
    assert cli.main(["validate", str(data)]) == 2
    out = capsys.readouterr().out
    assert ":2: value: 'abc' is not a number (expected e.g. 12.5" in out
    assert "province: unknown province 'Lạng Sơnn'; did you mean: Lạng Sơn?" in out
    assert "with a different value (110 here, 112.4 there)" in out
    assert "không phải là số" not in out and "trùng với" not in out


def test_an_import_conflict_names_both_values_in_the_users_language(monkeypatch, capsys, tmp_path):
    from bdg_analysis import cli

    out_file = tmp_path / "dataset.csv"
    first = _tidy(tmp_path / "first.csv", "Lạng Sơn,M4.CT1,2022,112.4,total,Cục Thống kê,,official")
    second = _tidy(tmp_path / "second.csv", "Lạng Sơn,M4.CT1,2022,110,total,,,official")
    _environment(monkeypatch, "vi_VN.UTF-8")
    assert cli.main(["import", str(first), "--out", str(out_file)]) == 0
    capsys.readouterr()
    before = out_file.read_bytes()
    assert cli.main(["import", str(second), "--out", str(out_file)]) == 2
    said = capsys.readouterr()
    assert "giá trị 110 ở đây khác với 112.4 đang có trong" in said.out
    assert "(nguồn 'Cục Thống kê'; nguồn mới 'không ghi'); thêm --revise để thay thế" in said.out
    assert "here differs from" not in said.out and "not given" not in said.out
    assert out_file.read_bytes() == before  # a conflict refused writes nothing
    _environment(monkeypatch, "C.UTF-8")
    assert cli.main(["import", str(second), "--out", str(out_file)]) == 2
    said = capsys.readouterr()
    assert ": 110 here differs from 112.4 held in" in said.out
    assert (
        "(source 'Cục Thống kê'; new source 'not given'); pass --revise to replace it" in said.out
    )
    assert "khác với" not in said.out


def test_a_phrase_shared_by_many_rows_is_built_once_per_cell_text():
    import pandas as pd

    from bdg_analysis import validate

    rows = 1000
    raw = pd.DataFrame(
        {
            "province": ["Lạng Sơn"] * rows,
            "indicator": ["M4.CT1"] * rows,
            "year": [str(2000 + i % 20) for i in range(rows)],
            "value": ["12,5" if i % 2 else "x" for i in range(rows)],
            "sex": ["total"] * rows,
            "source": [""] * rows,
            "note": [""] * rows,
            "status": ["official"] * rows,
            "source_file": ["data.csv"] * rows,
            "source_row": list(range(2, rows + 2)),
        }
    )
    problems = validate.check(raw).problems
    assert len(problems) == rows
    assert len({id(p.message) for p in problems}) == 2  # '12,5' and 'x': two phrases in all
    assert all(isinstance(p.message, words.Phrase) for p in problems)
    with pytest.raises(TypeError):
        words.problem_of("data.csv", 2, "value", "an English string")
