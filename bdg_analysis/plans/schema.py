"""The params schema: JSON Schema (resources/params.schema.json) with its errors as file:line: key.

The shape of a params file (keys, types, operators, required fields) is declared once, as data, in
``resources/params.schema.json``; editors can use the same file. ``jsonschema`` checks it and this
module turns each error into the line a statistician acts on: ``file:line: key.path: message``,
worded by the schema's own ``x-messages`` / ``x-missing`` entries, every problem at once, in the
order of the file. Rules that need the catalogue or the province register are in :mod:`.rules`.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from bdg_analysis import paths, words
from bdg_analysis.errors import Problem
from bdg_analysis.plans import rules
from bdg_analysis.plans.names import jkey
from bdg_analysis.plans.reader import Parsed, is_finite_number, key_text, parse

SCHEMA_FILE = paths.RESOURCES_DIR / "params.schema.json"
NATIONAL_FILE = "national.yaml"
#: More problems than this are counted, not listed: such a file is not a plan with mistakes.
MAX_PROBLEMS = 200


@functools.cache
def _jsonschema():
    """``jsonschema``, imported when first needed, without the grammar of its IRI format checker.

    ``jsonschema`` imports ``rfc3987_syntax`` when it is installed (JupyterLab brings it), which
    builds a Lark parser at import: about a second of every report's kernel, for a format
    (``iri``) no params file uses. Hiding it while ``jsonschema`` is first imported leaves
    only that format unchecked in this process; an import of ``rfc3987_syntax`` by anyone
    afterwards works as usual.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return importlib.import_module("jsonschema")
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
    try:
        return importlib.import_module("jsonschema")
    finally:
        if sys.modules.get("rfc3987_syntax", 0) is None:
            del sys.modules["rfc3987_syntax"]


@functools.cache
def schema() -> dict:
    """The JSON Schema of a params file (a fresh parse is cached; do not mutate it)."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- the validator


def _is_integer(checker: object, instance: object) -> bool:
    # 2030.0 is not a year as a document writes it; True is not 1
    return isinstance(instance, int) and not isinstance(instance, bool)


def _is_number(checker: object, instance: object) -> bool:
    return isinstance(instance, int | float) and not isinstance(instance, bool)


def _finite(validator, enabled: bool, instance: object, subschema: dict) -> Iterator:
    """``finite: true``: NaN, infinity and integers beyond a float are not numbers of a plan."""
    if enabled and _is_number(None, instance) and not is_finite_number(instance):
        yield _jsonschema().ValidationError(f"{instance!r} is not a finite number")


def _required(validator, required: list, instance: object, subschema: dict) -> Iterator:
    """``required`` with the missing key in the error's path, so its line and wording are found."""
    if not validator.is_type(instance, "object"):
        return
    for name in required:
        if name not in instance:
            yield _jsonschema().ValidationError(
                f"{name!r} is a required property", path=[name], instance=None
            )


