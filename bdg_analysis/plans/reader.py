"""Read one params file safely: size cap, no anchors or aliases, YAML as written, lines of keys.

A params folder is read by every report and every scheduled run, so a hostile or clumsy file must
cost a second and one clear line, never minutes and gigabytes: a "billion laughs" file (aliases of
aliases) expands exponentially when it is constructed, so anchors and aliases are refused on the
event stream, before anything is built. The file's size is capped before it is read (the limit is
named in the message, with the variable that raises it). Dates stay the text they were written
as (``2021-04-08``, not a ``datetime.date``), so every later step sees what the document says.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from bdg_analysis import words
from bdg_analysis.errors import BdgInputError, Problem

# the C parser when PyYAML has it: the pure-Python one costs a second per report
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: The environment variable that raises (or lowers) the size cap of one params file, in bytes.
MAX_BYTES_ENV = "BDG_MAX_PARAMS_BYTES"
#: The default cap: the largest shipped plan is about 17 kB, so 256 KiB leaves fifteen times room
#: while a file at the cap is still read and checked in about a second.
DEFAULT_MAX_BYTES = 262_144
#: Deeper nesting than a params file ever needs (it needs 4) is refused before it is composed.
MAX_DEPTH = 32
#: Integers longer than this are not numbers a plan holds (and Python refuses >4300 digits).
_MAX_INT_DIGITS = 30


@dataclass
class Parsed:
    """One params file as read: its data, where each key is, and what went wrong.

    ``lines`` maps a key path (``("targets", 3, "value")``) to the 1-based line and column of
    that key (or list item) in the file, so every later message can name ``file:line: key``.
    ``data`` is None when the file could not be read as YAML at all.
    """

    file: str
    data: object = None
    lines: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line(self, path: tuple) -> int | None:
        """The line of ``path``, or of its nearest ancestor that is in the file."""
        return self.position(path)[0]

    def position(self, path: tuple) -> tuple[int | None, int]:
        for n in range(len(path), -1, -1):
            if path[:n] in self.lines:
                return self.lines[path[:n]]
        return None, 0


def max_bytes(environ: dict[str, str] | None = None) -> int:
    """The size cap of one params file: ``BDG_MAX_PARAMS_BYTES`` if set, else 256 KiB.

    Raises
    ------
    BdgInputError
        When the variable is set to something other than a positive whole number.
    """
    env = os.environ if environ is None else environ
    text = env.get(MAX_BYTES_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_BYTES
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        value = 0
    if value <= 0:
        raise BdgInputError(
            words.problem("<environment>", None, MAX_BYTES_ENV, "plans.bad_max_bytes", text=text)
        )
    return value


class _Refused(ConstructorError):
    """A value YAML can read but a plan never holds (its message needs no "not valid YAML")."""


class _Constructor(SafeConstructor):
    """PyYAML's safe constructor, with dates kept as text and absurd integers refused."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:  # type: ignore[override]
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > _MAX_INT_DIGITS:
            raise _Refused(
                None,
                None,
                words.phrase("plans.huge_integer", digits=digits),
                node.start_mark,
            )
        return super().construct_yaml_int(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)
_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)


def _refuse_references(text: str, file: str) -> Problem | None:
    """The first anchor or alias, or nesting deeper than :data:`MAX_DEPTH`, as a problem.

    Runs on the parser's events, which cost a few microseconds each and never expand anything,
    so a file built to explode is refused before it is composed.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_LOADER):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            return words.problem(file, line, None, "plans.yaml_alias", name=event.anchor)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            return words.problem(file, line, None, "plans.yaml_anchor", name=anchor)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return words.problem(file, line, None, "plans.too_deep", depth=MAX_DEPTH)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def _walk(node: yaml.Node, parsed: Parsed) -> None:
    """Record the line of every key and list item; report a key given twice in one mapping."""
    stack: list[tuple[yaml.Node, tuple]] = [(node, ())]
    while stack:
        current, path = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: dict[object, int] = {}
            for key_node, value_node in current.value:
                # a key that is itself a list or mapping is refused when constructed
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "<complex key>"
                sub = (*path, key)
                where = (key_node.start_mark.line + 1, key_node.start_mark.column)
                if key in seen:
                    parsed.problems.append(
                        words.problem(
                            parsed.file,
                            where[0],
                            key_text(sub),
                            "plans.key_twice",
                            key=key,
                            first=seen[key],
                        )
                    )
                    continue
                seen[key] = where[0]
                parsed.lines[sub] = where
                stack.append((value_node, sub))
        elif isinstance(current, yaml.SequenceNode):
            for i, item in enumerate(current.value):
                sub = (*path, i)
                parsed.lines[sub] = (item.start_mark.line + 1, item.start_mark.column)
                stack.append((item, sub))


def key_text(path: tuple) -> str:
    """A key path as people write it: ``targets[3].value``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _yaml_problem(file: str, err: yaml.YAMLError) -> Problem:
    mark = getattr(err, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(err, "problem", None) or str(err)
    if isinstance(err, _Refused):
        return words.problem(file, line, None, "plans.refused", message=problem)
    return words.problem(file, line, None, "plans.not_yaml", error=problem)


def read_text(path: Path, limit: int | None = None) -> str:
    """The text of a params file, refused when larger than the cap or not UTF-8.

    Reads at most ``limit + 1`` bytes, so a file that grows while it is read (or a device
    that never ends) still costs no more than the cap.
    """
    file = str(path)
    cap = max_bytes() if limit is None else limit
    try:
        with open(path, "rb") as handle:
            raw = handle.read(cap + 1)
    except FileNotFoundError:
        raise BdgInputError(words.problem(file, None, None, "plans.not_found")) from None
    except IsADirectoryError:
        raise BdgInputError(words.problem(file, None, None, "plans.is_folder")) from None
    except OSError as err:
        error = err.strerror or str(err)
        raise BdgInputError(
            words.problem(file, None, None, "plans.unreadable", error=error)
        ) from None
    if len(raw) > cap:
        raise BdgInputError(
            words.problem(file, None, None, "plans.too_large", cap=cap, name=MAX_BYTES_ENV)
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        reason = err.reason
        raise BdgInputError(
            words.problem(file, None, None, "plans.not_utf8", reason=reason)
        ) from None


def parse(path: str | Path, limit: int | None = None) -> Parsed:
    """A params file read as YAML with every safeguard; problems collected, never raised.

    Non-finite numbers are read as they are (``.nan`` is a float NaN) and refused by the
    schema, with the key they stand under.
    """
    path = Path(path)
    parsed = Parsed(str(path))
    cap = max_bytes() if limit is None else limit  # a bad setting is the caller's error, raised
    try:
        text = read_text(path, cap)
    except BdgInputError as err:
        parsed.problems += err.problems
        return parsed
    try:
        refused = _refuse_references(text, parsed.file)
        if refused is not None:
            parsed.problems.append(refused)
            return parsed
        node = yaml.compose(text, Loader=_LOADER)
        if node is None:
            parsed.data = None
            return parsed
        _walk(node, parsed)
        parsed.data = _Constructor().construct_document(node)
    except yaml.YAMLError as err:
        parsed.problems.append(_yaml_problem(parsed.file, err))
        parsed.data = None
    except (ValueError, OverflowError, RecursionError) as err:  # defensive: never a traceback
        parsed.problems.append(words.problem(parsed.file, None, None, "plans.not_yaml", error=err))
        parsed.data = None
    return parsed


def is_finite_number(value: object) -> bool:
    """True for an int or a finite float small enough to be a float (bools are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False
