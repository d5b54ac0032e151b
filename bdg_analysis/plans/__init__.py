"""Jurisdiction plans from params/*.yaml: own targets merged over the national defaults.

The package's parts, one job each: :mod:`.reader` reads a params file safely (size cap, no
anchors or aliases, lines of keys); :mod:`.schema` checks it against the JSON Schema in
``resources/params.schema.json`` and words every problem as ``file:line: key: message``;
:mod:`.rules` holds the checks that need the catalogue or the register; :mod:`.model` is the
:class:`Plan` and the names of plan documents; :mod:`.load` finds and merges plans; :mod:`.table`
prints ``bdg targets``. Callers use the names below: ``from bdg_analysis import plans;
plans.load_plan("Lạng Sơn")``.
"""

from __future__ import annotations

from bdg_analysis.plans.load import list_jurisdictions, load_plan
from bdg_analysis.plans.model import LEVELS, ROLES, STATUSES, Plan, citation, document_name
from bdg_analysis.plans.reader import DEFAULT_MAX_BYTES, MAX_BYTES_ENV
from bdg_analysis.plans.schema import NATIONAL_FILE, validate_params_dir, validate_params_file
from bdg_analysis.plans.table import format_targets, target_text

__all__ = [
    "DEFAULT_MAX_BYTES",
    "LEVELS",
    "MAX_BYTES_ENV",
    "NATIONAL_FILE",
    "ROLES",
    "STATUSES",
    "Plan",
    "citation",
    "document_name",
    "format_targets",
    "list_jurisdictions",
    "load_plan",
    "target_text",
    "validate_params_dir",
    "validate_params_file",
]
