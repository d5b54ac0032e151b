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
    "batch.py",
    "catalogue.py",
    "cli.py",
    "collection.py",
    "dataset/boundaries.py",
    "dataset/load.py",
    "explore/data.py",
    "explore/reading.py",
    "explore/status.py",
    "files.py",
    "forms.py",
    "geo.py",
    "importer.py",
    "pdf.py",
    "plans/load.py",
    "plans/reader.py",
    "plans/schema.py",
    "plans/table.py",
    "progress/__init__.py",
    "projection/api.py",
    "projection/inputs.py",
    "quality/coverage.py",
    "quality/outliers.py",
    "report.py",
    "runner.py",
    "scorecard.py",
    "trends.py",
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
