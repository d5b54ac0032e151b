"""Load data files into checked observations: io reads, validate checks, geo names."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from bdg_analysis import io, paths, validate
from bdg_analysis.errors import BdgInputError, Problem


def read_files(files: Iterable[Path | str]) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The rows of every readable file, concatenated (None if no file could be read), and the
    problems of those that could not: one bad file does not hide the others' problems."""
    frames, problems = [], []
    for file in files:
        try:
            frames.append(io.read_table(file))
        except BdgInputError as err:
            problems += err.problems
    return (pd.concat(frames, ignore_index=True) if frames else None), problems


def check_files(files: Iterable[Path | str]) -> validate.Checked:
    """Read and validate every file, collecting all problems rather than stopping at one."""
    raw, problems = read_files(files)
    if raw is None:
        empty = pd.DataFrame(columns=list(validate.OBSERVATION_COLUMNS))
        return validate.Checked(empty, problems)
    checked = validate.check(raw)
    checked.problems = problems + checked.problems
    return checked


def load(files: Iterable[Path | str] | Path | str | None = None) -> pd.DataFrame:
    """Observations from ``files`` (default: the embedded dataset), or BdgInputError.

    The frame has the tidy columns plus ``province_code``, ``former`` (the former province a
    pre-2025 row belongs to, else empty), ``missing_marker``, ``source_file`` and
    ``source_row`` so every number can be traced to its file and row.
    """
    if files is None:
        files = [paths.default_data_file()]
    elif isinstance(files, (str, Path)):
        files = [files]
    checked = check_files(list(files))
    if checked.problems:
        raise BdgInputError(checked.problems)
    return checked.observations


def describe_problem_count(problems: list[Problem]) -> str:
    files = sorted({p.file for p in problems})
    return f"{len(problems)} problem(s) in {len(files)} file(s)"
