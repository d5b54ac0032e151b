"""The reader of Parquet files: a tidy table, one row per observation, rows counted from 1."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bdg_analysis import words
from bdg_analysis.errors import BdgInputError
from bdg_analysis.io import tidy
from bdg_analysis.io.registry import ReadOptions, Table, reader


@reader(".parquet", ".pq", name="Parquet table")
def read_parquet(path: Path, options: ReadOptions) -> Table:
    """Parquet: the tidy schema by name (aliases as in text files); every cell read as text."""
    shown = options.shown
    try:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a broken file
        raise BdgInputError(
            words.problem(shown, None, None, "io.parquet_unreadable", error=str(exc))
        ) from None
    names = [str(n) for n in table.column_names]
    header = tidy.match_header(names)
    if header is None:
        missing = [c for c in tidy.REQUIRED_COLUMNS if c not in {tidy.key(n) for n in names}]
        raise BdgInputError(
            words.problem(
                shown,
                None,
                None,
                "io.missing_columns",
                missing=", ".join(missing or tidy.REQUIRED_COLUMNS),
                schema=", ".join(tidy.TIDY_COLUMNS),
            )
        )
    columns = [_as_text(table.column(i).to_pandas()) for i in range(len(names))]
    inferred: dict[str, str] = {"layout": words.phrase("io.layout_parquet")}
    frame, problems, warnings = tidy.build(
        header,
        columns,
        np.arange(1, table.num_rows + 1),
        shown,
        0,
        inferred,
        decimal=None,
    )
    for p in problems:  # a Parquet file has no header line: its column problems have no row
        if p.row == 0:
            p.row = None
    inferred.pop("decimal mark", None)
    frame["source_file"] = shown
    canonical = not header.aliases and not header.ignored
    return Table(shown, frame, inferred, problems, canonical=canonical, warnings=warnings)


def _as_text(values: pd.Series) -> pd.Series:
    """Every cell as text as written: whole floats without '.0', missing as empty."""

    def cell(value) -> str:
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return pd.Series(values.astype(object).map(cell), dtype="str")
