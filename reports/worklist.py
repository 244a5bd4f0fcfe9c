"""One Excel worklist per school: a summary sheet, then a sheet per family of conflicts.

Every text cell is written with ``write_string`` and the workbook refuses to turn strings into
formulas, numbers or links: a name or a piece of evidence that starts with ``=``, ``+``, ``-`` or
``@`` stays text in Excel (no formula injection from a vendor's export).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from reports import catalog, messages
from reports.evidence import parse

WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "in_memory": True,  # no temporary file per sheet: four times faster for small workbooks
}
PARALLEL_FROM = 64
HEADER_ROW = 2  # title on row 0, night and school on row 1
WIDTHS = (5, 13, 30, 13, 26, 8, 11, 13, 40, 45, 40, 12, 9, 28, 28, 12, 24)
SEVERITY_COLOURS = {"critical": "#F4B6B6", "high": "#F9D9A8", "medium": "#FFF2B3", "low": "#E3EEDA"}


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
        self.text = book.add_format({"valign": "top"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.date = book.add_format({"num_format": "dd/mm/yyyy", "valign": "top"})
        self.number = book.add_format({"valign": "top"})
        self.bold = book.add_format({"bold": True})
        self.severity = {
            sev: book.add_format({"bg_color": colour, "valign": "top"})
            for sev, colour in SEVERITY_COLOURS.items()
        }


def _text(sheet: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
    sheet.write_string(row, col, "" if value is None else str(value), fmt)


def _item_row(sheet: Any, row: int, index: int, item: dict[str, Any], f: _Formats) -> None:
    sev = item["severity"] or "low"
    cells = [
        messages.SEVERITIES.get(sev, sev),
        messages.CONFLICT_TYPES.get(item["type"], item["type"]),
        _status(item),
        item["full_name"]
        or " ".join(p for p in (item["family_name"], item["middle_name"], item["given_name"]) if p),
        item["class_name"],
    ]
    sheet.write_number(row, 0, index, f.number)
    for offset, value in enumerate(cells, start=1):
        _text(sheet, row, offset, value, f.severity.get(sev) if offset == 1 else f.text)
    if item["dob"]:
        sheet.write_datetime(row, 6, dt.datetime.combine(item["dob"], dt.time()), f.date)
    else:
        _text(sheet, row, 6, "", f.text)
    _text(sheet, row, 7, item["moet_code"], f.text)
    _text(sheet, row, 8, item["message_vi"], f.wrap)
    _text(sheet, row, 9, item["evidence_text"], f.wrap)
    _text(sheet, row, 10, item["suggested_fix"], f.wrap)
    if item["first_seen"]:
        sheet.write_datetime(row, 11, dt.datetime.combine(item["first_seen"], dt.time()), f.date)
    else:
        _text(sheet, row, 11, "", f.text)
    sheet.write_number(row, 12, int(item["nights_open"] or 1), f.number)
    _text(sheet, row, 13, ", ".join(_ids(item["record_ids"])), f.wrap)
    _text(sheet, row, 14, item["conflict_id"], f.text)
    # Columns 15 and 16 are left empty for the school to fill in.


def _status(item: dict[str, Any]) -> str:
    """The status, and for an acknowledged conflict who answered it and why: it stays on the
    worklist (it is still open) and the school sees it has been answered."""
    label = messages.STATUSES.get(item["status"], item["status"])
    if item.get("acknowledged_by"):
        label = f"{label} — {messages.ACKNOWLEDGED.format(who=item['acknowledged_by'])}"
        if item.get("acknowledged_reason"):
            label = f"{label}: {item['acknowledged_reason']}"
    return label


def _ids(raw: str | None) -> list[str]:
    value = parse(raw or "[]")
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _family_sheet(
    book: xlsxwriter.Workbook, family: str, items: list[dict], title: str, f: _Formats
) -> None:
    sheet = book.add_worksheet(messages.FAMILIES[family][:31])
    columns = messages.WORKLIST_COLUMNS
    _text(sheet, 0, 0, f"{messages.FAMILIES[family]} — {title}", f.title)
    _text(sheet, 1, 0, f"{len(items)} {messages.LABELS['conflicts_open'].lower()}", f.subtitle)
    for col, (name, width) in enumerate(zip(columns, WIDTHS, strict=True)):
        sheet.set_column(col, col, width)
        _text(sheet, HEADER_ROW, col, name, f.header)
    sheet.set_row(HEADER_ROW, 32)
    sheet.freeze_panes(HEADER_ROW + 1, 5)
    if not items:
        _text(sheet, HEADER_ROW + 1, 1, messages.NO_ITEMS, f.text)
        sheet.autofilter(HEADER_ROW, 0, HEADER_ROW, len(columns) - 1)
        return
    for index, item in enumerate(items, start=1):
        _item_row(sheet, HEADER_ROW + index, index, item, f)
    sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + len(items), len(columns) - 1)


def _summary_sheet(
    book: xlsxwriter.Workbook, school: dict, night: dt.date, by_family: dict, f: _Formats
) -> None:
    sheet = book.add_worksheet(messages.SUMMARY_SHEET)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 50)
    sheet.set_column(2, 4, 14)
    title = messages.WORKLIST_TITLE.format(
        school=school["name"], code=school["school_code"], night=catalog.vn_date(night)
    )
    _text(sheet, 0, 0, title, f.title)
    _text(sheet, 1, 0, f"{messages.LABELS['students']}: {school['students']}", f.subtitle)
    for col, name in enumerate(messages.WORKLIST_SUMMARY_HEADERS):
        _text(sheet, HEADER_ROW, col, name, f.header)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    row = HEADER_ROW + 1
    for entry in school["by_type"]:
        if entry["open"] == 0:
            continue
        _text(sheet, row, 0, messages.FAMILIES.get(entry["family"], entry["family"]), f.text)
        _text(sheet, row, 1, entry["label"], f.text)
        sev = entry["severity"]
        _text(sheet, row, 2, messages.SEVERITIES.get(sev, sev), f.severity.get(sev, f.text))
        sheet.write_number(row, 3, entry["open"], f.number)
        sheet.write_number(row, 4, entry["new"], f.number)
        row += 1
    if row == HEADER_ROW + 1:
        _text(sheet, row, 1, messages.LABELS["no_conflicts"], f.text)
        row += 1
    sheet.autofilter(HEADER_ROW, 0, row - 1, len(messages.WORKLIST_SUMMARY_HEADERS) - 1)
    total = sum(len(v) for v in by_family.values())
    _text(sheet, row + 1, 0, messages.LABELS["total"], f.bold)
    sheet.write_number(row + 1, 3, total, f.bold)


def write_worklist(
    path: Path, school: dict, items: pl.DataFrame | list[dict], night: dt.date
) -> Path:
    """Write one school's worklist; ``school`` is the report's entry for it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = items.to_dicts() if isinstance(items, pl.DataFrame) else items
    by_family: dict[str, list[dict]] = {fam: [] for fam in catalog.WORKLIST_FAMILIES}
    for item in rows:
        by_family.setdefault(item["family"], []).append(item)
    book = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    try:
        formats = _Formats(book)
        _summary_sheet(book, school, night, by_family, formats)
        title = f"{school['name']} ({school['school_code']}) — {catalog.vn_date(night)}"
        for family in catalog.FAMILY_ORDER:
            if family in by_family:
                _family_sheet(book, family, by_family[family], title, formats)
    finally:
        book.close()
    return path


def _write_job(job: tuple[Path, dict, list[dict], dt.date]) -> Path:
    return write_worklist(*job)


def write_worklists(
    out_dir: Path,
    report: dict,
    items: pl.DataFrame,
    night: dt.date,
    *,
    workers: int | None = None,
) -> list[Path]:
    """Every school's worklist under ``out_dir`` (at the paths the report links to).

    A province has thousands of schools: from ``PARALLEL_FROM`` schools on, the workbooks are
    written by ``workers`` forked processes (default: one per core, at most four). The children
    only run xlsxwriter on plain dicts, never polars, so forking a process that has polars'
    threads is safe here; where fork is not available the work stays in this process.
    """
    parts = items.partition_by("school_code", as_dict=True) if items.height else {}
    jobs = []
    for school in report["schools"]:
        mine = parts.get((school["school_code"],))
        rows = mine.to_dicts() if mine is not None else []
        jobs.append((out_dir / school["worklist"], school, rows, night))
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if workers <= 1 or len(jobs) < PARALLEL_FROM or not can_fork:
        return [_write_job(job) for job in jobs]
    context = multiprocessing.get_context("fork")
    chunk = max(len(jobs) // (workers * 4), 1)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_write_job, jobs, chunksize=chunk))
