"""One Excel worklist per school: a guide, a summary, a sheet per family of conflicts, and a
hidden sheet that seals each row so the school can answer in the file and upload it back.

What a school administrator gets: their own students only (another school is named, its data
withheld by the one rule the pages follow too, :mod:`reports.withhold`), rows in class order
then severity then name, a drop-down to answer each row (no answer holds a comma: Excel splits
a list's items on commas), pages that print on A4 landscape with the titles repeated. Every
text cell is written with ``write_string`` and the workbook refuses to turn strings into
formulas, numbers or links: a name or a piece of evidence that starts with ``=``, ``+``,
``-`` or ``@`` stays text in Excel (no formula injection from a vendor's export).
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from doisoat.glossary import fmt_date, label
from doisoat.vn import roster_sort_key, vi_sort_key
from reports import catalog, messages
from reports.evidence import parse
from reports.school_view import evidence_text, owner, school_item
from reports.worklist_format import (
    ANSWER_COLUMN,
    ANSWERS,
    COLUMNS,
    HEADER_ROW,
    META_FIRST_ROW,
    META_MARK,
    META_SHEET,
    META_VERSION,
    NOTE_COLUMN,
    row_seal,
)

WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "in_memory": True,  # no temporary file per sheet: four times faster for small workbooks
}
PARALLEL_FROM = 64
WIDTHS = (5, 13, 30, 16, 26, 8, 11, 13, 40, 45, 40, 26, 12, 9, 24, 26, 24, 30)
SEVERITY_COLOURS = {"critical": "#F4B6B6", "high": "#F9D9A8", "medium": "#FFF2B3", "low": "#E3EEDA"}
A4 = 9


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.subtitle = book.add_format({"italic": True, "font_color": "#444444"})
        self.header = book.add_format(
            {
                "bold": True,
                "bg_color": "#1F4E79",
                "font_color": "#FFFFFF",
                "text_wrap": True,
                "valign": "vcenter",
                "border": 1,
            }
        )
        self.answer_header = book.add_format(
            {"bold": True, "bg_color": "#C65911", "font_color": "#FFFFFF", "text_wrap": True,
             "valign": "vcenter", "border": 1}
        )  # fmt: skip
        self.text = book.add_format({"valign": "top"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.answer = book.add_format({"valign": "top", "bg_color": "#FFF8E5", "border": 1,
                                       "locked": False, "text_wrap": True})  # fmt: skip
        self.acknowledged = book.add_format(
            {"valign": "top", "italic": True, "text_wrap": True, "font_color": "#375623",
             "bg_color": "#E2EFDA"}
        )  # fmt: skip
        self.date = book.add_format({"num_format": "dd/mm/yyyy", "valign": "top"})
        self.number = book.add_format({"valign": "top"})
        self.bold = book.add_format({"bold": True})
        self.guide = book.add_format({"text_wrap": True, "valign": "top"})
        self.severity = {
            sev: book.add_format({"bg_color": colour, "valign": "top"})
            for sev, colour in SEVERITY_COLOURS.items()
        }


def _text(sheet: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
    sheet.write_string(row, col, "" if value is None else str(value), fmt)


def _date(sheet: Any, row: int, col: int, value: Any, f: _Formats) -> None:
    if isinstance(value, str) and value:
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), f.date)
    else:
        _text(sheet, row, col, "", f.text)


def _name(item: dict[str, Any]) -> str:
    return item.get("full_name") or " ".join(
        p for p in (item.get("family_name"), item.get("middle_name"), item.get("given_name")) if p
    )


def _status(item: dict[str, Any]) -> str:
    """The status, and for an acknowledged conflict who answered it and why: it stays on the
    worklist (it is still open), marked, and the school sees it has been answered."""
    text = label("status", item["status"])
    if item.get("acknowledged_by"):
        text = f"{text} — {messages.ACKNOWLEDGED.format(who=item['acknowledged_by'])}"
        if item.get("acknowledged_reason"):
            text = f"{text}: {item['acknowledged_reason']}"
    if item["status"] == "acknowledged" or item.get("acknowledged_by"):
        text = messages.ACKNOWLEDGED_MARK + text
    return text


def row_cells(item: dict[str, Any], index: int) -> list[Any]:
    """The row as written (dates and numbers as values, the rest as text), in ``COLUMNS``."""
    sev = item["severity"] or "low"
    return [
        index,
        label("severity", sev),
        label("conflict_type", item["type"]),
        _status(item),
        _name(item),
        item.get("class_name") or "",
        item.get("dob"),
        item.get("moet_code") or "",
        item.get("message_vi") or "",
        item.get("evidence_text") or "",
        item.get("suggested_fix") or "",
        "\n".join([*item.get("other_schools", []), item.get("contact", "")]).strip(),
        item.get("first_seen"),
        int(item.get("nights_open") or 1),
        ", ".join(item.get("record_ids") or []),
        item["conflict_id"],
        "",
        "",
    ]


def _item_row(sheet: Any, row: int, cells: list[Any], item: dict[str, Any], f: _Formats) -> None:
    sev = item["severity"] or "low"
    for col, value in enumerate(cells):
        name = COLUMNS[col]
        if name == "STT" or name == "Số đêm tồn tại":
            sheet.write_number(row, col, value, f.number)
        elif name in ("Ngày sinh", "Phát hiện từ"):
            _date(sheet, row, col, value, f)
        elif col in (ANSWER_COLUMN, NOTE_COLUMN):
            _text(sheet, row, col, value, f.answer)
        elif name == "Mức độ":
            _text(sheet, row, col, value, f.severity.get(sev))
        elif name == "Tình trạng" and str(value).startswith(messages.ACKNOWLEDGED_MARK):
            _text(sheet, row, col, value, f.acknowledged)
        elif name in ("Nội dung", "Bằng chứng", "Đề xuất xử lý", "Trường liên quan", "Mã hồ sơ"):
            _text(sheet, row, col, value, f.wrap)
        else:
            _text(sheet, row, col, value, f.text)


def _class_key(name: str | None) -> tuple:
    """6A2 before 6A10: digits compare as numbers, letters the Vietnamese way; no class last."""
    if not name:
        return ((1,),)
    parts = re.split(r"(\d+)", name)
    return ((0,), *((0, int(p)) if p.isdigit() else (1, vi_sort_key(p)) for p in parts if p))


def sort_key(item: dict[str, Any]) -> tuple:
    """Class, then severity, then the roster (given, middle, family name, Vietnamese order)."""
    return (
        _class_key(item.get("class_name")),
        catalog.severity_rank(item.get("severity")),
        not (item.get("given_name") or item.get("family_name")),
        roster_sort_key(*(item.get(k) or "" for k in ("family_name", "middle_name", "given_name"))),
        catalog.type_rank(item.get("type") or ""),
        item.get("conflict_id") or "",
    )


def _print_setup(sheet: Any, last_col: int) -> None:
    sheet.set_landscape()
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, 0)  # as wide as one page, as long as it takes
    sheet.repeat_rows(0, HEADER_ROW)
    sheet.set_margins(left=0.3, right=0.3, top=0.5, bottom=0.5)
    sheet.set_footer("&CTrang &P / &N")


def _family_sheet(
    book: xlsxwriter.Workbook,
    family: str,
    rows: list[tuple[list[Any], dict]],
    title: str,
    f: _Formats,
) -> str:
    name = messages.FAMILIES[family][:31]
    sheet = book.add_worksheet(name)
    _text(sheet, 0, 0, f"{messages.FAMILIES[family]} — {title}", f.title)
    _text(sheet, 1, 0, f"{len(rows)} {messages.LABELS['conflicts_open'].lower()}", f.subtitle)
    for col, (column, width) in enumerate(zip(COLUMNS, WIDTHS, strict=True)):
        sheet.set_column(col, col, width)
        header = f.answer_header if col in (ANSWER_COLUMN, NOTE_COLUMN) else f.header
        _text(sheet, HEADER_ROW, col, column, header)
    sheet.set_row(HEADER_ROW, 32)
    sheet.freeze_panes(HEADER_ROW + 1, 5)
    _print_setup(sheet, len(COLUMNS) - 1)
    last = HEADER_ROW + max(len(rows), 1)
    if not rows:
        _text(sheet, HEADER_ROW + 1, 1, messages.NO_ITEMS, f.text)
    for offset, (cells, item) in enumerate(rows, start=1):
        _item_row(sheet, HEADER_ROW + offset, cells, item, f)
    if rows:
        sheet.data_validation(
            HEADER_ROW + 1, ANSWER_COLUMN, last, ANSWER_COLUMN,
            {"validate": "list", "source": list(ANSWERS), "ignore_blank": True,
             "input_title": messages.ANSWER_HEADER[:32],
             "input_message": messages.ANSWER_PROMPT[:255],
             "error_title": messages.ANSWER_HEADER[:32],
             "error_message": messages.ANSWER_REFUSED[:255]},
        )  # fmt: skip
    sheet.autofilter(HEADER_ROW, 0, last if rows else HEADER_ROW, len(COLUMNS) - 1)
    return name


def _summary_sheet(
    book: xlsxwriter.Workbook, school: dict, night: dt.date, total: int, f: _Formats
) -> None:
    sheet = book.add_worksheet(messages.SUMMARY_SHEET)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 50)
    sheet.set_column(2, 4, 14)
    title = messages.WORKLIST_TITLE.format(
        school=school["name"], code=school["school_code"], night=fmt_date(night)
    )
    _text(sheet, 0, 0, title, f.title)
    _text(sheet, 1, 0, f"{messages.LABELS['students']}: {school['students']}", f.subtitle)
    for col, name in enumerate(messages.WORKLIST_SUMMARY_HEADERS):
        _text(sheet, HEADER_ROW, col, name, f.header)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    _print_setup(sheet, len(messages.WORKLIST_SUMMARY_HEADERS) - 1)
    row = HEADER_ROW + 1
    for entry in school["by_type"]:
        if entry["open"] == 0:
            continue
        _text(sheet, row, 0, label("family", entry["family"]), f.text)
        _text(sheet, row, 1, label("conflict_type", entry["type"]), f.text)
        sev = entry["severity"]
        _text(sheet, row, 2, label("severity", sev), f.severity.get(sev, f.text))
        sheet.write_number(row, 3, entry["open"], f.number)
        sheet.write_number(row, 4, entry["new"], f.number)
        row += 1
    if row == HEADER_ROW + 1:
        _text(sheet, row, 1, messages.LABELS["no_conflicts"], f.text)
        row += 1
    sheet.autofilter(HEADER_ROW, 0, row - 1, len(messages.WORKLIST_SUMMARY_HEADERS) - 1)
    _text(sheet, row + 1, 0, messages.LABELS["total"], f.bold)
    sheet.write_number(row + 1, 3, total, f.bold)


def _guide_sheet(book: xlsxwriter.Workbook, school: dict, night: dt.date, f: _Formats) -> None:
    sheet = book.add_worksheet(messages.GUIDE_SHEET)
    sheet.set_column(0, 0, 110)
    title = messages.WORKLIST_TITLE.format(
        school=school["name"], code=school["school_code"], night=fmt_date(night)
    )
    _text(sheet, 0, 0, title, f.title)
    for offset, line in enumerate(messages.GUIDE_LINES, start=2):
        _text(sheet, offset, 0, line, f.bold if offset == 2 else f.guide)
    sheet.set_portrait()
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, 0)


def _meta_sheet(
    book: xlsxwriter.Workbook, school: dict, night: dt.date, seals: list[tuple[str, str, str]]
) -> None:
    sheet = book.add_worksheet(META_SHEET)
    for row, (key, value) in enumerate(
        (("mark", META_MARK), ("version", META_VERSION), ("school_code", school["school_code"]),
         ("night", night.isoformat()))
    ):  # fmt: skip
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, value)
    for row, (conflict_id, sheet_name, seal) in enumerate(seals, start=META_FIRST_ROW):
        sheet.write_string(row, 0, conflict_id)
        sheet.write_string(row, 1, sheet_name)
        sheet.write_string(row, 2, seal)
    sheet.very_hidden()


def school_rows(
    items: list[dict[str, Any]],
    school_code: str,
    records: dict[str, dict[str, Any]],
    names: dict[str, str],
    contacts: dict[str, list[str]] | None = None,
) -> list[dict[str, Any]]:
    """The school's items as it may read them (:func:`reports.school_view.school_item`), with
    the student hidden when the only one known is another school's."""
    out = []
    for item in items:
        ids = [str(i) for i in (parse(item.get("record_ids") or "[]") or [])]
        view = school_item(
            {**item, "record_ids": ids, "evidence": parse(item.get("evidence"))},
            school_code,
            [records[i] for i in ids if i in records],
            names,
            contacts,
        )
        person = records.get(item.get("person_record_id") or "")
        if person is not None and owner(person, school_code) == "other":
            for key in ("full_name", "family_name", "middle_name", "given_name",
                        "class_name", "dob", "moet_code"):  # fmt: skip
                view[key] = None
        view["evidence_text"] = evidence_text(view["evidence_rows"])
        out.append(view)
    return out


