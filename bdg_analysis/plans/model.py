"""The Plan a jurisdiction tracks, and its document named as the document names itself."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from bdg_analysis import catalogue, geo, words
from bdg_analysis.catalogue import Indicator
from bdg_analysis.plans.names import id_order
from bdg_analysis.targets import Target
from bdg_analysis.words import word

LEVELS = ("national", "province", "district")
ROLES = ("responsible", "coordinating")
STATUSES = ("issued", "draft", "unnumbered")


@dataclass
class Plan:
    """The targets a jurisdiction tracks, with where each comes from.

    ``targets`` holds the jurisdiction's own targets merged over those of the plan it falls
    under (its province's, else the national plan): an own value wins for its indicator and
    year. ``own_target_keys`` are the (indicator, year) pairs the jurisdiction's document sets.
    Each ``Target.source`` cites the document, its section and the source file.
    ``agencies`` maps an indicator to ``{"responsible": [...], "coordinating": [...],
    "source": "..."}`` where the document assigns it; ``deadlines`` are ``{"what", "due",
    "source"}`` with ``due`` as ``MM-DD`` or text. ``has_own_file`` is False for a province
    that follows the national plan without a params file of its own.
    """

    jurisdiction: str
    level: str
    province: geo.Province
    document: dict
    period: tuple[int, int]
    source_file: str | None
    targets: list[Target]
    own_target_keys: frozenset[tuple[str, int]]
    baselines: list[dict] = field(default_factory=list)
    agencies: dict[str, dict] = field(default_factory=dict)
    deadlines: list[dict] = field(default_factory=list)
    former_province: geo.Province | None = None
    params_file: str | None = None
    lead_agency: dict | None = None
    has_own_file: bool = True
    follows: str | None = None
    follows_via: str | None = None
    local_indicators: dict[str, Indicator] = field(default_factory=dict)
    target_notes: dict[tuple[str, int], str] = field(default_factory=dict)
    target_notes_en: dict[tuple[str, int], str] = field(default_factory=dict)
    target_sections: dict[tuple[str, int], str] = field(default_factory=dict)
    target_origin: dict[tuple[str, int], str] = field(default_factory=dict)
    related: list[str] = field(default_factory=list)

    @property
    def is_national(self) -> bool:
        return self.level == "national"

    def target(self, indicator: str, year: int) -> Target | None:
        """The target for ``indicator`` in ``year``, own or inherited, if any."""
        return next((t for t in self.targets if t.indicator == indicator and t.year == year), None)

    def targets_for(self, indicator: str) -> list[Target]:
        """Every target year of ``indicator``, in year order."""
        return sorted((t for t in self.targets if t.indicator == indicator), key=lambda t: t.year)

    def is_own(self, indicator: str, year: int) -> bool:
        """True when the jurisdiction's own document sets this target (not a default)."""
        return (indicator, year) in self.own_target_keys

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator's definition: the catalogue's, or this plan's own (Quảng Ninh M1.CT2)."""
        if indicator_id in self.local_indicators:
            return self.local_indicators[indicator_id]
        return catalogue.get(indicator_id)

    def indicator_ids(self) -> list[str]:
        """Every indicator with a target in this plan, in the documents' order."""
        return sorted({t.indicator for t in self.targets}, key=id_order)

    def effective_target(self, target: Target) -> Target:
        """``target`` as it is judged: a one-sided band read by its indicator's direction.

        A ``between`` band on a higher-is-better indicator is met from its lower bound up
        (unless the plan marks it ``two_sided``); see :meth:`Target.effective`.
        """
        return target.effective(self.indicator(target.indicator).direction)

    def agency_for(self, indicator_id: str) -> dict:
        """Who answers for an indicator: as the plan assigns it, else the catalogue's default."""
        if indicator_id in self.agencies:
            return self.agencies[indicator_id]
        ind = self.indicator(indicator_id)
        return {
            "responsible": [ind.agency] if ind.agency else [],
            "coordinating": [],
            "source": "catalogue default (not assigned by the plan's document)",
        }

    def document_label(self) -> str:
        """The document as a citation: ``Kế hoạch 82/KH-UBND ngày 08/04/2021 của ...``.

        The form sources and ``bdg targets`` cite (kept as it was); a reader's page names the
        plan with :meth:`label`.
        """
        return citation(self.document)

    def label(self, lang: str = "vi") -> str:
        """The plan named as its document names itself, for a reader.

        ``Kế hoạch số 82/KH-UBND ngày 08/04/2021 của UBND tỉnh Quảng Ninh``; without a number,
        ``Kế hoạch của UBND tỉnh Lạng Sơn (bản chưa ghi số, tháng 4/2026)``; in English
        ``Plan No. 82/KH-UBND of 8 April 2021, Quảng Ninh Provincial People's Committee``.
        """
        return document_name(self.document, lang)

    def title(self, lang: str = "vi") -> str:
        """One line saying which plan applies to whom (citation form, as ``bdg targets`` shows)."""
        if self.has_own_file:
            return self.document_label()
        return word(
            "plans.title_no_own_plan", lang, name=self.jurisdiction, plan=self.document_label()
        )

    def heading(self, lang: str = "vi") -> str:
        """Which plan applies to whom, in a leader's words: :meth:`label`, or for a province
        without a plan of its own, ``Cà Mau: chưa có kế hoạch riêng; áp dụng chỉ tiêu quốc gia
        (Nghị quyết số 28/NQ-CP ngày 03/03/2021 của Chính phủ)``."""
        if self.has_own_file:
            return self.label(lang)
        return word(
            "plans.heading_no_own_plan", lang, name=self.jurisdiction, plan=self.label(lang)
        )


# ---------------------------------------------------------------- the document's name


def _date_parts(date: object) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) of ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; None where not given."""
    text = "" if date is None else str(date).strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text)
    if not m:
        return None, None, None
    return tuple(int(g) if g else None for g in m.groups())  # type: ignore[return-value]


def citation(doc: dict) -> str:
    """The document as sources cite it: ``Kế hoạch 82/KH-UBND ngày 08/04/2021 của ...``.

    Written into every target's ``source`` (the JSON of ``bdg targets``), so its form does
    not change; :func:`document_name` is the reader's form.
    """
    kind = doc.get("kind") or "Văn bản"
    number = doc.get("number") or "(không ghi số)"
    text = "" if doc.get("date") is None else str(doc.get("date"))
    parts = text.split("-")
    if len(parts) == 3:
        when = f"ngày {parts[2]}/{parts[1]}/{parts[0]}"
    elif len(parts) == 2:
        when = f"tháng {int(parts[1])}/{parts[0]}"
    else:
        when = f"năm {text}" if text else ""
    out = [f"{kind} {number}", when]
    if doc.get("issuer"):
        out.append(f"của {doc['issuer']}")
    return " ".join(p for p in out if p)


_UNITS = {
    "tỉnh": "province",
    "thành phố": "city",
    "huyện": "district",
    "quận": "urban_district",
    "thị xã": "town",
    "thị trấn": "township",
    "xã": "commune",
    "phường": "ward",
}
_BODIES = {"ủy ban nhân dân": "committee", "ubnd": "committee", "hội đồng nhân dân": "council"}
_ISSUER = re.compile(
    r"^(?P<body>ủy ban nhân dân|ubnd|hội đồng nhân dân)\s+"
    r"(?P<unit>thành phố|thị xã|thị trấn|tỉnh|huyện|quận|xã|phường)\s+(?P<name>\S.*)$",
    re.IGNORECASE,
)


def issuer_name(doc: dict, lang: str = "vi") -> str:
    """The issuer as a reader names it: ``UBND tỉnh Lạng Sơn`` / ``Lạng Sơn Provincial People's
    Committee``; an issuer of another form keeps its own words (``issuer_en`` in English)."""
    lang = words.check_lang(lang)
    issuer = unicodedata.normalize("NFC", str(doc.get("issuer") or "")).strip()
    if lang == "en" and doc.get("issuer_en"):
        return str(doc["issuer_en"])
    if not issuer:
        return ""
    if issuer.lower() == "chính phủ":
        return word("plans.issuer_government", lang)
    m = _ISSUER.match(issuer.replace("Uỷ", "Ủy").replace("uỷ", "ủy"))
    if m:
        body = _BODIES[m.group("body").lower()]
        key = f"plans.issuer_{body}_{_UNITS[m.group('unit').lower()]}"
        if words.has_word(key):
            return word(key, lang, name=m.group("name"))
    return issuer


def _kind(doc: dict, lang: str) -> str:
    """The kind of document: as written in Vietnamese, translated in English when known."""
    written = str(doc.get("kind") or "").strip()
    if not written:
        return word("plans.kind_document", lang)
    if lang == "vi":
        return written
    key = f"plans.kind_{geo.fold(written)}"
    return word(key, lang) if words.has_word(key) else written


def _when(doc: dict, lang: str, prefix: str) -> str:
    """The date as precisely as the document gives it (``prefix`` ``label`` or ``when``)."""
    year, month, day = _date_parts(doc.get("date"))
    if year is None:
        return ""
    if day is not None and month is not None:
        try:
            date = words.fmt_date(f"{year:04d}-{month:02d}-{day:02d}", lang)
        except ValueError:  # not a day of the calendar (the params check refuses it): the month
            date = None
        if date is not None:
            return word(f"plans.{prefix}_day", lang, date=date)
    if month is not None and 1 <= month <= 12:
        return word(
            f"plans.{prefix}_month",
            lang,
            month=month,
            year=year,
            month_name=word(f"plans.month_{month}", lang),
        )
    return word(f"plans.{prefix}_year", lang, year=year)


def document_name(doc: dict, lang: str = "vi") -> str:
    """A plan's document named for a reader, from its fields (kind, number, date, issuer, status).

    With a number, the official citation: ``Kế hoạch số 123/KH-UBND ngày 15/04/2026 của UBND
    tỉnh Lạng Sơn`` / ``Plan No. 123/KH-UBND of 15 April 2026, Lạng Sơn Provincial People's
    Committee``. Without one, the issuer's plan with what is known in brackets: ``Kế hoạch của
    UBND tỉnh Lạng Sơn (dự thảo, tháng 4/2026)`` / ``Lạng Sơn Provincial People's Committee plan
    (draft, April 2026)``. ``status`` adds ``dự thảo`` / ``draft`` or ``bản chưa ghi số`` /
    ``unnumbered copy``; ``number_text`` (a transcriber's note) is never shown.
    """
    lang = words.check_lang(lang)
    kind = _kind(doc, lang)
    number = str(doc.get("number") or "").strip()
    issuer = issuer_name(doc, lang)
    status = doc.get("status")
    if number:
        when = _when(doc, lang, "label")
        fields = {"kind": kind, "number": number, "when": f" {when}" if when else ""}
        key = "plans.label_numbered_by" if issuer else "plans.label_numbered"
        text = word(key, lang, issuer=issuer, **fields)
        if status == "draft":
            text += f" ({word('plans.status_draft', lang)})"
        return text
    if issuer:
        kind_lower = kind[:1].lower() + kind[1:]
        text = word("plans.label_unnumbered", lang, kind=kind, issuer=issuer, kind_lower=kind_lower)
    else:
        text = kind
    notes = []
    if status in ("draft", "unnumbered"):
        notes.append(word(f"plans.status_{status}", lang))
    when = _when(doc, lang, "when")
    if when:
        notes.append(when)
    return f"{text} ({', '.join(notes)})" if notes else text
