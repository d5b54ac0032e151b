"""A numeric target and whether a value meets it: shared by catalogue, plans and progress."""

from __future__ import annotations

from dataclasses import dataclass

OPERATORS = ("ge", "gt", "le", "lt", "between")

OPERATOR_SYMBOLS = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "between": "–"}


@dataclass(frozen=True)
class Target:
    """One target value for one indicator and year, worded as its document words it.

    ``op`` is one of ``ge``, ``gt``, ``le``, ``lt``, ``between``; ``value_high`` is set
    only for ``between``. ``source`` cites the document and section the value comes from.
    """

    indicator: str
    year: int
    op: str
    value: float
    value_high: float | None = None
    source: str = ""
    wording: str = ""

    def __post_init__(self) -> None:
        if self.op not in OPERATORS:
            raise ValueError(f"operator {self.op!r} is not one of {', '.join(OPERATORS)}")
        if (self.op == "between") != (self.value_high is not None):
            raise ValueError("value_high is required for 'between' and only for it")
        if self.op == "between" and self.value_high < self.value:  # type: ignore[operator]
            raise ValueError("value_high must not be below value")

    def is_met(self, observed: float) -> bool:
        """True when ``observed`` satisfies the target."""
        if self.op == "ge":
            return observed >= self.value
        if self.op == "gt":
            return observed > self.value
        if self.op == "le":
            return observed <= self.value
        if self.op == "lt":
            return observed < self.value
        return self.value <= observed <= self.value_high  # type: ignore[operator]

    def label(self) -> str:
        """Short human form, e.g. ``≥ 60`` or ``40–60``, without number formatting."""
        if self.op == "between":
            return f"{self.value:g}–{self.value_high:g}"
        return f"{OPERATOR_SYMBOLS[self.op]} {self.value:g}"

    def to_dict(self, unit: str = "") -> dict:
        """The JSON form fixed by the design's contract."""
        return {
            "id": self.indicator,
            "year": self.year,
            "op": self.op,
            "value": self.value,
            "value_high": self.value_high,
            "unit": unit,
            "source": self.source,
        }
