"""The indicator catalogue of Resolution 28/NQ-CP: ids, names, units, direction, bounds, targets."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml

from bdg_analysis import words
from bdg_analysis.paths import RESOURCES_DIR
from bdg_analysis.targets import Target

# the C parser when PyYAML has it: the pure-Python one costs a second per report
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

CATALOGUE_FILE = RESOURCES_DIR / "catalogue.yaml"


@dataclass(frozen=True)
class Indicator:
    """One indicator of the strategy, with its national targets.

    ``direction`` is ``"higher"`` or ``"lower"`` (which way is better); ``lower`` and
    ``upper`` are the natural bounds (0-100 for shares) that projections must respect.
    ``weight`` names the denominator used to put former provinces together. ``evidence``
    grades how firmly the national values are established (A-C, N = none found; see
    docs/sources/nq28_targets.md).
    """

    id: str
    goal: int
    name_vi: str
    name_en: str
    short_vi: str
    short_en: str
    unit_vi: str
    unit_en: str
    kind: str
    direction: str
    lower: float | None
    upper: float | None
    weight: str | None
    data_source_vi: str
    data_source_en: str
    agency: str
    national_targets: tuple[Target, ...]
    evidence: str = "A"
    national_note_vi: str = ""
    national_note_en: str = ""

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" else self.name_vi

    def short(self, lang: str = "vi") -> str:
        return self.short_en if lang == "en" else self.short_vi

    def unit(self, lang: str = "vi") -> str:
        return self.unit_en if lang == "en" else self.unit_vi

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"

    def national_target(self, year: int) -> Target | None:
        """The national target for ``year``, if the resolution sets one."""
        return next((t for t in self.national_targets if t.year == year), None)


@lru_cache(maxsize=1)
def _load() -> tuple[dict, dict[str, Indicator]]:
    raw = yaml.load(CATALOGUE_FILE.read_text(encoding="utf-8"), Loader=_LOADER)
    doc = raw["document"]
    source = f"Nghị quyết {doc['number']} ngày {doc['date']}, mục {doc['section']}"
    indicators: dict[str, Indicator] = {}
    for item in raw["indicators"]:
        targets = tuple(
            Target(
                indicator=item["id"],
                year=int(t["year"]),
                op=t["op"],
                value=float(t["value"]),
                value_high=None if t.get("value_high") is None else float(t["value_high"]),
                source=source,
                wording=t.get("wording", ""),
            )
            for t in item.get("targets", [])
        )
        fields = {k: v for k, v in item.items() if k != "targets"}
        indicators[item["id"]] = Indicator(**fields, national_targets=targets)
    return raw, indicators


def indicators() -> list[Indicator]:
    """Every indicator, in the order of the resolution (goal, then target number)."""
    return list(_load()[1].values())


def ids() -> list[str]:
    return list(_load()[1])


def get(indicator_id: str) -> Indicator:
    """The indicator with this id (``M4.CT1``); case and spaces are forgiven."""
    table = _load()[1]
    key = indicator_id.strip()
    if key in table:
        return table[key]
    folded = {k.upper(): v for k, v in table.items()}
    if key.upper() in folded:
        return folded[key.upper()]
    import difflib

    suggestions = difflib.get_close_matches(key, list(table), n=3, cutoff=0.5)
    raise words.unknown_name("kind_indicator", indicator_id, suggestions)


def is_known(indicator_id: str) -> bool:
    return indicator_id in _load()[1]


def goals(lang: str = "vi") -> dict[int, str]:
    """Goal number -> goal name."""
    return {int(k): v[lang if lang == "en" else "vi"] for k, v in _load()[0]["goals"].items()}


def document() -> dict:
    """The resolution the national targets come from (number, date, issuer, title, section)."""
    return dict(_load()[0]["document"])
