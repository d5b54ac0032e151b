"""Observations on current boundaries: load and check files, put former provinces together.

The parts, each with one job:

- :mod:`~bdg_analysis.dataset.load`: data files into checked observations (``load``,
  ``check_files``, ``read_files``), files laid over each other (``load_layers``; a run's
  files, the embedded dataset underneath or not: ``layer_files``, ``load_inputs``);
- :mod:`~bdg_analysis.dataset.stored`: checked observations kept in the analysis cache;
- :mod:`~bdg_analysis.dataset.boundaries`: former provinces put together onto the 34 current
  ones (rules, weights, the trace columns and notes of each row);
- :mod:`~bdg_analysis.dataset.selection`: which rows of a series count as its total;
- :mod:`~bdg_analysis.dataset.precision`: the decimals a series is recorded with;
- :mod:`~bdg_analysis.dataset.context`: the ``Context`` reports and notebooks share.
"""

from bdg_analysis.dataset.boundaries import TRACE_COLUMNS, aggregate_former, current_frame
from bdg_analysis.dataset.context import Context
from bdg_analysis.dataset.load import (
    LAYER_KEY,
    WITHDRAWN_WORDS,
    check_files,
    describe_problem_count,
    layer_files,
    load,
    load_inputs,
    load_layers,
    read_files,
    withdrawn,
)
from bdg_analysis.dataset.precision import recorded_decimals
from bdg_analysis.dataset.selection import TOTAL_SEXES, series_rows, total_sex

__all__ = [
    "LAYER_KEY",
    "TOTAL_SEXES",
    "TRACE_COLUMNS",
    "WITHDRAWN_WORDS",
    "Context",
    "aggregate_former",
    "check_files",
    "current_frame",
    "describe_problem_count",
    "layer_files",
    "load",
    "load_inputs",
    "load_layers",
    "read_files",
    "recorded_decimals",
    "series_rows",
    "total_sex",
    "withdrawn",
]
