"""bdg-analysis: track provinces against the targets of Vietnam's gender-equality strategy."""

from typing import TYPE_CHECKING

from bdg_analysis.version import __version__  # noqa: F401 - bdg.__version__

# ``import bdg_analysis as bdg`` in a notebook: bdg.load(), bdg.plan(...), bdg.series(...) and
# the rest of bdg_analysis.explore, imported on first use so ``import bdg_analysis`` stays fast.
_EXPLORE = frozenset(
    {
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
    }
)

if TYPE_CHECKING:  # pragma: no cover - for editors and completion; nothing is imported at run time
    from bdg_analysis.explore import (  # noqa: F401
        IndicatorInfo,
        PlanInfo,
        Table,
        chart,
        distribution,
        former_chart,
        former_series,
        indicator,
        indicators,
        latest,
        load,
        movers,
        outlier_chart,
        plan,
        series,
        small_multiples,
        status,
        table,
    )
    from bdg_analysis.projection import project  # noqa: F401


def __getattr__(name: str):
    """``bdg_analysis.project`` (the design's contract) and the notebook helpers of
    ``bdg_analysis.explore``, without importing scipy and pandas up front."""
    if name == "project":
        from bdg_analysis.projection import project

        return project
    if name in _EXPLORE:
        from bdg_analysis import explore

        return getattr(explore, name)
    raise AttributeError(f"module 'bdg_analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    """Tab completion lists the lazy names too."""
    return sorted((set(globals()) - {"TYPE_CHECKING"}) | _EXPLORE | {"project"})
