"""Data-quality checks for notebooks: coverage, flagged values, outliers, conflicts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from bdg_analysis import catalogue, dataset, geo, paths, validate
from bdg_analysis.errors import BdgInputError, Problem

# the outlier rule lives with the projection, which uses it for level shifts (issue 12)
from bdg_analysis.projection.breaks import (
    MIN_CHANGES,
    Z_THRESHOLD,
    precision,
    robust_scale,
    robust_z,
)

__all__ = [
    "Audit",
    "MIN_CHANGES",
    "Z_THRESHOLD",
    "conflicts",
    "coverage_matrix",
    "data_files",
    "demo_note",
    "flagged",
    "gaps",
    "outlier_rule",
    "outliers",
    "precision",
    "problems_table",
    "read",
    "robust_scale",
    "robust_z",
    "status_counts",
    "summary",
    "z_decimals",
]

_DUPLICATE = re.compile(
    r"^duplicate of (?P<file>.+):(?P<row>\d+)(?: \[(?P<cell>[^\]]*)\])? "
    r"\((?P<province>[^()]+), (?P<indicator>[^,()]+), (?P<year>-?\d+)\) with (?P<what>.+)$"
)

_WORDS = {
    "files": ("Tệp số liệu", "Data files"),
    "rows": ("Dòng đã đọc", "Rows read"),
    "kept": ("Dòng hợp lệ", "Valid rows"),
    "values": ("Có giá trị", "With a value"),
    "empty": ("Ô trống (thiếu)", "Empty (missing)"),
    "problems": ("Vấn đề", "Problems"),
    "conflicts": ("Xung đột (cùng ô, khác giá trị)", "Conflicts (same cell, different values)"),
    "repeats": ("Trùng lặp (cùng giá trị)", "Repeats (same value)"),
    "status": ("Số liệu {word}", "{word} values"),
    "empty_cell": ("ô trống", "empty cell"),
    "no_row": ("không có dòng", "no row"),
    "conflict": ("xung đột", "conflict"),
    "repeat": ("trùng lặp", "repeat"),
    "spike": ("đỉnh đột biến", "spike"),
    "jump": ("thay đổi đột ngột", "jump"),
    "coverage_year": (
        "Tỷ lệ tỉnh có số liệu theo năm (63 tỉnh cũ đến 2024, 34 tỉnh từ 2025; "
        "không tính toàn quốc)",
        "Share of provinces with a value, by year (63 former provinces up to 2024, "
        "34 from 2025; the national row left out)",
    ),
    "coverage_province": (
        "Tỷ lệ năm có số liệu theo tỉnh (tính cả từng tỉnh cũ trước 2025), "
        "trong khoảng năm của mỗi chỉ tiêu",
        "Share of years with a value, by province (each former province "
        "counted before 2025), within each indicator's years",
    ),
}

_RULE = {
    "vi": (
        "Quy tắc: với mỗi chuỗi ({boundaries}), lấy thay đổi mỗi năm giữa hai năm có số liệu "
        "liền nhau (Δ); điểm z vững = (Δ − trung vị Δ) / σ, σ là độ lệch chuẩn vững của chính"
        " chuỗi: số lớn hơn giữa MAD / 0,6745 (MAD: trung vị độ lệch tuyệt đối, không nhỏ hơn"
        " bước làm tròn của số liệu, 0,1 với số liệu một chữ số thập phân) và IQR / 1,349 "
        "(khoảng tứ phân vị, để chuỗi đổi chiều xu hướng không bị đánh dấu cả đoạn); khi MAD "
        "= 0 thì σ không nhỏ hơn 1,2533 × độ lệch tuyệt đối trung bình. Đánh dấu khi |z| > "
        "{threshold}; chỉ xét chuỗi có ít nhất {min_changes} lần thay đổi. Một đỉnh đột biến "
        "(tăng rồi giảm lại, hoặc ngược lại) chỉ đánh dấu ở năm đỉnh. Năm đầu của chuỗi không"
        " có thay đổi để so. Cột «Chuỗi khác cùng năm» đếm các chuỗi khác của cùng chỉ tiêu "
        "bị đánh dấu cùng năm, cùng chiều: nhiều chuỗi cùng lúc gợi ý một thay đổi chung (ví "
        "dụ đổi phương pháp điều tra), không phải lỗi của một tỉnh."
    ),
    "en": (
        "Rule: for each series ({boundaries}), take the change per year between consecutive "
        "years with data (Δ); robust z = (Δ − median Δ) / σ, σ being the series' own robust "
        "standard deviation: the larger of MAD / 0.6745 (MAD: median absolute deviation, no "
        "smaller than the step the figures are rounded to, 0.1 for figures with one decimal) "
        "and IQR / 1.349 (interquartile range, so a series that changes direction is not "
        "flagged all along); when MAD = 0, σ is at least 1.2533 × the mean absolute deviation. "
        "Flag |z| > {threshold}; only series with at least {min_changes} changes are judged. "
        "A spike (out and back) is flagged once, at its peak year. A series' first year has "
        "no change to judge. 'Other series, same year' counts the other series of the "
        "indicator flagged in the same year and direction: many at once suggest a shared "
        "change (e.g. a new survey method), not one province's error."
    ),
}
_BOUNDARIES = {
    "current": (
        "theo địa giới hiện nay, năm trước 2025 của tỉnh sáp nhập gộp từ tỉnh cũ",
        "on current boundaries, merged provinces' years before 2025 put together",
    ),
    "recorded": (
        "như ghi trong tệp: tỉnh cũ đến 2024, tỉnh mới từ 2025",
        "as recorded: former provinces up to 2024, current ones from 2025",
    ),
}


def _w(key: str, lang: str) -> str:
    return _WORDS[key][1 if lang == "en" else 0]


# ---------------------------------------------------------------------------------------------
# Reading without stopping at the first problem


def data_files(data: str | Path | Sequence[str | Path] | None) -> list[Path]:
    """The files ``data=`` names; a relative path missing from the working folder is looked for
    in the project folder, so ``data/my_data.csv`` works from a notebook in ``notebooks/``."""
    if data is None:
        return [paths.default_data_file()]
    named = [data] if isinstance(data, (str, Path)) else list(data)
    out = []
    for item in named:
        path = Path(item)
        if not path.is_absolute() and not path.exists():
            in_project = paths.project_root() / path
            if in_project.exists():
                path = in_project
        out.append(path)
    return out


def demo_note(statuses: Sequence[str] | pd.Series, lang: str = "vi") -> str:
    """A warning when demonstration values are among ``statuses`` (else ''), so no table or
    chart of generated figures can be mistaken for published statistics."""
    values = pd.Series(statuses, dtype="object").dropna().astype(str)
    values = values[values != ""]
    n = int((values == "demo").sum())
    if not n:
        return ""
    from bdg_analysis.text import fmt_number

    count = fmt_number(n, lang, 0)
    total = fmt_number(len(values), lang, 0)
    if lang == "en":
        return (
            f"DEMONSTRATION DATA: {count} of {total} values here are demonstration values, "
            "not published statistics."
        )
    return (
        f"DỮ LIỆU MINH HỌA: {count} trong {total} giá trị ở đây là số liệu minh họa, không "
        "phải số liệu thống kê đã công bố."
    )


@dataclass
class Audit:
    """What the checks read: the valid observations, every problem, and the raw rows.

    ``observations`` are the rows ``bdg.load`` would give (rows with problems left out);
    ``problems`` are those ``bdg validate`` prints; ``raw`` is the files' text as read, with
    ``source_file`` and ``source_row``.
    """

    observations: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    raw: pd.DataFrame = field(default_factory=pd.DataFrame)
    files: list[str] = field(default_factory=list)


def read(data: str | Path | Sequence[str | Path] | None = None) -> Audit:
    """Read and check data files, keeping every problem instead of stopping at the first.

    Parameters
    ----------
    data
        A tidy data file, a list of files, or None for the embedded ``data/observations.csv``.

    Returns
    -------
    Audit
        ``observations`` (valid rows, as ``bdg.load`` gives them), ``problems`` (file, row,
        column, message: what ``bdg validate`` prints), ``raw`` rows and the ``files``.

    Examples
    --------
    >>> audit = quality.read(["data/observations.csv", "data/my_data.csv"])
    >>> len(audit.problems), quality.conflicts(audit)
    """
    files = data_files(data)
    raw, problems = dataset.read_files(files)
    shown = [paths.display_path(f) for f in files]
    if raw is None:
        empty = pd.DataFrame(columns=list(validate.OBSERVATION_COLUMNS))
        return Audit(empty, problems, pd.DataFrame(), shown)
    checked = validate.check(raw)
    return Audit(checked.observations, problems + checked.problems, raw, shown)


# ---------------------------------------------------------------------------------------------
# Summary and coverage


def summary(audit: Audit, lang: str = "vi") -> pd.DataFrame:
    """How many files, rows, values, missing values, flagged values, problems and conflicts."""
    obs = audit.observations
    found = conflicts(audit, include_repeats=True, lang=lang)
    n_conflicts = int((found["kind"] == _w("conflict", lang)).sum())
    n_repeats = int((found["kind"] == _w("repeat", lang)).sum())
    items = [
        (_w("files", lang), len(audit.files)),
        (_w("rows", lang), len(audit.raw)),
        (_w("kept", lang), len(obs)),
        (_w("values", lang), int(obs["value"].notna().sum()) if len(obs) else 0),
        (_w("empty", lang), int(obs["value"].isna().sum()) if len(obs) else 0),
    ]
    from bdg_analysis.text import label

    for status in ("official", "provisional", "estimate", "demo"):
        count = int((obs["status"] == status).sum()) if len(obs) else 0
        name = _w("status", lang).format(word=label(status, lang))
        items.append((name[:1].upper() + name[1:], count))
    items += [
        (_w("problems", lang), len(audit.problems)),
        (_w("conflicts", lang), n_conflicts),
        (_w("repeats", lang), n_repeats),
    ]
    frame = pd.DataFrame(
        {"count": [n for _, n in items]}, index=pd.Index([k for k, _ in items], name="field")
    )
    note = demo_note(obs.loc[obs["value"].notna(), "status"] if len(obs) else [], lang)
    if note:
        frame.attrs["caption"] = note
    return frame


@dataclass(frozen=True)
class _Places:
    former_code: dict[str, str]  # former name -> former code
    single_part: dict[str, str]  # current code -> former code of an unchanged province
    successor: dict[str, str]  # former code -> current code
    label: dict[tuple[str, str], str]  # (era, code) -> name shown


def _places(lang: str = "vi") -> _Places:
    former = geo.former_provinces()
    current = geo.current_provinces()
    return _Places(
        former_code={p.name: p.code for p in former},
        single_part={p.code: geo.former_parts(p)[0].code for p in current if not geo.is_merged(p)},
        successor={p.code: p.successor_code for p in former},
        label={
            **{
                ("former", p.code): (
                    f"{p.name} (former)" if lang == "en" and p.changed else p.label()
                )
                for p in former
            },
            **{("current", p.code): p.name for p in current},
        },
    )


def _cells(obs: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Every (indicator, year, place) a complete dataset would hold, with what is there.

    Places are those of the year's map: the 63 former provinces up to 2024, the 34 current
    ones from 2025; the national row is left out. Years run over each indicator's own span
    (first to last year any province has a value).
    """
    places = _places(lang)
    rows = obs[
        (obs["province_code"] != geo.NATIONAL_CODE) & obs["indicator"].isin(catalogue.ids())
    ].copy()
    old = rows["year"] < geo.MERGER_YEAR
    former = rows["former"].fillna("").astype(str)
    code = np.where(
        old,
        [
            places.former_code.get(f) if f else places.single_part.get(c)
            for f, c in zip(former, rows["province_code"].astype(str), strict=True)
        ],
        np.where(former == "", rows["province_code"].astype(str), None),
    )
    rows["era"] = np.where(old, "former", "current")
    rows["place_code"] = code
    rows = rows[rows["place_code"].notna()]
    seen = (
        rows.assign(has_value=rows["value"].notna(), has_row=True)
        .groupby(["indicator", "year", "era", "place_code"], as_index=False)
        .agg(has_value=("has_value", "any"), has_row=("has_row", "any"))
    )
    expected = []
    former_codes = [p.code for p in geo.former_provinces()]
    current_codes = [p.code for p in geo.current_provinces()]
    with_value = seen[seen["has_value"]]
    for ind in catalogue.ids():
        years = with_value.loc[with_value["indicator"] == ind, "year"]
        if years.empty:
            continue
        for year in range(int(years.min()), int(years.max()) + 1):
            era = "former" if year < geo.MERGER_YEAR else "current"
            for c in former_codes if era == "former" else current_codes:
                expected.append((ind, year, era, c))
    cells = pd.DataFrame(expected, columns=["indicator", "year", "era", "place_code"])
    cells = cells.merge(seen, how="left", on=["indicator", "year", "era", "place_code"])
    cells["has_value"] = cells["has_value"].fillna(False).astype(bool)
    cells["has_row"] = cells["has_row"].fillna(False).astype(bool)
    cells["current_code"] = [
        places.successor[c] if e == "former" else c
        for e, c in zip(cells["era"], cells["place_code"], strict=True)
    ]
    cells["place"] = [
        places.label[(e, c)] for e, c in zip(cells["era"], cells["place_code"], strict=True)
    ]
    cells["province"] = [places.label[("current", c)] for c in cells["current_code"]]
    return cells


