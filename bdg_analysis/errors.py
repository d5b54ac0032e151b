"""Typed errors: every user mistake becomes one of these, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Problem:
    """One problem in an input file: where it is and what was expected.

    ``code`` (keyword only, not printed) names the kind of problem for programs that act on
    it, e.g. ``"duplicate"`` for a row repeating a place, indicator, year and sex, so that
    they need not read the message; None when no program needs to tell it apart.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    code: str | None = field(default=None, kw_only=True)

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
        column = f" {self.column}:" if self.column else ""
        return f"{where}:{column} {self.message}"


class BdgError(Exception):
    """Base class of the errors the command line reports without a traceback."""

    exit_code = 1


class BdgInputError(BdgError):
    """Bad input (a data file, a params file, a name): exit code 2.

    Carries one or more :class:`Problem` so the CLI can print one line each.
    """

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(file="<input>", row=None, column=None, message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UnknownNameError(BdgInputError):
    """A province or indicator name that matches nothing; carries suggestions.

    Built by :func:`bdg_analysis.words.unknown_name`, which says ``message`` in the user's
    language ("unknown province 'X'; did you mean: ...?").
    """

    def __init__(self, kind: str, name: str, suggestions: list[str], file: str, *, message: str):
        self.name = name
        self.suggestions = suggestions
        super().__init__(Problem(file, None, kind, message))


class RunError(BdgError):
    """A notebook run failed (exit code 1); the last good report is kept."""

    exit_code = 1
