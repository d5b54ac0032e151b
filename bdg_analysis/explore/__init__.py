"""The notebook API (``import bdg_analysis as bdg``): look-ups, data tables and charts.

The parts, each with one job:

- :mod:`~bdg_analysis.explore.lookups`: the catalogue, one indicator, a plan (``indicators``,
  ``indicator``, ``plan``);
- :mod:`~bdg_analysis.explore.data`: observations, series and rankings (``load``, ``series``,
  ``former_series``, ``latest``, ``movers``);
- :mod:`~bdg_analysis.explore.figures`: charts, drawn by :mod:`bdg_analysis.charts` (``chart``,
  ``former_chart``, ``distribution``, ``small_multiples``, ``outlier_chart``);
- :mod:`~bdg_analysis.explore.status`: a province's standing on every target (``status``);
- :mod:`~bdg_analysis.explore.reading`: what they read (files once per version, series rows).

Tables are :class:`bdg_analysis.tables.Table` (``table`` shows any DataFrame the same way).
"""

from bdg_analysis.explore.data import former_series, latest, load, movers, series
from bdg_analysis.explore.figures import (
    chart,
    distribution,
    former_chart,
    outlier_chart,
    small_multiples,
)
from bdg_analysis.explore.lookups import IndicatorInfo, PlanInfo, indicator, indicators, plan
from bdg_analysis.explore.status import status
from bdg_analysis.tables import Table, table

__all__ = [
    "IndicatorInfo",
    "PlanInfo",
    "Table",
    "chart",
    "distribution",
    "former_chart",
    "former_series",
    "indicator",
    "indicators",
    "latest",
    "load",
    "movers",
    "outlier_chart",
    "plan",
    "series",
    "small_multiples",
    "status",
    "table",
]