def coverage_matrix(obs: pd.DataFrame, by: str = "year", lang: str = "vi") -> pd.DataFrame:
    """Coverage of every indicator: by year (share of provinces) or by province (share of years).

    Parameters
    ----------
    obs
        Checked observations (``read(...).observations`` or ``bdg.load()``).
    by
        ``"year"``: indicators down, years across, the share of the year's provinces (63 former
        up to 2024, 34 from 2025) with a value. ``"province"``: the 34 current provinces down,
        indicators across, the share of (former province, year) cells with a value over the
        indicator's years, so a merged province missing one former part shows it.
    lang
        Language of the caption (``attrs["caption"]``).

    Returns
    -------
    DataFrame
        Shares 0-1 (``attrs``: ``percent``, ``heat``, ``caption``); empty cells mean the
        indicator has no values at all.

    Examples
    --------
    >>> quality.coverage_matrix(bdg.load(), by="province")
    """
    if by not in ("year", "province"):
        raise BdgInputError(
            Problem("<argument>", None, "by", f"{by!r}: expected 'year' or 'province'")
        )
    cells = _cells(obs)
    ids = catalogue.ids()
    if by == "year":
        share = cells.groupby(["indicator", "year"])["has_value"].mean().unstack("year")
        share = share.reindex([i for i in ids if i in share.index])
        share.index.name = "indicator"
        share.columns = [int(c) for c in share.columns]
    else:
        share = cells.groupby(["province", "indicator"])["has_value"].mean().unstack("indicator")
        order = [p.name for p in geo.current_provinces()]
        share = share.reindex(order)
        share = share[[i for i in ids if i in share.columns]]
        share.index.name = "province"
    share.columns.name = None
    share = share.astype("float64")
    share.attrs = {
        "percent": True,
        "heat": True,
        "caption": _w("coverage_year" if by == "year" else "coverage_province", lang),
    }
    return share


