"""Locate the data tables of a file: which dataset each sheet holds, its header, its rows.

A sheet is matched against each dataset of the profile whose sheet pattern fits; the dataset
with the most convincing header wins. The title rows above the header give sheet-level values
(class, school year, school code, term); the table ends at the first totals or signature row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from connectors.profile import Dataset, SourceProfile
from connectors.tabular.cells import cell_text
from connectors.tabular.header import Header, find_header, fold_label
from connectors.tabular.readers import Sheet
from doisoat.vn import repair_text

_CLASS_IN_NAME = re.compile(r"(?<![\w])(\d{1,2}(?:[.][0-9]+|[A-Za-z][A-Za-z0-9._-]*))")


@dataclass
class SheetContext:
    class_name: str | None = None
    school_year: str | None = None
    school_code: str | None = None
    term: str | None = None
    title: list[str] = field(default_factory=list)


@dataclass
class Table:
    sheet: Sheet
    dataset: Dataset
    header: Header
    context: SheetContext
    rows: list[tuple[int, list[Any]]]  # (1-based row number in the sheet, cells)
    skipped: int = 0  # blank and footer rows, not data


def narrowest(cells_of: list[list[Any]]) -> int:
    """The length of the shortest row (rows from a workbook all have the sheet's width)."""
    return min(map(len, cells_of), default=0)


def column_cells(cells_of: list[list[Any]], at: int, missing: Any = None, *,
                 width: int) -> list[Any]:
    """Column ``at`` of rows of cells, ``missing`` where a row is too short; taken in C when
    ``at`` is below ``width``, the :func:`narrowest` row's length."""
    if at < width:
        return list(map(itemgetter(at), cells_of))
    return [cells[at] if at < len(cells) else missing for cells in cells_of]


def only_text(values: list[Any]) -> bool:
    """Whether every value is a string or empty (CSV and XML cells, most workbook text)."""
    return set(map(type, values)) <= _TEXT_TYPES


_TEXT_TYPES = {str, type(None)}


def _search(pattern: str, text: str) -> str | None:
    found = re.search(pattern, text, flags=re.IGNORECASE)
    if not found:
        return None
    value = found.groupdict().get("v") or found.group(0)
    return re.sub(r"\s+", "", value) if value else None


def sheet_context(sheet: Sheet, header_row: int, profile: SourceProfile) -> SheetContext:
    title = []
    for row in sheet.rows[:header_row]:
        text = " ".join(cell_text(v) for v in row if cell_text(v))
        if text:
            title.append(repair_text(text))
    joined = " | ".join(title)
    rules = profile.title
    context = SheetContext(title=title)
    context.class_name = _search(rules.class_name, joined)
    if not context.class_name:
        found = _CLASS_IN_NAME.search(sheet.name)
        context.class_name = found.group(1) if found else None
    year = _search(rules.school_year, joined)
    context.school_year = year.replace("–", "-") if year else None
    context.school_code = _search(rules.school_code, joined)
    folded = fold_label(sheet.name) + " | " + fold_label(joined)
    for term, pattern in rules.terms.items():
        if re.search(pattern, folded):
            context.term = term
            break
    return context


def _is_footer(cells: list[Any], markers: list[str]) -> bool:
    if not markers:
        return False
    text = " ".join(cell_text(v) for v in cells if cell_text(v))
    if not text:
        return False
    folded = fold_label(text)
    return any(marker in folded for marker in markers)


def find_tables(sheets: list[Sheet], profile: SourceProfile) -> tuple[list[Table], list[str]]:
    """The tables found in ``sheets`` and the names of sheets that hold none."""
    tables: list[Table] = []
    unmatched: list[str] = []
    reader = profile.reader
    for sheet in sheets:
        if sheet.hidden:
            unmatched.append(sheet.name)
            continue
        folded_name = fold_label(sheet.name)
        best: tuple[tuple[int, float], Dataset, Header] | None = None
        for dataset in profile.datasets:
            if not re.search(dataset.sheets, folded_name):
                continue
            header = find_header(sheet.rows, dataset, search_rows=reader.header_search_rows,
                                 lookahead=reader.header_lookahead,
                                 cutoff=reader.min_confidence)
            if header is None:
                continue
            key = (len(header.matches) + len(header.grades),
                   sum(m.confidence for m in header.matches.values()))
            if best is None or key > best[0]:
                best = (key, dataset, header)
        if best is None:
            unmatched.append(sheet.name)
            continue
        _, dataset, header = best
        context = sheet_context(sheet, header.row, profile)
        rows, skipped = _data_rows(sheet.rows, header, dataset, reader.footer_markers)
        tables.append(Table(sheet, dataset, header, context, rows, skipped))
    return tables, unmatched


def _data_rows(cells_of: list[list[Any]], header: Header, dataset: Dataset,
               footer_markers: list[str]) -> tuple[list[tuple[int, list[Any]]], int]:
    """The rows under the header up to the footer, numbered from 1, and how many were not
    data (blank rows, the footer and what follows it).

    Only rows without a key (the first required field) can be blank or a footer: they are
    found in one pass and decided one by one; the others are taken by slices."""
    start = header.data_start
    data = cells_of[start:]
    key = header.matches.get(dataset.required[0])
    at = key.column if key else -1
    keyless = [i for i, cells in enumerate(data)
               if not (at < len(cells) and cells[at] not in (None, ""))]
    mapped = sorted({m.column for m in header.matches.values()}
                    | {g.column for g in header.grades})
    end, dropped = len(data), []
    for i in keyless:
        cells = data[i]
        if _is_footer(cells, footer_markers):
            end = i
            break
        if not any(cells[c] not in (None, "") and cell_text(cells[c])
                   for c in mapped if c < len(cells)):
            dropped.append(i)
    rows: list[tuple[int, list[Any]]] = []
    taken = 0
    for i in [*dropped, end]:
        rows.extend(zip(range(start + taken + 1, start + i + 1), data[taken:i], strict=True))
        taken = i + 1
    return rows, len(data) - len(rows)
