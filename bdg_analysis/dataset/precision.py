"""How precisely a series is recorded: the decimals its values were published with."""

from __future__ import annotations

import math
from collections.abc import Iterable


def recorded_decimals(values: Iterable[float | None]) -> int | None:
    """How many decimals (0-2) the values are recorded with; None when there are none.

    A fact of the data (108.0 beside 115.4 is recorded with one decimal, counts with none), so
    every page shows a series' numbers alike.
    """
    found = None
    for value in values:
        if value is None or not math.isfinite(float(value)):
            continue
        number = float(value)
        used = 0 if number == round(number) else (1 if number == round(number, 1) else 2)
        found = used if found is None else max(found, used)
    return found
