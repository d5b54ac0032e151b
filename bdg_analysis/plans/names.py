"""How jurisdictions are matched by name and indicator ids are put in the documents' order."""

from __future__ import annotations

import re

from bdg_analysis import geo

ID_PATTERN = re.compile(r"^M(\d+)\.CT(\d+)([a-z]?)$")
_UNIT_PREFIXES = ("huyen", "quan", "thixa")


def jkey(name: str) -> str:
    """The matching key of a jurisdiction's name: folded, without a district-level prefix.

    'huyện Hiệp Hòa', 'Hiệp Hoà' and 'Hiep Hoa' all give ``hiephoa``.
    """
    key = geo.fold(name)
    for prefix in _UNIT_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :]
    return key


def id_order(indicator_id: str) -> tuple:
    """Sort key of an indicator id in the documents' order: goal, target number, part letter."""
    m = ID_PATTERN.match(indicator_id)
    if not m:
        return (99, 99, indicator_id)
    return (int(m.group(1)), int(m.group(2)), m.group(3))