def gaps(obs: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Every expected cell without a value: an empty cell in a file, or no row at all.

    Columns ``indicator``, ``year``, ``province`` (current), ``place`` (the province of that
    year's map, e.g. 'Hà Giang (cũ)'), ``reason``. Expected cells as in
    :func:`coverage_matrix`.
    """
    cells = _cells(obs, lang)
    missing = cells[~cells["has_value"]].copy()
    missing["reason"] = np.where(missing["has_row"], _w("empty_cell", lang), _w("no_row", lang))
    return (
        missing[["indicator", "year", "province", "place", "reason"]]
        .sort_values(["indicator", "year", "province", "place"])
        .reset_index(drop=True)
    )


def status_counts(obs: pd.DataFrame) -> pd.DataFrame:
    """Values of each indicator by data status (official, provisional, estimate, demo)."""
    rows = obs[obs["value"].notna()]
    status = rows["status"].fillna("").astype(str).replace("", "unspecified")
    counts = pd.crosstab(rows["indicator"], status)
    columns = [
        c
        for c in ("official", "provisional", "estimate", "demo", "unspecified")
        if c in counts.columns
    ]
    counts = counts.reindex(columns=columns, fill_value=0)
    counts = counts.reindex([i for i in catalogue.ids() if i in counts.index])
    counts["total"] = counts.sum(axis=1)
    counts.index.name = "indicator"
    counts.columns.name = None
    return counts.astype("int64")


def flagged(
    obs: pd.DataFrame, statuses: Sequence[str] = ("provisional", "estimate")
) -> pd.DataFrame:
    """The rows whose status is one of ``statuses`` (e.g. every provisional figure)."""
    columns = [
        "province",
        "former",
        "indicator",
        "year",
        "value",
        "status",
        "source",
        "note",
        "source_file",
        "source_row",
    ]
    rows = obs[obs["status"].isin(list(statuses))]
    return (
        rows[columns]
        .sort_values(["indicator", "province", "former", "year"])
        .reset_index(drop=True)
    )


# ---------------------------------------------------------------------------------------------
# Outliers against a series' own history


def outlier_rule(
    threshold: float = Z_THRESHOLD,
    min_changes: int = MIN_CHANGES,
    boundaries: str = "current",
    lang: str = "vi",
) -> str:
    """The outlier rule in words, as shown above the outlier table."""
    en = lang == "en"
    from bdg_analysis.text import fmt_number

    return _RULE["en" if en else "vi"].format(
        threshold=fmt_number(threshold, "en" if en else "vi"),
        min_changes=min_changes,
        boundaries=_BOUNDARIES[boundaries][1 if en else 0],
    )


def _series_frame(obs: pd.DataFrame, boundaries: str) -> pd.DataFrame:
    """The series to judge: one per place, indicator and sex, with values only."""
    if boundaries == "current":
        from bdg_analysis import scorecard

        frame = scorecard.Context(obs).current.copy()
        frame["former"] = ""
    elif boundaries == "recorded":
        frame = obs[obs["value"].notna()].copy()
    else:
        raise BdgInputError(
            Problem(
                "<argument>",
                None,
                "boundaries",
                f"{boundaries!r}: expected 'current' or 'recorded'",
            )
        )
    frame["former"] = frame["former"].fillna("").astype(str)
    frame["sex"] = frame["sex"].fillna("").astype(str)
    return frame


def outliers(
    obs: pd.DataFrame,
    *,
    threshold: float = Z_THRESHOLD,
    min_changes: int = MIN_CHANGES,
    boundaries: str = "current",
    lang: str = "vi",
) -> pd.DataFrame:
    """Values out of line with their own series' history, each with the rule that flagged it.

    A value is flagged when the change per year that led to it lies more than ``threshold``
    robust z-scores from the series' median change (the scale is the series' own robust
    standard deviation: see :func:`outlier_rule`). A spike (out and back) is flagged once, at
    its peak. Use it to ask whether a provisional figure is out of line.

    Parameters
    ----------
    obs
        Checked observations (``read(...).observations`` or ``bdg.load()``).
    threshold
        |z| above which a change is flagged (default 3.5, Iglewicz and Hoaglin).
    min_changes
        Series with fewer year-on-year changes are not judged (default 5).
    boundaries
        ``"current"`` (default): series on today's boundaries, as reports use them.
        ``"recorded"``: each former province's own series up to 2024 (a spike in one former
        province can hide in a merged series).
    lang
        Language of the ``rule`` column and ``attrs["caption"]``.

    Returns
    -------
    DataFrame
        ``province``, ``former``, ``indicator``, ``year``, ``value``, ``status``,
        ``previous_year``, ``previous_value``, ``change_per_year``, ``median_change``,
        ``sigma`` (the series' robust standard deviation), ``z``, ``pattern`` (spike or jump),
        ``shared`` (other series of the indicator flagged the same year, same direction),
        ``across_merger`` (the change runs from 2024 to 2025 in a merged province), ``rule``,
        ``source``; largest |z| first. ``attrs["rule"]`` states the rule.

    Examples
    --------
    >>> out = quality.outliers(bdg.load(), threshold=3.5)
    >>> out[out["status"] == "provisional"]
    """
    en = lang == "en"
    frame = _series_frame(obs, boundaries)
    rule = outlier_rule(threshold, min_changes, boundaries, lang)
    keys = ["province", "former", "indicator", "sex"]
    frame = frame.sort_values([*keys, "year"]).reset_index(drop=True)
    g = frame.groupby(keys, sort=False)
    frame["previous_year"] = g["year"].shift(1)
    frame["previous_value"] = g["value"].shift(1)
    frame["change_per_year"] = (frame["value"] - frame["previous_value"]) / (
        frame["year"] - frame["previous_year"]
    )
    n = len(frame)
    z_all, med_all, sigma_all = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    count_all = np.zeros(n, dtype="int64")
    changes_all = frame["change_per_year"].to_numpy(dtype="float64")
    values_all = frame["value"].to_numpy(dtype="float64")
    for idx in g.indices.values():
        changes = changes_all[idx]
        floor = precision(values_all[idx])
        z_all[idx] = robust_z(changes, floor=floor)
        med_all[idx], _, sigma_all[idx] = robust_scale(changes, floor)
        count_all[idx] = int(np.isfinite(changes).sum())
    frame["z"], frame["median_change"], frame["sigma"] = z_all, med_all, sigma_all
    frame["n_changes"] = count_all
    hit = (frame["n_changes"] >= min_changes) & (frame["z"].abs() > threshold)
    # a spike out and back flags two changes of opposite sign: keep the first (the peak year)
    same_series = (frame[keys].shift(1) == frame[keys]).all(axis=1)
    returning = (
        hit
        & hit.shift(1, fill_value=False)
        & same_series
        & (np.sign(frame["z"]) != np.sign(frame["z"].shift(1)))
    )
    spike = hit & returning.shift(-1, fill_value=False)
    keep = hit & ~returning
    out = frame[keep].copy()
    out["pattern"] = np.where(spike[keep], _w("spike", lang), _w("jump", lang))
    merged = {p.name for p in geo.current_provinces() if geo.is_merged(p)}
    out["across_merger"] = (
        (out["previous_year"] < geo.MERGER_YEAR)
        & (out["year"] >= geo.MERGER_YEAR)
        & out["province"].isin(merged)
        & (out["former"] == "")
    )
    out["previous_year"] = out["previous_year"].astype("Int64")
    # the same indicator, year and direction flagged in other series: a shared change?
    direction = np.sign(out["z"])
    out["shared"] = (
        out.groupby([out["indicator"], out["year"], direction])["z"]
        .transform("size")
        .astype("int64")
        - 1
    )
    out["rule"] = [
        _rule_text(c, m, z, threshold, en)
        for c, m, z in zip(out["change_per_year"], out["median_change"], out["z"], strict=True)
    ]
    out["source"] = [_trace(r) for r in out.to_dict("records")]
    columns = [
        "province",
        "former",
        "indicator",
        "year",
        "value",
        "status",
        "previous_year",
        "previous_value",
        "change_per_year",
        "median_change",
        "sigma",
        "z",
        "pattern",
        "shared",
        "across_merger",
        "rule",
        "source",
    ]
    out = out.assign(_abs=out["z"].abs()).sort_values(
        ["_abs", "indicator", "province"], ascending=[False, True, True]
    )
    result = out[columns].reset_index(drop=True)
    result.attrs = {
        "rule": rule,
        "caption": rule,
        "boundaries": boundaries,
        "threshold": threshold,
        "min_changes": min_changes,
    }
    return result


def _signed(value: float, lang: str) -> str:
    from bdg_analysis.text import fmt_value

    shown = fmt_value(value, lang)
    return f"+{shown}" if value > 0 else shown


def z_decimals(z: float, threshold: float) -> int:
    """Decimals that show a flagged |z| above its threshold (3.52 as '3,52', not '3,5 > 3,5')."""
    for decimals in (1, 2, 3):
        if round(abs(z), decimals) > threshold:
            return decimals
    return 4


def _rule_text(change: float, median: float, z: float, threshold: float, en: bool) -> str:
    from bdg_analysis.text import fmt_number

    lang = "en" if en else "vi"
    z_text = fmt_number(abs(z), lang, decimals=z_decimals(z, threshold)) if np.isfinite(z) else "∞"
    if en:
        return (
            f"change {_signed(change, lang)}/year against the series' median "
            f"{_signed(median, lang)}: |z| = {z_text} > {fmt_number(threshold, lang)}"
        )
    return (
        f"thay đổi {_signed(change, lang)}/năm so với trung vị {_signed(median, lang)} "
        f"của chuỗi: |z| = {z_text} > {fmt_number(threshold, lang)}"
    )


def _trace(record: dict) -> str:
    """file:row of a value, or the source rows a put-together value was made from."""
    row = record.get("source_row")
    file = record.get("source_file") or ""
    if row is not None and not pd.isna(row):
        return f"{file}:{int(row)}"
    note = str(record.get("note") or "")
    marker = "dòng nguồn: "
    return note[note.index(marker) + len(marker) :] if marker in note else str(file)


# ---------------------------------------------------------------------------------------------
# Conflicts and other problems


def _raw_lookup(raw: pd.DataFrame) -> dict[tuple[str, int, str], dict]:
    if raw.empty:
        return {}
    cells = (
        raw["source_cell"].fillna("").astype(str)
        if "source_cell" in raw
        else pd.Series("", index=raw.index)
    )
    out = {}
    for record, cell in zip(raw.to_dict("records"), cells, strict=True):
        out[(str(record["source_file"]), int(record["source_row"]), cell)] = record
    return out


def _number(text: object) -> float:
    value = pd.to_numeric(pd.Series([text], dtype="object"), errors="coerce").iloc[0]
    return float(value) if pd.notna(value) else float("nan")


def conflicts(audit: Audit, *, include_repeats: bool = False, lang: str = "vi") -> pd.DataFrame:
    """The same place, indicator, year (and sex) given twice, as ``bdg validate`` finds them.

    Parameters
    ----------
    audit
        What :func:`read` returned (several files may be read together: a cell given in two
        files is found across them).
    include_repeats
        Also list pairs that give the same value twice (harmless but worth tidying).
    lang
        Language of the ``kind`` words.

    Returns
    -------
    DataFrame
        One row per pair: ``kind`` ('conflict' or 'repeat', in ``lang``), ``province``
        (current), ``place`` (as written in the first file), ``indicator``, ``year``,
        ``value_a``, ``status_a``, ``where_a`` (file:row), ``source_a`` and the same for b.

    Examples
    --------
    >>> quality.conflicts(quality.read(["a.csv", "b.csv"]))
    """
    lookup = _raw_lookup(audit.raw)
    records = []
    for p in audit.problems:
        match = _DUPLICATE.match(p.message)
        if match is None:
            continue
        same = match["what"].startswith("the same value")
        if same and not include_repeats:
            continue
        cell_b = (
            p.column[len("value [") : -1] if p.column and p.column.startswith("value [") else ""
        )
        a = lookup.get((match["file"], int(match["row"]), match["cell"] or ""), {})
        b = lookup.get((p.file, int(p.row or 0), cell_b), {})
        records.append(
            {
                "kind": _w("repeat" if same else "conflict", lang),
                "province": match["province"],
                "place": str(a.get("province", match["province"])),
                "indicator": match["indicator"],
                "year": int(match["year"]),
                "value_a": _number(a.get("value")),
                "status_a": str(a.get("status") or ""),
                "where_a": f"{match['file']}:{match['row']}",
                "source_a": str(a.get("source") or ""),
                "value_b": _number(b.get("value")),
                "status_b": str(b.get("status") or ""),
                "where_b": f"{p.file}:{p.row}",
                "source_b": str(b.get("source") or ""),
            }
        )
    columns = [
        "kind",
        "province",
        "place",
        "indicator",
        "year",
        "value_a",
        "status_a",
        "where_a",
        "source_a",
        "value_b",
        "status_b",
        "where_b",
        "source_b",
    ]
    return pd.DataFrame(records, columns=columns)


def problems_table(audit: Audit, *, include_duplicates: bool = False) -> pd.DataFrame:
    """Every problem :func:`read` found as a table (``file``, ``row``, ``column``,
    ``message``); duplicates are left to :func:`conflicts` unless ``include_duplicates``."""
    rows = [
        {"file": p.file, "row": p.row, "column": p.column or "", "message": p.message}
        for p in audit.problems
        if include_duplicates or _DUPLICATE.match(p.message) is None
    ]
    frame = pd.DataFrame(rows, columns=["file", "row", "column", "message"])
    frame["row"] = frame["row"].astype("Int64")
    return frame
