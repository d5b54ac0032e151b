"""Data files into checked observations: io reads, validate checks, layers stack, cache keeps."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from bdg_analysis import geo, io, paths, validate, words
from bdg_analysis.dataset import stored
from bdg_analysis.errors import BdgInputError, Problem

#: One value per place, indicator, year and sex: the key a later layer replaces a value by.
LAYER_KEY = ("province", "former", "indicator", "year", "sex")

#: Words of a note that withdraw a figure: an empty value whose note holds one of them hides
#: the figure beneath it (folded: no case, no diacritics). Any other empty value leaves the
#: figure beneath in place.
WITHDRAWN_WORDS = ("thu hoi", "rut lai", "huy bo", "withdrawn", "retracted")
_WITHDRAWN = re.compile(r"\b(?:" + "|".join(WITHDRAWN_WORDS) + r")\b")


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


def check_files(files: Iterable[Path | str], *, cache_dir: Path | None = None) -> validate.Checked:
    """Read and validate every file, collecting all problems rather than stopping at one.

    Observations that check out are kept in the analysis cache (``cache_dir``, default
    :func:`bdg_analysis.cache.default_dir`; see :mod:`bdg_analysis.dataset.stored`), so the
    same files are read back rather than checked again, by this process or another (the
    report's kernel after the command line checked them).
    """
    files = list(files)
    kept = stored.path_for(files, cache_dir) if files else None
    observations = stored.read(kept, validate.OBSERVATION_COLUMNS)
    if observations is not None:
        return validate.Checked(observations, [])
    raw, problems = read_files(files)
    if raw is None:
        empty = pd.DataFrame(columns=list(validate.OBSERVATION_COLUMNS))
        return validate.Checked(empty, problems)
    checked = validate.check(raw)
    checked.problems = problems + checked.problems
    if not checked.problems:
        stored.write(kept, checked.observations)
    return checked


def _file_list(files: Iterable[Path | str] | Path | str | None) -> list[Path | str]:
    if files is None:
        return [paths.default_data_file()]
    if isinstance(files, (str, Path)):
        return [files]
    return list(files)


def load(files: Iterable[Path | str] | Path | str | None = None) -> pd.DataFrame:
    """Observations from ``files`` (default: the embedded dataset), or BdgInputError.

    The frame has the tidy columns plus ``province_code``, ``former`` (the former province a
    pre-2025 row belongs to, else empty), ``missing_marker``, ``source_file`` and
    ``source_row`` so every number can be traced to its file and row. Several files are
    checked as one dataset: the same value twice is a problem (see :func:`load_layers` for
    files that replace each other's values).
    """
    checked = check_files(_file_list(files))
    if checked.problems:
        raise BdgInputError(checked.problems)
    return checked.observations


def layer_files(
    data: Sequence[Path | str] | Path | str | None, *, embedded: bool = False
) -> list[str] | None:
    """The files of a run, lowest layer first, as :func:`load_inputs` and the reports take them.

    ``data`` None (or no file): None, the embedded dataset alone. Otherwise the files given,
    in order, with the embedded dataset underneath when ``embedded`` is set and the project
    has it (a project folder holding only its own data and plans has no embedded dataset to
    lay under them; nor when it is among the files given). Plain strings: the list goes into
    notebook parameters as it is.
    """
    if data is None:
        return None
    given = [data] if isinstance(data, (str, Path)) else list(data)
    if not given:
        return None
    files = [str(f) for f in given]
    default = paths.default_data_file()
    if embedded and default.is_file():
        given_paths = {Path(f).resolve() for f in files}
        if default.resolve() not in given_paths:
            files.insert(0, str(default))
    return files


def load_inputs(data: Sequence[Path | str] | Path | str | None) -> pd.DataFrame:
    """The observations of a run's data: the embedded dataset (``data`` None), one file, or
    several files laid over each other in order (:func:`load_layers`, the later winning).

    One file is loaded exactly as :func:`load` loads it, so a report on one file is what it
    always was; the list of :func:`layer_files` goes in as it is.
    """
    if data is None:
        return load(None)
    files = [data] if isinstance(data, (str, Path)) else list(data)
    if len(files) == 1:
        return load(files)
    return load_layers(files)


def load_layers(
    files: Sequence[Path | str] | Path | str, *, embedded: bool = False
) -> pd.DataFrame:
    """Observations of several files laid over each other in order, the later file winning.

    For the same province (and former province), indicator, year and sex, the row of the
    last file that has a figure is kept, whole: its value, status, note, numerator and
    denominator, ``source_file`` and ``source_row``, so every value still names the file and
    row it came from. Everything else of every file is kept. With ``embedded`` the embedded
    dataset lies underneath, so a province bringing its own figures keeps the national series
    and the other provinces.

    An empty value does not erase a figure beneath it: a department that leaves a cell empty
    ("no figure this year") says it has no figure, not that a published one is wrong. Only an
    empty value whose note says the figure is withdrawn (:data:`WITHDRAWN_WORDS`: "thu hồi",
    "rút lại", "hủy bỏ", "withdrawn", "retracted", e.g. "thu hồi: sai số liệu gốc") hides
    the figure beneath it. An empty value with no figure beneath is kept (its note and
    missing-value marker say why there is none).

    Each file is checked on its own (a value in two files is not a problem here, as it is in
    :func:`load`); the problems of every file are reported together as BdgInputError.

    Parameters
    ----------
    files
        Data files, lowest layer first.
    embedded
        Put the embedded dataset (``data/observations.csv``) under the first file.

    Returns
    -------
    DataFrame
        The columns of :func:`load`, sorted by province, indicator, year, sex, then the order
        of the layers.
    """
    layers = _file_list(files) if files is not None else []
    if embedded:
        layers = [paths.default_data_file(), *layers]
    if not layers:
        raise BdgInputError(words.problem("<argument>", None, "files", "layers.no_data_file"))
    frames, problems = [], []
    for file in layers:
        checked = check_files([file])
        problems += checked.problems
        frames.append(checked.observations)
    if problems:
        raise BdgInputError(problems)
    stacked = pd.concat(frames, ignore_index=True)
    out = stacked.iloc[_winners(stacked)].sort_values(
        list(LAYER_KEY[:1] + LAYER_KEY[2:]), kind="stable"
    )
    return out.reset_index(drop=True)


def withdrawn(notes: pd.Series) -> np.ndarray:
    """Which notes withdraw a figure (:data:`WITHDRAWN_WORDS`, folded)."""
    folded = notes.fillna("").astype("str").map(geo.ascii_fold)
    return folded.str.contains(_WITHDRAWN).fillna(False).to_numpy(dtype=bool)


def _winners(stacked: pd.DataFrame) -> np.ndarray:
    """Positions of the row each key keeps, in the stacked order: the last row with a figure
    or a withdrawing note, else the last row (an empty value over nothing)."""
    if stacked.empty:
        return np.arange(0)
    codes = stacked.groupby(list(LAYER_KEY), sort=False, dropna=False).ngroup().to_numpy()
    value = pd.to_numeric(stacked["value"], errors="coerce").to_numpy(dtype="float64")
    decisive = ~np.isnan(value)
    empty = ~decisive
    if empty.any():
        decisive[empty] = withdrawn(stacked["note"].iloc[np.flatnonzero(empty)])
    position = np.arange(len(stacked))
    order = np.lexsort((position, decisive.astype(np.int8), codes))
    last = np.r_[codes[order][1:] != codes[order][:-1], True]
    return np.sort(order[last])


def describe_problem_count(problems: list[Problem], lang: str = "en") -> str:
    """How many problems in how many files, in ``lang`` (the command line's language)."""
    from bdg_analysis.words import word

    files = {p.file for p in problems}
    return word("cli.problem_count", lang, problems=len(problems), files=len(files))
