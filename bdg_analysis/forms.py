"""Write the collection workbooks of a round: one locked, validated .xlsx per responsible agency.

Twice a year the Department of Home Affairs asks each agency of the province's plan for its
indicators. :func:`plan_round` says what to ask (which agency, which indicator and year, the
deadline, the last figure held); :func:`write_forms` writes one workbook per agency with a
cover sheet (who, what, by when, how to fill it in), a data sheet whose header holds the
``bdg form`` contract columns (:data:`bdg_analysis.io.forms.COLUMNS`) with Excel data
validation and every other cell locked, and a very hidden sheet that names the form, its
province, agency, year and every row, so :func:`bdg_analysis.io.forms.read_form` reads a return
without guessing. Text is always stored as text (never a formula) and the same inputs give the
same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bdg_analysis import catalogue, geo, plans
from bdg_analysis.errors import BdgInputError
from bdg_analysis.files import atomic_target
from bdg_analysis.io import forms as fio
from bdg_analysis.words import check_lang, fmt_date, fmt_number, problem, word

#: The agency that collects, and answers for indicators no agency of the plan is given.
HOME_AFFAIRS = "Sở Nội vụ"
#: Report deadlines when the plan names no day: 10 June and 10 December (MM-DD).
DEFAULT_DEADLINES = ("06-10", "12-10")
#: Years before the report year a form asks for while no real figure is held.
DEFAULT_BACK = 5
#: Statuses that are not a real figure yet: a row of such a year is asked (again).
NOT_REAL = ("demo", "provisional")

_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)

INPUT_FILL = "FFFFF2CC"
GREY_FILL = "FFD9D9D9"
HEADER_FILL = "FFDDEBF7"


# ---------------------------------------------------------------- what to ask


@dataclass
class AskedRow:
    """One line of a form: an indicator and year an agency is asked for."""

    agency: str
    indicator: catalogue.Indicator
    year: int
    scale: float | None
    reference: tuple[float, int, str] | None = None  # (value, year, status) held, for reference

    @property
    def id(self) -> str:
        return self.indicator.id


@dataclass
class Round:
    """One collection round of a province: what each agency is asked, and by when."""

    plan: plans.Plan
    province: geo.Province
    year: int
    deadline: dt.date
    deadline_what: str
    return_to: str
    rows: list[AskedRow]
    contact: str = ""
    co_agencies: dict[str, list[str]] = field(default_factory=dict)

    @property
    def agencies(self) -> list[str]:
        """The agencies asked, in the order of their first indicator."""
        return list(dict.fromkeys(r.agency for r in self.rows))

    def rows_of(self, agency: str) -> list[AskedRow]:
        return [r for r in self.rows if r.agency == agency]

    def form_id(self, agency: str) -> str:
        """``BDG-<province code>-<year>-<agency slug>-<deadline YYYYMMDD>``: one per form."""
        return f"BDG-{self.province.code}-{self.year}-{slug(agency)}-{self.deadline:%Y%m%d}"

    def file_name(self, agency: str) -> str:
        """``<province>-<year>-<agency>.xlsx`` in ASCII (``lang-son-2026-so-y-te.xlsx``)."""
        return f"{slug(self.province.name)}-{self.year}-{slug(agency)}.xlsx"


def slug(text: str) -> str:
    """ASCII, lower case, words joined by '-' ('Sở Văn hóa, Thể thao và Du lịch' ->
    'so-van-hoa-the-thao-va-du-lich'), for file names every mail system keeps."""
    return re.sub(r"[^a-z0-9]+", "-", geo.ascii_fold(text)).strip("-") or "form"


def parse_date(text: str | None, where: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` argument as a date (None stays None), or a clear input error."""
    if text is None or str(text).strip() == "":
        return None
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise BdgInputError(
            problem("<argument>", None, where, "forms.not_a_date", text=text)
        ) from None


def agency_of(plan: plans.Plan, indicator_id: str) -> str:
    """The agency a form goes to for an indicator: the first responsible agency the plan's
    document names, else the Department of Home Affairs (which collects the round)."""
    assigned = plan.agencies.get(indicator_id) or {}
    responsible = assigned.get("responsible") or []
    return responsible[0] if responsible else HOME_AFFAIRS


