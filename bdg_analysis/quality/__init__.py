"""Data-quality checks for notebooks: coverage, flagged values, outliers, conflicts.

The parts, each with one job:

- :mod:`~bdg_analysis.quality.reading`: files read without stopping at the first problem
  (``read``, ``Audit``, ``data_files``) and the demonstration-data warning (``demo_note``);
- :mod:`~bdg_analysis.quality.coverage`: what the data hold (``coverage_matrix``, ``gaps``,
  ``status_counts``, ``flagged``);
- :mod:`~bdg_analysis.quality.outliers`: values out of line with their own series' history
  (``outliers``, ``outlier_rule``, ``robust_z``, ``robust_scale``, ``precision``);
- :mod:`~bdg_analysis.quality.problems`: conflicts and repeats, the other problems, the counts
  (``conflicts``, ``problems_table``, ``summary``).
"""

from bdg_analysis.quality.coverage import coverage_matrix, flagged, gaps, status_counts
from bdg_analysis.quality.outliers import (
    MIN_CHANGES,
    Z_THRESHOLD,
    outlier_rule,
    outliers,
    precision,
    robust_scale,
    robust_z,
    z_decimals,
)
from bdg_analysis.quality.problems import conflicts, is_duplicate, problems_table, summary
from bdg_analysis.quality.reading import Audit, data_files, demo_note, read

__all__ = [
    "Audit",
    "MIN_CHANGES",
    "Z_THRESHOLD",
    "conflicts",
    "coverage_matrix",
    "data_files",
    "demo_note",
    "flagged",
    "gaps",
    "is_duplicate",
    "outlier_rule",
    "outliers",
    "precision",
    "problems_table",
    "read",
    "robust_scale",
    "robust_z",
    "status_counts",
    "summary",
    "z_decimals",
]
