"""A numeric target and whether a value meets it: shared by catalogue, plans and progress."""

from __future__ import annotations

from dataclasses import dataclass, replace

OPERATORS = ("ge", "gt", "le", "lt", "between")

OPERATOR_SYMBOLS = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "between": "–"}

DIRECTIONS = ("higher", "lower")


@dataclass(frozen=True)
class Target:
    """One target value for one indicator and year, worded as its document words it.

    ``op`` is one of ``ge``, ``gt``, ``le``, ``lt``, ``between``; ``value_high`` is set
    only for ``between``. ``source`` cites the document and section the value comes from.
    ``two_sided`` (only for ``between``) says the plan means the band literally: a value
    beyond either bound misses it. Without it, a band on an indicator with a direction is
    judged by its bound on the worse side (see :meth:`effective`): "40-60 % of the population
    reached" is not missed by reaching 75 %.
    """

    indicator: str
    year: int
    op: str
    value: float
    value_high: float | None = None
    source: str = ""
    wording: str = ""
    two_sided: bool = False

    def __post_init__(self) -> None:
        if self.op not in OPERATORS:
            raise ValueError(f"operator {self.op!r} is not one of {', '.join(OPERATORS)}")
        if (self.op == "between") != (self.value_high is not None):
            raise ValueError("value_high is required for 'between' and only for it")
        if self.op == "between" and self.value_high < self.value:  # type: ignore[operator]
            raise ValueError("value_high must not be below value")
        if self.two_sided and self.op != "between":
            raise ValueError("two_sided is only for 'between'")

    def effective(self, direction: str | None) -> Target:
        """The one-sided target a value is judged against on an indicator with ``direction``.

        A ``between`` band that is not ``two_sided`` reads as its lower bound when higher is
        better (``40–60`` -> ``≥ 40``) and as its upper bound when lower is better (``≤ 60``):
        a plan that asks for 40-60 % by a year does not count 75 % as a failure. Every other
        target, a two-sided band, or an unknown direction, is returned unchanged.
        """
        if self.op != "between" or self.two_sided or direction not in DIRECTIONS:
            return self
        if direction == "higher":
            return replace(self, op="ge", value_high=None)
        return replace(self, op="le", value=self.value_high, value_high=None)

    def is_met(self, observed: float, direction: str | None = None) -> bool:
        """True when ``observed`` satisfies the target.

        With ``direction`` (``"higher"`` or ``"lower"``, the indicator's), a band is read as
        :meth:`effective` reads it; without, literally (both bounds).
        """
        if direction is not None:
            return self.effective(direction).is_met(observed)
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
        """The JSON form fixed by the design's contract (``two_sided`` is not part of it)."""
        return {
            "id": self.indicator,
            "year": self.year,
            "op": self.op,
            "value": self.value,
            "value_high": self.value_high,
            "unit": unit,
            "source": self.source,
        }
