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
NOT_YET: set[str] = {
    "importer.py",
    "validate.py",
}


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
OWN_FIELDS = {"geo.history_note", "plans.label_month", "plans.label_unnumbered", "plans.when_month"}


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
    assert err == "<argument>: tỉnh: không tìm thấy tỉnh 'Lang Sonn'; có phải là: Lạng Sơn?\n"
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
    assert err.startswith("<argument>: --year: năm 3000 nằm ngoài các năm có thể đánh giá")
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


def test_every_message_template_of_the_params_schema_has_its_words():
    import json

    from bdg_analysis.plans import schema

    templates = ["missing {name!r}"]  # the fallback of a required key without x-missing

    def walk(node):
        if isinstance(node, dict):
            templates.extend([node["x-missing"]] if "x-missing" in node else [])
            templates.extend(node.get("x-messages", {}).values())
            for key, value in node.items():
                if key not in ("x-missing", "x-messages"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(schema.SCHEMA_FILE.read_text(encoding="utf-8")))
    keys = {template: schema.template_word(template) for template in templates}
    assert all(words.word(key, "en") == template for template, key in keys.items())
    assert all(words.word(key, "vi") != template for template, key in keys.items())


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
