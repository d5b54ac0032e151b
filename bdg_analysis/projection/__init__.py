"""Project a yearly series to a target year with an honest interval and the chance a target is met.

The question a report answers is "will we make it by 2030?", from a few yearly or survey values,
often with gaps. The package answers it in steps, each stated in the result so a reader can check:

- :mod:`.inputs` checks the series; :mod:`.breaks` handles a level shift (a new survey method);
- :mod:`.transforms` puts the series on the scale of the bound it approaches (none is crossed);
- :mod:`.members` holds the methods; the final one, ``damped_trend``, is the mean of three slopes
  damped by φ a year; :mod:`.ets` keeps damped exponential smoothing for comparison;
- :mod:`.pool` backtests the other provinces' series of the same indicator, by series, so the
  assessed series and demonstration series are left out; :mod:`.calibration` turns the backtest
  into φ and an empirical distribution of errors by length and horizon (or the defaults);
- :mod:`.engine` runs all of it on many series at once; :mod:`.api` on one; :mod:`.result`
  is the answer, whose interval and probabilities come from the same distribution.

See docs/methods/projection-and-status.md, section 2, and benchmarks/bench_projection.py.
"""

from bdg_analysis.projection.api import project, project_path
from bdg_analysis.projection.breaks import Break
from bdg_analysis.projection.calibration import ErrorDistribution, default_calibration
from bdg_analysis.projection.engine import DEFAULT_LEVEL, project_many
from bdg_analysis.projection.inputs import clean_series
from bdg_analysis.projection.members import FINAL, MEMBERS, METHOD_NAMES, METHODS
from bdg_analysis.projection.pool import PooledErrors, pooled_backtest_errors
from bdg_analysis.projection.result import Projection, band
from bdg_analysis.projection.transforms import Transform, make_transform

_clean_series = clean_series  # the name progress.py has used

# the public functions belong to the package, wherever they are written
for _f in (project, project_path, project_many, pooled_backtest_errors, band, make_transform):
    _f.__module__ = __name__
del _f

__all__ = [
    "DEFAULT_LEVEL",
    "FINAL",
    "MEMBERS",
    "METHODS",
    "METHOD_NAMES",
    "Break",
    "ErrorDistribution",
    "PooledErrors",
    "Projection",
    "Transform",
    "band",
    "clean_series",
    "default_calibration",
    "make_transform",
    "pooled_backtest_errors",
    "project",
    "project_many",
    "project_path",
]
