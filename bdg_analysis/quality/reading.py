"""Reading data files for the checks without stopping at the first problem."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bdg_analysis import dataset, paths, validate, words
from bdg_analysis.errors import Problem


def data_files(data: str | Path | Sequence[str | Path] | None) -> list[Path]:
    """The files ``data=`` names; a relative path missing from the working folder is looked for
    in the project folder, so ``data/my_data.csv`` works from a notebook in ``notebooks/``."""
    if data is None:
        return [paths.default_data_file()]
    named = [data] if isinstance(data, (str, Path)) else list(data)
    out = []
    for item in named:
        path = Path(item)
        if not path.is_absolute() and not path.exists():
            in_project = paths.project_root() / path
            if in_project.exists():
                path = in_project
        out.append(path)
    return out


def demo_note(statuses: Sequence[str] | pd.Series, lang: str = "vi") -> str:
    """A warning when demonstration values are among ``statuses`` (else ''), so no table or
    chart of generated figures can be mistaken for published statistics."""
    lang = words.check_lang(lang, where="lang")
    values = pd.Series(statuses, dtype="object").dropna().astype(str)
    values = values[values != ""]
    n = int((values == "demo").sum())
    if not n:
        return ""
    return words.word(
        "quality.demo_note",
        lang,
        count=words.fmt_number(n, lang, 0),
        total=words.fmt_number(len(values), lang, 0),
    )


@dataclass
class Audit:
    """What the checks read: the valid observations, every problem, and the raw rows.

    ``observations`` are the rows ``bdg.load`` would give (rows with problems left out);
    ``problems`` are those ``bdg validate`` prints; ``raw`` is the files' text as read, with
    ``source_file`` and ``source_row``.
    """

    observations: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    raw: pd.DataFrame = field(default_factory=pd.DataFrame)
    files: list[str] = field(default_factory=list)


def read(data: str | Path | Sequence[str | Path] | None = None) -> Audit:
    """Read and check data files, keeping every problem instead of stopping at the first.

    Parameters
    ----------
    data
        A tidy data file, a list of files, or None for the embedded ``data/observations.csv``.

    Returns
    -------
    Audit
        ``observations`` (valid rows, as ``bdg.load`` gives them), ``problems`` (file, row,
        column, message: what ``bdg validate`` prints), ``raw`` rows and the ``files``.

    Examples
    --------
    >>> audit = quality.read(["data/observations.csv", "data/my_data.csv"])
    >>> len(audit.problems), quality.conflicts(audit)
    """
    files = data_files(data)
    raw, problems = dataset.read_files(files)
    shown = [paths.display_path(f) for f in files]
    if raw is None:
        empty = pd.DataFrame(columns=list(validate.OBSERVATION_COLUMNS))
        return Audit(empty, problems, pd.DataFrame(), shown)
    checked = validate.check(raw)
    return Audit(checked.observations, problems + checked.problems, raw, shown)
