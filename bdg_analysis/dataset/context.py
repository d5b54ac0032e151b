"""The observations of one run on current boundaries, shared by reports and notebooks."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from bdg_analysis import cache
from bdg_analysis.dataset import boundaries, stored
from bdg_analysis.dataset.selection import series_rows, total_sex


class Context:
    """The observations of one run, on current boundaries, read by every report and notebook.

    Built once per notebook run (or per ``bdg run-all`` worker); every province's scorecard
    reads from it.

    Parameters
    ----------
    observations
        Checked observations (:func:`bdg_analysis.dataset.load`), former provinces under their
        current province with the ``former`` column.
    cache_dir
        Where results derived from the data are kept between runs (:meth:`memo`); None: not
        kept.
    weights
        A table of proper denominators for putting former provinces together
        (:func:`bdg_analysis.dataset.boundaries.weights_index`); None: population stand-ins.

    Notes
    -----
    ``current`` holds every row, with the trace columns of
    :data:`bdg_analysis.dataset.boundaries.TRACE_COLUMNS`. :meth:`rows`, :meth:`series` and
    :meth:`year_rows`, which trends, ranks and projections read, hold only what a series may
    use: the total rows of each series (:func:`bdg_analysis.dataset.total_sex`) and complete
    rows; a merged province's year in which only some former provinces had a value
    (``complete`` False, e.g. Ninh Bình's sex ratio at birth 2011 = Nam Định alone) is left
    out, and :meth:`incomplete` lists those rows so a report can say so.
    """

    def __init__(
        self,
        observations: pd.DataFrame,
        cache_dir: Path | None = None,
        weights: pd.DataFrame | None = None,
    ):
        self.observations = observations
        self.cache_dir = cache_dir
        self.weights = weights

    def prepare(self) -> Context:
        """Compute now what every reader needs (the frame on current boundaries, its groups and
        digests), e.g. before forking report kernels that inherit it; returns ``self``."""
        for name in ("current", "_groups", "_incomplete_groups", "_by_indicator_year"):
            getattr(self, name)
        self.data_digest  # noqa: B018
        self.rows_digest  # noqa: B018
        return self

    @cached_property
    def current(self) -> pd.DataFrame:
        """Every series on the 34 current provinces: former provinces put together, missing
        values left out, with the trace columns (``aggregated``, ``complete``, ``source_rows``,
        ``parts_used``, ``parts_missing``, ``rule``, ``weight``, ...)."""
        path = stored.current_path(self.cache_dir, self.rows_digest) if self.cache_dir else None
        kept = stored.read_current(path)
        if kept is not None:
            return kept
        frame = boundaries.current_frame(self.observations, weights=self.weights)
        stored.write_current(path, frame)
        return frame

    @cached_property
    def _usable(self) -> pd.DataFrame:
        """The rows a series may use: each series' total, complete years only."""
        return series_rows(self.current)

    @cached_property
    def _groups(self) -> dict[tuple[str, str], pd.DataFrame]:
        return {
            key: rows for key, rows in self._usable.groupby(["province", "indicator"], sort=False)
        }

    @cached_property
    def _incomplete_groups(self) -> dict[tuple[str, str], pd.DataFrame]:
        cur = total_sex(self.current)
        left_out = cur[~cur["complete"].astype(bool)]
        return {key: rows for key, rows in left_out.groupby(["province", "indicator"], sort=False)}

    @cached_property
    def _by_indicator_year(self) -> dict[tuple[str, int], pd.DataFrame]:
        return {key: rows for key, rows in self._usable.groupby(["indicator", "year"], sort=False)}

    def year_rows(self, indicator: str, year: int) -> pd.DataFrame:
        """Every place's value of one indicator in one year (for ranks): totals, complete."""
        rows = self._by_indicator_year.get((indicator, year))
        return self.current.iloc[0:0] if rows is None else rows

    def rows(self, province: str, indicator: str, up_to: int | None = None) -> pd.DataFrame:
        """The rows behind :meth:`series`, up to ``up_to`` (default: every year), with their
        trace columns: the file and row of each value, or the rows it was built from."""
        rows = self._groups.get((province, indicator))
        if rows is None:
            return self.current.iloc[0:0]
        return rows if up_to is None else rows[rows["year"] <= up_to]

    def series(self, province: str, indicator: str, up_to: int | None = None) -> pd.Series:
        """One province's values of one indicator by year, as trends and projections use them:
        years put together from only some former provinces are not in it (see
        :meth:`incomplete`)."""
        rows = self.rows(province, indicator, up_to)
        return pd.Series(
            rows["value"].to_numpy(dtype="float64"),
            index=rows["year"].to_numpy(dtype=int),
            name=indicator,
        )

    def incomplete(self, province: str, indicator: str, up_to: int | None = None) -> pd.DataFrame:
        """Rows left out of :meth:`series` because some former provinces had no value that
        year (``parts_missing`` names them): for a report's data notes."""
        rows = self._incomplete_groups.get((province, indicator))
        if rows is None:
            return self.current.iloc[0:0]
        return rows if up_to is None else rows[rows["year"] <= up_to]

    def memo(
        self,
        name: str,
        key: tuple[Hashable, ...],
        compute: Callable[[], Any],
        *,
        encode: Callable[[Any], Any] | None = None,
        decode: Callable[[Any], Any] | None = None,
    ) -> Any:
        """A result derived from these observations, computed once and kept: in memory, and
        in ``cache_dir`` as JSON (``{name}-{data_digest}-{key...}.json``) so later runs on the
        same data and code read it back (analysis modules keep pooled backtest errors this way).

        ``encode`` turns the result into JSON values and ``decode`` back (default: the result
        is JSON already). Nothing is unpickled: a file that does not check out is ignored.
        """
        store = self.__dict__.setdefault(f"_{name}", {})
        if key not in store and self.cache_dir is not None:
            stored = cache.read_json(self._memo_file(name, key), self._memo_key(name, key))
            if stored is not None:
                store[key] = decode(stored) if decode else stored
        if key not in store:
            store[key] = compute()
            if self.cache_dir is not None:
                value = encode(store[key]) if encode else store[key]
                cache.write_json(self._memo_file(name, key), self._memo_key(name, key), value)
        return store[key]

    def _memo_key(self, name: str, key: tuple[Hashable, ...]) -> str:
        return "|".join([name, self.data_digest, *map(str, key)])

    def _memo_file(self, name: str, key: tuple[Hashable, ...]) -> Path:
        assert self.cache_dir is not None
        return self.cache_dir / ("-".join([name, self.data_digest, *map(str, key)]) + ".json")

    @cached_property
    def data_digest(self) -> str:
        """A fingerprint of the observations and the package code: pooled errors and
        scorecards depend on nothing else (and, for scorecards, the plans). Whether a value is
        demonstration data counts (pools leave demonstration series out for real ones)."""
        cols = ["province", "former", "indicator", "year", "value", "sex"]
        frame = self.observations[cols].assign(demo=self.observations["status"].eq("demo"))
        text = frame.to_csv(index=False) + self._weights_text()
        return hashlib.sha256((cache.code_digest() + text).encode("utf-8")).hexdigest()[:20]

    @cached_property
    def rows_digest(self) -> str:
        """A fingerprint of every column of the observations and the code: a scorecard keeps
        rows (status, note, file and row of each value), so any change there makes a new one."""
        text = self.observations.to_csv(index=False) + self._weights_text()
        return hashlib.sha256((cache.code_digest() + text).encode("utf-8")).hexdigest()[:20]

    def _weights_text(self) -> str:
        return "" if self.weights is None else "\nweights\n" + self.weights.to_csv(index=False)