def _inline(node: object, defs: dict) -> object:
    """``node`` with every local ``$ref`` replaced by the definition it names.

    The file keeps its ``$defs`` (one definition, many uses); the validator gets them inlined,
    which halves its time (no reference look-ups) and puts each ``x-`` word where its error is.
    A key beside a ``$ref`` must not also be in the definition (a test checks the file).
    """
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _inline(v, defs) for k, v in node.items() if k not in ("$ref", "$defs")}
    if "$ref" in node:
        target = _inline(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
        clash = set(out) & set(target)  # type: ignore[arg-type]
        if clash:
            raise ValueError(f"params schema: {sorted(clash)} beside {node['$ref']}")
        out = {**target, **out}  # type: ignore[dict-item]
    return out


@functools.cache
def inlined_schema() -> dict:
    """The schema with its definitions inlined: what the validator checks against."""
    raw = schema()
    return _inline(raw, raw.get("$defs", {}))  # type: ignore[return-value]


@functools.cache
def _validator():
    jsonschema = _jsonschema()
    base = jsonschema.Draft202012Validator
    checker = base.TYPE_CHECKER.redefine_many({"integer": _is_integer, "number": _is_number})
    cls = jsonschema.validators.extend(
        base, validators={"finite": _finite, "required": _required}, type_checker=checker
    )
    return cls(inlined_schema())


def check_schema() -> None:
    """Raise when the schema file itself is not valid JSON Schema (a test calls it)."""
    _jsonschema().Draft202012Validator.check_schema(schema())


# ---------------------------------------------------------------- errors as messages


class _Fields(dict):
    """The parent mapping of a failing value, for templates such as ``{parent[op]!r}``."""

    def __missing__(self, key: str) -> None:
        return None


def _word(sub: dict, entry: str, keyword: str | None = None) -> str | None:
    found = sub.get(entry)
    if keyword is not None:
        found = (found or {}).get(keyword)
    return found or None


def _at(data: object, path: tuple) -> object:
    for part in path:
        try:
            data = data[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _fill(key: str, error, path: tuple, data: object) -> str:
    """The message ``params_schema.<key>`` (named by the schema's ``x-messages`` or
    ``x-missing``) with the failed value, its type, its key and what is allowed."""
    parent = _at(data, path[:-1])
    enum = error.schema.get("enum", []) if isinstance(error.schema, dict) else []
    return words.phrase(
        f"params_schema.{key}",
        value=error.instance,
        type=type(error.instance).__name__,
        name=path[-1] if path else "",
        allowed=", ".join(str(v) for v in enum if v is not None),
        parent=_Fields(parent if isinstance(parent, dict) else {}),
    )


def _messages(error, data: object) -> list[tuple[tuple, str]]:
    """The (key path, message) pairs one jsonschema error stands for."""
    path = tuple(error.absolute_path)
    sub = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties":
        allowed = sorted(sub.get("properties", {}))
        out = []
        for key in error.instance:
            if key in allowed:
                continue
            close = difflib.get_close_matches(str(key), allowed, n=1)
            names = ", ".join(allowed)
            if close:
                message = words.phrase(
                    "params_schema.unknown_key_close", key=key, close=close[0], allowed=names
                )
            else:
                message = words.phrase("params_schema.unknown_key", key=key, allowed=names)
            out.append(((*path, key), message))
        return out
    if error.validator == "required":
        prop = sub.get("properties", {}).get(path[-1], {})
        key = _word(prop, "x-missing") or "missing_key"
        return [(path, _fill(key, error, path, data))]
    if error.validator == "type" and error.instance is None:
        key = _word(sub, "x-missing")
        if key:
            return [(path, _fill(key, error, path, data))]
    key = _word(sub, "x-messages", str(error.validator))
    if key:
        return [(path, _fill(key, error, path, data))]
    return [(path, words.phrase("params_schema.other", error=error.message))]


def schema_problems(data: object) -> list[tuple[tuple, str]]:
    """Every way ``data`` departs from the schema, as (key path, message), deduplicated."""
    found: dict[tuple[tuple, str], None] = {}
    for error in _validator().iter_errors(data):
        for item in _messages(error, data):
            found.setdefault(item, None)
    return list(found)


# ---------------------------------------------------------------- a file, checked


def check(path: str | Path) -> Parsed:
    """One params file read and checked: its data and every problem, in the order of the file.

    Problems on one line keep the order of the checks: the shape (schema) first, then the
    rules that need the catalogue or the register.
    """
    parsed = parse(path)
    if parsed.data is None:
        if not parsed.problems:
            parsed.problems.append(words.problem(parsed.file, None, None, "plans.empty"))
        return parsed
    ranked: list[tuple[int, int, int, Problem]] = []
    for problem in parsed.problems:  # duplicate keys
        ranked.append((problem.row or 0, 0, 0, problem))
    phases = (schema_problems(parsed.data), rules.rule_problems(parsed.data))
    for phase, items in enumerate(phases):
        for key_path, message in items:
            line, column = parsed.position(key_path)
            problem = words.problem(
                parsed.file, line, key_text(key_path) or None, "plans.as_found", message=message
            )
            ranked.append((line or 0, phase, column, problem))
    ranked.sort(key=lambda item: item[:3])
    parsed.problems = [item[3] for item in ranked[:MAX_PROBLEMS]]
    if len(ranked) > MAX_PROBLEMS:
        more = len(ranked) - MAX_PROBLEMS
        parsed.problems.append(
            words.problem(parsed.file, None, None, "plans.more_problems", n=more)
        )
    return parsed


def validate_params_file(path: str | Path) -> list[Problem]:
    """Every problem in one params file (empty when it is fine), each with file, line and key.

    The schema checks keys, types, operators, ``value_high`` only for ``between``, finite
    numbers, deadlines as MM-DD or a year or text; the rules check indicator ids (catalogue or
    the file's ``local_indicators``), values within the indicator's range, target years inside
    the plan period, one target per indicator and year, and the province (and former province)
    against :mod:`bdg_analysis.geo`. The reader refuses anchors and aliases and files over the
    size cap.
    """
    return check(path).problems


def validate_params_dir(directory: str | Path | None = None) -> list[Problem]:
    """The problems of every params file in ``directory`` (default: the project's params/)."""
    folder = Path(directory) if directory is not None else paths.params_dir()
    problems: list[Problem] = []
    files = sorted(folder.glob("*.yaml"))
    if not any(f.name == NATIONAL_FILE for f in files):
        problems.append(words.problem(str(folder / NATIONAL_FILE), None, None, "plans.not_found"))
    names: dict[str, Path] = {}
    for file in files:
        parsed = check(file)
        problems += parsed.problems
        data = parsed.data
        if isinstance(data, dict) and isinstance(data.get("jurisdiction"), dict):
            key = jkey(str(data["jurisdiction"].get("name", "")))
            if key in names:
                problems.append(
                    words.problem(
                        str(file),
                        parsed.line(("jurisdiction", "name")),
                        "jurisdiction.name",
                        "plans.same_jurisdiction",
                        other=names[key].name,
                    )
                )
            names[key] = file
    return problems