def write_worklist(
    path: Path,
    school: dict,
    items: pl.DataFrame | list[dict],
    night: dt.date,
    records: dict[str, dict[str, Any]] | None = None,
    names: dict[str, str] | None = None,
    contacts: dict[str, list[str]] | None = None,
) -> Path:
    """Write one school's worklist; ``school`` is the report's entry for it, ``records`` the
    student records its items name (by record id), ``names`` every school's name by code."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = items.to_dicts() if isinstance(items, pl.DataFrame) else items
    names = names or {school["school_code"]: school["name"]}
    viewed = school_rows(rows, school["school_code"], records or {}, names, contacts)
    by_family: dict[str, list[dict]] = {fam: [] for fam in catalog.WORKLIST_FAMILIES}
    for item in viewed:
        by_family.setdefault(item["family"], []).append(item)
    book = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    try:
        formats = _Formats(book)
        _summary_sheet(book, school, night, len(viewed), formats)
        _guide_sheet(book, school, night, formats)
        title = f"{school['name']} ({school['school_code']}) — {fmt_date(night)}"
        seals: list[tuple[str, str, str]] = []
        for family in catalog.FAMILY_ORDER:
            if family not in by_family:
                continue
            ordered = sorted(by_family[family], key=sort_key)
            lines = [(row_cells(item, i), item) for i, item in enumerate(ordered, start=1)]
            name = _family_sheet(book, family, lines, title, formats)
            seals += [
                (item["conflict_id"], name, row_seal(school["school_code"], night.isoformat(), c))
                for c, item in lines
            ]
        _meta_sheet(book, school, night, seals)
    finally:
        book.close()
    return path


def _write_job(job: tuple) -> Path:
    return write_worklist(*job)


def _records_index(people: pl.DataFrame | None) -> dict[str, dict[str, Any]]:
    if people is None or people.height == 0:
        return {}
    return {r["record_id"]: r for r in people.unique("record_id").iter_rows(named=True)}


def write_worklists(
    out_dir: Path,
    report: dict,
    items: pl.DataFrame,
    night: dt.date,
    *,
    people: pl.DataFrame | None = None,
    contacts: dict[str, list[str]] | None = None,
    workers: int | None = None,
) -> list[Path]:
    """Every school's worklist under ``out_dir`` (at the paths the report links to).

    A province has thousands of schools: from ``PARALLEL_FROM`` schools on, the workbooks are
    written by ``workers`` forked processes (default: one per core, at most four). The children
    only run xlsxwriter on plain dicts, never polars, so forking a process that has polars'
    threads is safe here; where fork is not available the work stays in this process.
    """
    parts = items.partition_by("school_code", as_dict=True) if items.height else {}
    index = _records_index(people)
    names = {s["school_code"]: s["name"] for s in report["schools"]}
    jobs = []
    for school in report["schools"]:
        mine = parts.get((school["school_code"],))
        rows = mine.to_dicts() if mine is not None else []
        wanted = {str(i) for r in rows for i in json.loads(r.get("record_ids") or "[]")}
        records = {i: index[i] for i in wanted if i in index}
        jobs.append(
            (out_dir / school["worklist"], school, rows, night, records, names, contacts or {})
        )
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if workers <= 1 or len(jobs) < PARALLEL_FROM or not can_fork:
        return [_write_job(job) for job in jobs]
    context = multiprocessing.get_context("fork")
    chunk = max(len(jobs) // (workers * 4), 1)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_write_job, jobs, chunksize=chunk))
