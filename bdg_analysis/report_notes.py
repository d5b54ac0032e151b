"""The data notes of a province report: where each value came from, and how far to trust it.

Apart from ``report`` because they answer another question than the report's body: not how the
province stands against its targets, but which files and agencies' returns the figures came from,
how much is demonstration data, which years of a merged province are left out, and how the
projections were made. Their words are in ``resources/words/report_notes.yaml``.
"""

from __future__ import annotations

import pandas as pd

from bdg_analysis import geo, words
from bdg_analysis.report import ProvinceReport, deadline_text
from bdg_analysis.tables import DATA_STATUSES
from bdg_analysis.text import escape, label, method_words


def data_notes_html(rep: ProvinceReport) -> str:
    """The data notes, in plain words for a leader: how many values and how many are
    demonstration data, which file each came from, which agency's return and on what date,
    former provinces and the years of a merged province left out, gaps, the projection methods
    in words with their counts, the deadline, and every source in the report's language."""
    from bdg_analysis.sources import source_line

    lang = rep.lang
    used = rep.used_rows
    parts = [f'<section id="data-notes"><h2>{escape(label("data_notes", lang))}</h2><ul>']
    counts = used["status"].replace("", "official").value_counts() if len(used) else {}
    parts.append(
        f"<li>{escape(label('rows_used', lang))}: {len(used)} ("
        + ", ".join(
            f"{escape(label(k, lang) if k in DATA_STATUSES else k)}: {int(v)}"
            for k, v in counts.items()
        )
        + ")</li>"
    )
    parts.append(f"<li>{escape(_demo_sentence(rep, used))}</li>")
    parts.append(_files_item(rep, used))
    parts.append(_returns_item(rep))
    note = geo.history_note(rep.province, lang)
    if note:
        parts.append(f"<li>{escape(note)}</li>")
    incomplete = _incomplete_text(rep)
    if incomplete:
        parts.append(f"<li>{escape(incomplete)}</li>")
    gaps = []
    for view in rep.views:
        if len(view.series) >= 2:
            years = set(view.series.index)
            missing = [y for y in range(min(years), max(years) + 1) if y not in years]
            if missing:
                gaps.append(f"{view.id}: {', '.join(str(y) for y in missing)}")
    if gaps:
        parts.append(f"<li>{escape(label('gaps', lang))}: {escape('; '.join(gaps))}</li>")
    methods: dict[str, int] = {}
    for view in rep.views:
        if view.path:
            methods[view.path[0].method] = methods.get(view.path[0].method, 0) + 1
    if methods:
        text = ", ".join(f"{method_words(m, lang)}: {n}" for m, n in _method_order(methods))
        parts.append(
            f"<li>{escape(label('method', lang))}: {escape(method_note(lang))}. "
            f"{escape(_note('methods_count', lang))}: {escape(text)}</li>"
        )
    parts.append(f"<li>{escape(label('deadline', lang))}: {escape(deadline_text(rep))}</li>")
    parts.append("</ul>")
    if len(used):
        sources = (
            used.groupby("source", dropna=False)
            .agg(rows=("value", "size"), files=("source_file", lambda s: ", ".join(sorted(set(s)))))
            .reset_index()
        )
        rows = "".join(
            f"<tr><td>{escape(source_line(s, lang))}</td><td>{escape(f)}</td>"
            f'<td class="num">{n}</td></tr>'
            for s, f, n in zip(sources["source"], sources["files"], sources["rows"], strict=True)
        )
        parts.append(
            f'<table class="sources"><thead><tr><th>{escape(label("source", lang))}'
            f"</th><th>{escape(label('data_file', lang))}</th><th>n</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def _note(key: str, lang: str, **fields: object) -> str:
    """A sentence of the data notes, from ``report_notes.yaml``."""
    return words.word(f"report_notes.{key}", lang, **fields)


def _demo_sentence(rep: ProvinceReport, used: pd.DataFrame) -> str:
    """How much of the report is demonstration data, in one sentence with its share."""
    total = len(used)
    demo = rep.demo_count
    if not demo:
        return _note("no_demo", rep.lang)
    share = words.fmt_percent(demo / total if total else 0.0, rep.lang)
    return _note("demo_share", rep.lang, demo=demo, total=total, share=share)


def _value_files(used: pd.DataFrame) -> list[tuple[str, int]]:
    """How many of the values shown came from each file, most first (a value put together from
    former provinces counts for each file it was built from)."""
    if used.empty or "source_file" not in used.columns:
        return []
    files = used["source_file"].fillna("").astype(str).str.split("; ").explode()
    counts = files[files != ""].value_counts()
    return sorted(((str(f), int(n)) for f, n in counts.items()), key=lambda x: (-x[1], x[0]))


def _files_item(rep: ProvinceReport, used: pd.DataFrame) -> str:
    """Which file each value came from (counts per file), and how the files were layered."""
    lang = rep.lang
    counts = _value_files(used)
    text = "; ".join(_note("file_count", lang, file=f, count=n) for f, n in counts)
    out = f"<li>{escape(_note('files', lang))}: {escape(text or '–')}"
    if len(rep.data_layers) > 1:
        order = _note("layer_order_sep", lang).join(rep.data_layers)
        out += f". {escape(_note('layers', lang, order=order))}"
    return out + "</li>"


def _returns_item(rep: ProvinceReport) -> str:
    """Which of the province's values came from which agency's return, on what date."""
    from bdg_analysis.io.form_sources import form_returns
    from bdg_analysis.sources import translate_source

    lang = rep.lang
    obs = rep.observations
    own = obs[obs["province"] == rep.province.name] if len(obs) else obs
    returns = form_returns(own) if len(own) else pd.DataFrame()
    if returns.empty:
        return f"<li>{escape(_note('no_returns', lang))}</li>"
    lines = []
    for line in returns.to_dict("records"):
        text = _note(
            "return_line",
            lang,
            agency=translate_source(line["agency"], lang),
            date=words.fmt_date(line["returned"], lang),
            form=line["form_id"],
            rows=line["rows"],
            indicators=line["indicators"],
            years=line["years"],
        )
        if line["empty"]:
            text += _note("return_empty", lang, empty=line["empty"])
        lines.append(f"<li>{escape(text)}</li>")
    return f"<li>{escape(_note('returns', lang))}:<ul>{''.join(lines)}</ul></li>"


def _incomplete_text(rep: ProvinceReport) -> str:
    """The years of a merged province put together from only some former provinces, named
    with the parts that had no figure (they are left out of trends, projections and ranks)."""
    lang = rep.lang
    items = []
    for view in rep.views:
        if not view.incomplete_years:
            continue
        rows = rep.context.incomplete(rep.province.name, view.id, rep.year)
        by_parts: dict[str, list[int]] = {}
        for record in rows.to_dict("records"):
            missing = record.get("parts_missing") or ()
            names = ", ".join(str(p) for p in missing) if missing else "–"
            by_parts.setdefault(names, []).append(int(record["year"]))
        for names, years in by_parts.items():
            items.append(
                _note(
                    "incomplete_item",
                    lang,
                    id=view.id,
                    years=", ".join(str(y) for y in sorted(set(years))),
                    parts=names,
                )
            )
    if not items:
        return ""
    return f"{_note('incomplete', lang)}: {'; '.join(items)}"


def _method_order(methods: dict[str, int]) -> list[tuple[str, int]]:
    """The methods in the projection's own order (simplest first), unknown ones after."""
    from bdg_analysis import projection

    known = list(getattr(projection, "METHODS", ()))
    rank = {m: i for i, m in enumerate(known)}
    return sorted(methods.items(), key=lambda item: (rank.get(item[0], len(known)), item[0]))


def method_note(lang: str) -> str:
    """How projections and statuses are made, in plain words."""
    return _note("method_note", lang)