def deadline_for(
    plan: plans.Plan, year: int, today: dt.date, override: dt.date | None = None
) -> tuple[dt.date, str]:
    """The round's deadline and what the plan calls it.

    The plan's day-and-month deadlines (``MM-DD``; 10 June and 10 December when it names
    none), in the report year and the next: the first on or after ``today``, else the last
    (the round is late). ``override`` wins (``--deadline``).
    """
    if override is not None:
        return override, ""
    dues: list[tuple[int, int, str]] = []
    for entry in plan.deadlines:
        m = _MONTH_DAY.match(str(entry.get("due", "")))
        if m:
            dues.append((int(m.group(1)), int(m.group(2)), str(entry.get("what", ""))))
    if not dues:
        dues = [(int(d[:2]), int(d[3:]), "") for d in DEFAULT_DEADLINES]
    candidates = sorted(
        (dt.date(y, month, day), what) for y in (year, year + 1) for month, day, what in dues
    )
    for date, what in candidates:
        if date >= today:
            return date, what
    return candidates[-1]


def held_series(observations: pd.DataFrame, province: geo.Province) -> pd.DataFrame:
    """The province's rows with a value, on current boundaries (former provinces put together
    for years before 2025), as reports see them."""
    from bdg_analysis import scorecard

    rows = observations[observations["province"] == province.name]
    if rows.empty:
        return rows.assign(aggregated=False)
    return scorecard.Context(rows).current


def plan_round(
    province: str,
    year: int,
    observations: pd.DataFrame,
    *,
    today: dt.date | None = None,
    deadline: dt.date | None = None,
    back: int = DEFAULT_BACK,
    return_to: str | None = None,
    contact: str = "",
    params_dir: str | Path | None = None,
) -> Round:
    """What a province's round asks: per agency, each indicator of the plan for the report
    year, and for the ``back`` years before it while no real figure is held (missing, demo or
    provisional), with the latest real figure beside it.

    Raises
    ------
    BdgInputError
        An unknown province, a year outside 2000-2100, a negative ``back``.
    """
    resolved = geo.resolve(province)
    if resolved.is_national:
        raise BdgInputError(problem("--province", None, "province", "forms.not_national"))
    if not 2000 <= int(year) <= 2100:
        raise BdgInputError(problem("--year", None, "year", "forms.bad_year", year=year))
    if back < 0:
        raise BdgInputError(problem("--back", None, "back", "forms.bad_back", back=back))
    place = resolved.province
    plan = plans.load_plan(place.name, params_dir)
    today = today or dt.date.today()
    due, what = deadline_for(plan, year, today, deadline)
    held = held_series(observations, place)
    held = held[held["sex"].fillna("").isin(["", "total"])]  # forms ask for totals
    rows: list[AskedRow] = []
    co: dict[str, list[str]] = {}
    for ind_id in plan.indicator_ids():
        ind = plan.indicator(ind_id)
        agency = agency_of(plan, ind_id)
        assigned = plan.agencies.get(ind_id) or {}
        others = [a for a in assigned.get("coordinating") or [] if a != agency]
        others += [a for a in (assigned.get("responsible") or [])[1:] if a not in others]
        if others:
            co[ind_id] = others
        series = held[held["indicator"] == ind_id]
        real = series[~series["status"].isin(NOT_REAL)]
        known = set(real["year"].astype(int).tolist())
        years = [y for y in range(year - back, year) if y not in known] + [year]
        scale = fio.fraction_scale(ind.kind, ind.unit_vi)
        shown = series[series["status"] != "demo"]
        for y in years:
            upto = shown[shown["year"] <= y]
            ref = None
            if not upto.empty:
                last = upto.sort_values("year").iloc[-1]
                ref = (float(last["value"]), int(last["year"]), str(last["status"] or "official"))
            rows.append(AskedRow(agency, ind, int(y), scale, ref))
    return Round(
        plan=plan,
        province=place,
        year=int(year),
        deadline=due,
        deadline_what=what,
        return_to=return_to or word("forms.return_to_default", "vi", place=_place(place)),
        rows=rows,
        contact=contact,
        co_agencies=co,
    )


def _place(province: geo.Province) -> str:
    """'tỉnh Lạng Sơn', 'thành phố Hà Nội': the full name as it reads inside a sentence."""
    full = province.full_name or province.name
    return full[:1].lower() + full[1:]


