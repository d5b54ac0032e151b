"""The notebook API's look-ups: the catalogue, one indicator, a jurisdiction's plan."""

from __future__ import annotations

import math
from dataclasses import fields

import pandas as pd

from bdg_analysis import catalogue as _catalogue
from bdg_analysis import plans, text, words
from bdg_analysis.explore.reading import check_lang
from bdg_analysis.tables import Table, column_label, direction_word, kind_word, table
from bdg_analysis.words import word


class IndicatorInfo(_catalogue.Indicator):
    """A catalogue indicator that shows its metadata as a table in a notebook.

    It is the catalogue's :class:`~bdg_analysis.catalogue.Indicator` (``id``, ``name_vi``,
    ``unit_vi``, ``direction``, ``national_targets`` ...) with :meth:`table` added.
    """

    def table(self, lang: str = "vi") -> Table:
        """Every field a reader needs, one per row."""
        lang = check_lang(lang)
        goals = _catalogue.goals(lang)
        en = lang == "en"
        rows = [
            ("id", self.id),
            ("goal", f"{self.goal}: {goals.get(self.goal, '')}"),
            ("name", self.name(lang)),
            ("short", self.short(lang)),
            ("unit", self.unit(lang)),
            ("kind", kind_word(self.kind, lang)),
            ("direction", direction_word(self.direction, lang)),
            ("lower", _bound_text(self.lower, lang)),
            ("upper", _bound_text(self.upper, lang)),
            ("target_2025", _target_text(self.national_target(2025), lang)),
            ("target_2030", _target_text(self.national_target(2030), lang)),
            ("data_source", self.data_source_en if en else self.data_source_vi),
            ("agency", self.agency),
            ("evidence", self.evidence),
        ]
        note = self.national_note_en if en else self.national_note_vi
        if note:
            rows.append(("note", note))
        labels = [column_label(k, lang) for k, _ in rows]
        return table(
            pd.DataFrame({"value": [v for _, v in rows]}, index=pd.Index(labels, name="field")),
            lang=lang,
            caption=f"{self.id}: {self.short(lang)}",
        )

    def _repr_html_(self) -> str:
        return self.table().styled().to_html()

    def __repr__(self) -> str:
        return (
            f"<Indicator {self.id}: {self.short_en} ({self.unit_en}), "
            f"{direction_word(self.direction, 'en')}>"
        )


def _bound_text(value: float | None, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return words.fmt_number(value, lang)


def _target_text(target, lang: str) -> str:
    return text.fmt_target(target, lang) if target is not None else text.label("no_target", lang)


def indicator(indicator_id: str) -> IndicatorInfo:
    """One indicator of Resolution 28/NQ-CP with its metadata (shown as a table).

    Parameters
    ----------
    indicator_id
        A catalogue id such as ``"M4.CT1"`` (case and spaces are forgiven).

    Returns
    -------
    IndicatorInfo
        The catalogue's Indicator: ``name_vi``, ``name_en``, ``unit_vi``, ``kind``,
        ``direction`` ('higher' or 'lower' is better), ``lower``/``upper`` bounds,
        ``national_targets``; ``.table(lang)`` lists them.

    Raises
    ------
    UnknownNameError
        For an id the catalogue does not know, with the closest ids.

    Examples
    --------
    >>> srb = bdg.indicator("M4.CT1")
    >>> srb.unit_vi, srb.direction, srb.national_target(2030)
    """
    ind = _catalogue.get(indicator_id)
    return IndicatorInfo(**{f.name: getattr(ind, f.name) for f in fields(ind)})


def indicators(lang: str = "vi") -> Table:
    """The catalogue: every indicator with its unit, direction and national targets.

    (``bdg.catalogue`` is the catalogue module itself; this is its table.)

    Parameters
    ----------
    lang
        ``"vi"`` (default) or ``"en"``, for names, units and words.

    Examples
    --------
    >>> cat = bdg.indicators()
    >>> cat[cat["goal"] == 4]
    """
    lang = check_lang(lang)
    goals = _catalogue.goals(lang)
    rows = [
        {
            "id": i.id,
            "goal": i.goal,
            "goal_name": goals.get(i.goal, ""),
            "short": i.short(lang),
            "unit": i.unit(lang),
            "kind": kind_word(i.kind, lang),
            "direction": direction_word(i.direction, lang),
            "target_2025": _target_text(i.national_target(2025), lang),
            "target_2030": _target_text(i.national_target(2030), lang),
            "agency": i.agency,
            "evidence": i.evidence,
        }
        for i in _catalogue.indicators()
    ]
    caption = word(
        "explore.indicators_caption",
        lang,
        n=words.fmt_number(len(rows), lang, 0),
        number=_catalogue.document()["number"],
    )
    return table(pd.DataFrame(rows), lang=lang, caption=caption)


class PlanInfo(plans.Plan):
    """A jurisdiction's plan that shows its targets as a table in a notebook.

    It is the :class:`~bdg_analysis.plans.Plan` reports use (``targets``, ``target(id, year)``,
    ``targets_for(id)``, ``agency_for(id)``, ``deadlines`` ...) with :meth:`table` added.
    """

    def table(self, lang: str = "vi") -> Table:
        """Every target: indicator, year, value as written, unit, own or national, source."""
        lang = check_lang(lang)
        rows = []
        for t in sorted(self.targets, key=lambda t: (_order(self, t.indicator), t.year)):
            ind = self.indicator(t.indicator)
            own = self.is_own(t.indicator, t.year)
            rows.append(
                {
                    "id": t.indicator,
                    "short": ind.short(lang),
                    "year": t.year,
                    "target": text.fmt_target(t, lang),
                    "unit": ind.unit(lang),
                    "origin": word("explore.own" if own else "explore.inherited", lang),
                    "source": t.source,
                }
            )
        return table(pd.DataFrame(rows), lang=lang, caption=self.title(lang))

    def _repr_html_(self) -> str:
        return self.table().styled().to_html()

    def __repr__(self) -> str:
        own = word("explore.plan_own" if self.has_own_file else "explore.plan_national", "en")
        return f"<Plan {self.jurisdiction} ({own}): {len(self.targets)} targets>"


def _order(plan: plans.Plan, indicator_id: str) -> int:
    ids = plan.indicator_ids()
    return ids.index(indicator_id) if indicator_id in ids else len(ids)


def plan(name: str) -> PlanInfo:
    """The targets a province (or district, or the nation) tracks, shown as a table.

    Parameters
    ----------
    name
        A jurisdiction with a params file ('Quảng Ninh', 'Hiệp Hòa'), any province name in any
        spelling ('Lang Son', 'TP.HCM'), or 'Toàn quốc'. A province without its own file gets the
        national targets, and says so.

    Returns
    -------
    PlanInfo
        The Plan reports use: ``targets``, ``target(id, year)``, ``targets_for(id)``,
        ``agency_for(id)``, ``deadlines``, ``document_label()``; ``.table(lang)`` lists targets.

    Examples
    --------
    >>> ls = bdg.plan("Lạng Sơn")
    >>> ls.target("M4.CT1", 2030)
    """
    base = plans.load_plan(name)
    return PlanInfo(**{f.name: getattr(base, f.name) for f in fields(base)})
