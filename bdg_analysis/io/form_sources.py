"""The ``source`` line of a value read from a returned collection form: written, read back, and
summed up per return.

Its own module because the writing (the form reader, :mod:`bdg_analysis.io.forms`) and the
reading back (reports' data notes, ``bdg collection``, the sources list) are used apart: a
report that only asks which agency gave which values need not load the form reader. It
registers no reader; the registry imports it with the other modules of ``io`` and finds none.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

_SOURCE = re.compile(
    r"^(?P<agency>.+?) \(biểu (?P<form>\S+), nhận (?P<date>\d{4}-\d{2}-\d{2})\)"
    r"(?:: (?P<origin>.*))?$"
)


def source_text(agency: str, form_id: str, returned: dt.date, origin: str = "") -> str:
    """The ``source`` of a value read from a form:
    ``Sở Y tế (biểu BDG-20-2026-so-y-te-20261210, nhận 2026-12-08): <what the department
    wrote in Nguồn>``. :func:`parse_source` reads it back, so reports can say which values came
    from which agency's return, on what date."""
    text = f"{agency} (biểu {form_id}, nhận {returned.isoformat()})"
    return f"{text}: {origin}" if origin else text


@dataclass(frozen=True)
class FormSource:
    """The parts of a form-made ``source``: agency, form id, return date, own source text."""

    agency: str
    form_id: str
    returned: dt.date
    origin: str = ""


def parse_source(text: str) -> FormSource | None:
    """The agency, form and return date in a ``source`` written by :func:`source_text`, or None
    for any other source."""
    match = _SOURCE.match(unicodedata.normalize("NFC", str(text or "")).strip())
    if match is None:
        return None
    try:
        returned = dt.date.fromisoformat(match.group("date"))
    except ValueError:
        return None
    return FormSource(
        match.group("agency"), match.group("form"), returned, match.group("origin") or ""
    )


def form_returns(observations: pd.DataFrame) -> pd.DataFrame:
    """Which values came from which agency's return, on what date: one line per return.

    For a report's data notes. ``observations`` has a ``source`` column (tidy rows or checked
    observations); rows whose source a form wrote (:func:`source_text`) are grouped by agency,
    form and return date. Returns the columns ``agency``, ``form_id``, ``returned`` (a date),
    ``rows`` (values given), ``empty`` (answered without a figure), ``indicators`` (ids joined
    by ', ') and ``years`` ('2021-2026'), earliest return first; empty when none.
    """
    columns = ["agency", "form_id", "returned", "rows", "empty", "indicators", "years"]
    needed = {"source", "indicator", "year", "value"}
    if not needed <= set(observations.columns) or observations.empty:
        return pd.DataFrame(columns=columns)
    parsed = {s: parse_source(s) for s in observations["source"].dropna().astype(str).unique()}
    lines: dict[tuple, dict] = {}
    for record in observations[["source", "indicator", "year", "value"]].itertuples(index=False):
        found = parsed.get(str(record.source))
        if found is None:
            continue
        key = (found.agency, found.form_id, found.returned)
        line = lines.setdefault(key, {"rows": 0, "empty": 0, "ids": {}, "years": set()})
        value = record.value
        blank = value is None or (isinstance(value, float) and math.isnan(value)) or value == ""
        line["empty" if blank else "rows"] += 1
        line["ids"][str(record.indicator)] = None
        line["years"].add(int(record.year))
    out = [
        {
            "agency": agency,
            "form_id": form_id,
            "returned": returned,
            "rows": line["rows"],
            "empty": line["empty"],
            "indicators": ", ".join(sorted(line["ids"], key=_id_order)),
            "years": (
                f"{min(line['years'])}-{max(line['years'])}"
                if len(line["years"]) > 1
                else str(min(line["years"]))
            ),
        }
        for (agency, form_id, returned), line in lines.items()
    ]
    frame = pd.DataFrame(out, columns=columns)
    return frame.sort_values(["returned", "agency"], kind="stable").reset_index(drop=True)


def _id_order(indicator_id: str) -> tuple:
    """M2.CT3 before M3.CT1 before M3.CT2a: the documents' order."""
    found = re.match(r"^M(\d+)\.CT(\d+)([a-z]?)$", indicator_id)
    return (int(found.group(1)), int(found.group(2)), found.group(3)) if found else (99, 0, "")


__all__ = ["FormSource", "form_returns", "parse_source", "source_text"]