# ---------------------------------------------------------------- writing


def write_forms(round_: Round, out_dir: Path | str, *, lang: str = "vi") -> list[Path]:
    """Write one workbook per agency of the round into ``out_dir``; returns their paths."""
    lang = check_lang(lang)
    out = Path(out_dir)
    return [
        write_form(round_, agency, out / round_.file_name(agency), lang=lang)
        for agency in round_.agencies
    ]


def write_form(round_: Round, agency: str, path: Path | str, *, lang: str = "vi") -> Path:
    """Write the form of one agency to ``path``, atomically, with fixed dates and zip stamps
    (the same round gives the same bytes)."""
    lang = check_lang(lang)
    book = build_workbook(round_, agency, lang=lang)
    data = _bytes(book)
    with atomic_target(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def issued_stamp(round_: Round) -> dt.datetime:
    """The workbook's created/modified date: fixed (1 January of the report year), so bytes
    repeat, and a return saved by Excel shows a different one (its save date)."""
    return dt.datetime(round_.year, 1, 1)


def build_workbook(round_: Round, agency: str, *, lang: str = "vi"):
    """The openpyxl workbook of one agency's form (cover, data, hidden block)."""
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    rows = round_.rows_of(agency)
    if not rows:
        raise BdgInputError(
            problem("<argument>", None, "agency", "forms.nothing_asked", agency=agency)
        )
    wb = Workbook()
    cover = wb.active
    cover.title = word("forms.sheet_cover", lang)
    data = wb.create_sheet(word("forms.sheet_data", lang))
    hidden = wb.create_sheet(fio.META_SHEET)
    cells = _cover(cover, round_, agency, rows, data.title, lang)
    numbered = _data_sheet(data, rows, lang)
    meta = fio.FormMeta(
        version=fio.FORM_VERSION,
        form_id=round_.form_id(agency),
        province=round_.province.name,
        province_code=round_.province.code,
        agency=agency,
        year=round_.year,
        deadline=round_.deadline,
        lang=lang,
        data_sheet=data.title,
        cover_sheet=cover.title,
        return_to=round_.return_to,
        cells=cells,
        letters=dict(fio.LETTERS),
        rows=numbered,
        issued=issued_stamp(round_),
    )
    _hidden_block(hidden, meta)
    wb.security = WorkbookProtection(lockStructure=True)
    stamp = issued_stamp(round_)
    wb.properties.creator = "bdg-analysis"
    wb.properties.lastModifiedBy = "bdg-analysis"
    wb.properties.title = f"{word('forms.title', lang)}: {round_.province.name}, {agency}"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.active = 0
    return wb


def _font(**style):
    """A font in the workbook's own face (a style without a name shows as a serif in
    LibreOffice): every cell reads in one typeface."""
    from openpyxl.styles import Font

    return Font(name="Calibri", **style)


def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide (row heights are not
    computed by Excel for wrapped cells written by a program)."""
    return max(1, -(-len(text or "") // max(1, int(width))))


def _text(cell, text: str):
    """Store ``text`` as a string cell, never a formula, whatever it starts with."""
    cell.value = text
    cell.data_type = "s"
    return cell


def _cover(ws, round_: Round, agency: str, rows: list[AskedRow], sheet: str, lang: str) -> dict:
    """The cover: who, what, by when, the agency's own fields, instructions, indicators."""
    from openpyxl.styles import Alignment, Border, PatternFill, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    wrap = Alignment(wrap_text=True, vertical="top")
    bold = _font(bold=True)
    thin = Side(style="thin", color="FF999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, width in zip("ABCDE", (26, 46, 16, 46, 30), strict=True):
        ws.column_dimensions[col].width = width
    _text(ws["A1"], word("forms.title", lang)).font = _font(bold=True, size=14)
    ws.merge_cells("A1:E1")
    _text(ws["A2"], word("forms.subtitle", lang, plan=round_.plan.document_label()))
    ws["A2"].alignment = wrap
    ws.merge_cells("A2:E2")
    ws.row_dimensions[2].height = 30
    deadline = fmt_date(round_.deadline, lang)
    deadline += f" ({round_.deadline_what})" if round_.deadline_what else ""
    if not any(_MONTH_DAY.match(str(d.get("due", ""))) for d in round_.plan.deadlines):
        deadline += f" ({word('forms.deadline_default', lang)})"
    return_to = round_.return_to
    facts = [
        ("forms.province", round_.province.name),
        ("forms.agency", agency),
        ("forms.report_year", str(round_.year)),
        ("forms.deadline", deadline),
        ("forms.return_to", return_to),
        ("forms.contact", round_.contact),
        ("forms.form_id", round_.form_id(agency)),
        ("forms.rows_count", word("forms.rows_count_value", lang, n=len(rows), sheet=sheet)),
    ]
    co = sorted({a for r in rows for a in round_.co_agencies.get(r.id, [])})
    if co:
        facts.insert(2, ("forms.co_agencies", ", ".join(co)))
    r = 4
    for key, value in facts:
        if key == "forms.contact" and not value:
            continue
        _text(ws.cell(r, 1), word(key, lang) + ":").font = bold
        _text(ws.cell(r, 2), value).alignment = wrap
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=5)
        if key == "forms.deadline":
            ws.cell(r, 2).font = _font(bold=True, color="FFC00000")
        r += 1
    r += 1
    _text(ws.cell(r, 1), word("forms.filled_by", lang)).font = _font(bold=True, size=12)
    r += 1
    cells = {}
    fill = PatternFill("solid", fgColor=INPUT_FILL)
    date_check = DataValidation(
        type="date",
        operator="between",
        formula1="36526",  # 1 January 2000 as an Excel serial date
        formula2="73051",  # 31 December 2099
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle=word("forms.dv_title", lang),
        error=word("forms.dv_date", lang),
        prompt=word("forms.dv_date", lang),
    )
    ws.add_data_validation(date_check)
    for key, name in (
        ("forms.preparer", "preparer"),
        ("forms.phone", "contact"),
        ("forms.return_date", "return_date"),
    ):
        _text(ws.cell(r, 1), word(key, lang) + ":").font = bold
        target = ws.cell(r, 2)
        target.fill = fill
        target.border = box
        target.protection = Protection(locked=False)
        if name == "return_date":
            target.number_format = "DD/MM/YYYY"
            date_check.add(target.coordinate)
        cells[name] = target.coordinate
        r += 1
    r += 1
    _text(ws.cell(r, 1), word("forms.how_title", lang)).font = _font(bold=True, size=12)
    r += 1
    reference = word("forms.reference_header", lang)
    for i in range(1, 9):
        text = word(f"forms.how_{i}", lang, sheet=sheet, reference=reference)
        _text(ws.cell(r, 1), f"{i}.").alignment = Alignment(horizontal="right", vertical="top")
        _text(ws.cell(r, 2), text).alignment = wrap
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=5)
        ws.row_dimensions[r].height = 15 * _lines(text, 130)
        r += 1
    r += 1
    _text(ws.cell(r, 1), word("forms.indicators_title", lang)).font = _font(bold=True, size=12)
    r += 1
    for c, key in enumerate(("col_id", "col_name", "col_unit", "col_how", "col_source"), 1):
        cell = _text(ws.cell(r, c), word(f"forms.{key}", lang))
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.border = box
        cell.alignment = wrap
    r += 1
    for row in {x.id: x for x in rows}.values():
        ind = row.indicator
        texts = (
            ind.id,
            ind.name(lang),
            ind.unit(lang),
            _how(ind, row.scale, lang),
            ind.data_source_en if lang == "en" else ind.data_source_vi,
        )
        for c, value in enumerate(texts, start=1):
            cell = _text(ws.cell(r, c), value or "")
            cell.alignment = wrap
            cell.border = box
        ws.row_dimensions[r].height = 15 * max(
            _lines(texts[1], 42), _lines(texts[3], 42), _lines(texts[4] or "", 27)
        )
        r += 1
    r += 1
    _text(ws.cell(r, 1), word("forms.tolerance_rule", lang)).alignment = wrap
    ws.cell(r, 1).font = _font(italic=True, size=9)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=5)
    ws.row_dimensions[r].height = 45
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return cells


def _how(ind: catalogue.Indicator, scale: float | None, lang: str) -> str:
    """How an indicator is computed, for the cover: its own words, else the kind's."""
    from bdg_analysis.words import has_word

    key = f"forms.how_{ind.id}"
    if has_word(key):
        text = word(key, lang)
    elif scale is not None:
        text = word("forms.how_fraction", lang)
    else:
        text = word(f"forms.how_{'binary' if ind.kind == 'binary' else 'count'}", lang)
    if scale is not None:
        text += " " + word("forms.scale", lang, scale=fmt_number(scale, lang))
    return text


def _data_sheet(ws, rows: list[AskedRow], lang: str) -> list[fio.FormRow]:
    """The data sheet: contract header, one row per indicator and year, validation, locks."""
    from openpyxl.styles import Alignment, Border, PatternFill, Protection, Side

    thin = Side(style="thin", color="FF999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    input_fill = PatternFill("solid", fgColor=INPUT_FILL)
    grey = PatternFill("solid", fgColor=GREY_FILL)
    letters = fio.LETTERS
    headers = [*fio.COLUMNS, word("forms.reference_header", lang)]
    widths = (11, 46, 16, 7, 11, 12, 12, 28, 32, 13, 30)
    for c, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = _text(ws.cell(1, c), text)
        cell.font = _font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = box
        ws.column_dimensions[cell.column_letter].width = width
    ws.row_dimensions[1].height = 32
    checks = _Checks(ws, lang)
    numbered = []
    for i, row in enumerate(rows, start=2):
        ind = row.indicator
        _text(ws[f"{letters['indicator']}{i}"], ind.id)
        _text(ws[f"{letters['name']}{i}"], ind.name(lang)).alignment = wrap
        _text(ws[f"{letters['unit']}{i}"], ind.unit(lang)).alignment = wrap
        ws[f"{letters['year']}{i}"] = row.year
        for name in fio.INPUT_FIELDS:
            cell = ws[f"{letters[name]}{i}"]
            cell.border = box
            cell.alignment = top
            fraction_part = name in ("numerator", "denominator")
            if fraction_part and row.scale is None:
                cell.fill = grey
                continue
            cell.fill = input_fill
            cell.protection = Protection(locked=False)
            if name in ("source", "note"):
                cell.alignment = wrap
                cell.number_format = "@"
        checks.value(ind, f"{letters['value']}{i}")
        if row.scale is not None:
            checks.add("numerator", f"{letters['numerator']}{i}")
            checks.add("denominator", f"{letters['denominator']}{i}")
        checks.add("status", f"{letters['status']}{i}")
        for name in ("indicator", "year"):
            ws[f"{letters[name]}{i}"].alignment = top
        for name in ("indicator", "name", "unit", "year"):
            ws[f"{letters[name]}{i}"].border = box
        ref = ws.cell(i, len(fio.COLUMNS) + 1)
        reference = _reference(row, lang)
        _text(ref, reference).font = _font(italic=True, color="FF595959")
        ref.alignment = wrap
        lines = max(
            _lines(ind.name(lang), widths[1] - 2),
            _lines(ind.unit(lang), widths[2] - 2),
            _lines(reference, widths[10] - 2),
        )
        ws.row_dimensions[i].height = 15 * lines
        numbered.append(
            fio.FormRow(
                row=i,
                indicator=ind.id,
                year=row.year,
                kind=ind.kind,
                lower=ind.lower,
                upper=ind.upper,
                scale=row.scale,
                unit=ind.unit_en,
            )
        )
    ws.freeze_panes = "C2"
    ws.print_title_rows = "1:1"
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return numbered


def _reference(row: AskedRow, lang: str) -> str:
    if row.reference is None:
        return word("forms.reference_none", lang)
    value, year, status = row.reference
    status_word = (
        word(f"forms.status_{status}", lang) if status in fio.STATUSES else status
    ).lower()
    return word(
        "forms.reference_value",
        lang,
        value=fmt_number(value, lang),
        year=year,
        status=status_word,
    )


class _Checks:
    """The data validations of a sheet, one per distinct rule, cells added in row order."""

    def __init__(self, ws, lang: str):
        self.ws = ws
        self.lang = lang
        self.rules: dict[tuple, object] = {}

    def _rule(self, key: tuple, **spec):
        from openpyxl.worksheet.datavalidation import DataValidation

        if key not in self.rules:
            message = spec.pop("message")
            dv = DataValidation(
                allow_blank=True,
                showErrorMessage=True,
                showInputMessage=True,
                errorStyle="stop",
                errorTitle=word("forms.dv_title", self.lang),
                error=message,
                prompt=message,
                **spec,
            )
            self.ws.add_data_validation(dv)
            self.rules[key] = dv
        return self.rules[key]

    def value(self, ind: catalogue.Indicator, ref: str) -> None:
        """Decimal within the natural range, whole numbers for counts, 0/1 for yes/no."""
        unit = ind.unit(self.lang)
        low, high = ind.lower, ind.upper
        if ind.kind == "binary":
            dv = self._rule(
                ("binary",),
                type="whole",
                operator="between",
                formula1="0",
                formula2="1",
                message=word("forms.dv_binary", self.lang),
            )
        elif ind.kind == "count":
            dv = self._rule(
                ("count", unit),
                type="whole",
                operator="greaterThanOrEqual",
                formula1=_num(low if low is not None else 0),
                message=word("forms.dv_whole", self.lang, unit=unit),
            )
        elif low is not None and high is not None:
            dv = self._rule(
                ("between", low, high, unit),
                type="decimal",
                operator="between",
                formula1=_num(low),
                formula2=_num(high),
                message=word(
                    "forms.dv_between",
                    self.lang,
                    low=fmt_number(low, self.lang),
                    high=fmt_number(high, self.lang),
                    unit=unit,
                ),
            )
        elif low is not None:
            dv = self._rule(
                ("at_least", low, unit),
                type="decimal",
                operator="greaterThanOrEqual",
                formula1=_num(low),
                message=word("forms.dv_at_least", self.lang, unit=unit),
            )
        else:
            dv = self._rule(
                ("number", unit),
                type="decimal",
                operator="between",
                formula1="-1E+15",
                formula2="1E+15",
                message=word("forms.dv_number", self.lang, unit=unit),
            )
        dv.add(ref)

    def add(self, name: str, ref: str) -> None:
        if name == "numerator":
            dv = self._rule(
                ("numerator",),
                type="decimal",
                operator="greaterThanOrEqual",
                formula1="0",
                message=word("forms.dv_numerator", self.lang),
            )
        elif name == "denominator":
            dv = self._rule(
                ("denominator",),
                type="decimal",
                operator="greaterThan",
                formula1="0",
                message=word("forms.dv_denominator", self.lang),
            )
        else:
            choices = [word(f"forms.status_{c}", self.lang) for c in fio.STATUSES]
            dv = self._rule(
                ("status",),
                type="list",
                formula1='"' + ",".join(choices) + '"',
                message=word("forms.dv_status", self.lang, choices=", ".join(choices)),
            )
        dv.add(ref)


def _num(value: float) -> str:
    """A bound as Excel stores it in a validation formula (always '.' decimals)."""
    return format(float(value), "g")


def _hidden_block(ws, meta: fio.FormMeta) -> None:
    """The machine-readable block: mark and version, key/value lines, one line per row."""
    ws.sheet_state = "veryHidden"
    _text(ws["A1"], fio.FORM_MARK)
    ws["B1"] = meta.version
    r = 2
    for key, value in meta.as_dict().items():
        _text(ws.cell(r, 1), key)
        _text(ws.cell(r, 2), value)
        r += 1
    _text(ws.cell(r, 1), fio.ROWS_MARK)
    for c, name in enumerate(fio.ROW_FIELDS[1:], start=2):
        _text(ws.cell(r, c), name)
    for row in meta.rows:
        r += 1
        ws.cell(r, 1).value = row.row
        _text(ws.cell(r, 2), row.indicator)
        ws.cell(r, 3).value = row.year
        _text(ws.cell(r, 4), row.kind)
        ws.cell(r, 5).value = row.lower
        ws.cell(r, 6).value = row.upper
        ws.cell(r, 7).value = row.scale
        _text(ws.cell(r, 8), row.unit)
    ws.protection.sheet = True


def _bytes(book) -> bytes:
    """The workbook as .xlsx bytes, with openpyxl's save-time stamps replaced by fixed ones.

    openpyxl's own ``save`` sets the modified date to now and the zip entries carry the clock;
    writing through its ExcelWriter and re-packing with a fixed date keeps the bytes equal for
    equal inputs (and the document dates as :func:`issued_stamp` set them).
    """
    from openpyxl.writer.excel import ExcelWriter

    raw = io.BytesIO()
    archive = zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(book, archive).save()  # closes the archive
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
