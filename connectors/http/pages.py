"""One page of a vendor's answer: checked, then mapped to the canonical schema school by school.

No I/O: the pull hands in the decoded JSON and gets rows it can store. An answer the pull cannot
account for row by row (no list of records, a row that is not an object) is a
:class:`PullRefused`, never a raw ``TypeError`` further down: a row that is not an object names
no student, so nobody can say which student it was meant to be, nor prove none was lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from connectors.mapping import Defaults, student_rows
from connectors.messages import msg
from connectors.profile import Dataset, SourceProfile
from connectors.quarantine import Quarantined
from connectors.tabular.cells import cell_text
from connectors.tabular.header import Header, fold_label, map_columns
from connectors.tabular.readers import Sheet
from connectors.tabular.tables import SheetContext, Table
from doisoat.errors import ErrorContext, SourceError
from doisoat.vn.calendar import school_year_of

_JSON_KINDS = {int: "số", float: "số", str: "chuỗi", list: "danh sách", bool: "true/false",
               type(None): "null"}


class PullRefused(SourceError):
    """The pull read the vendor's answers but cannot prove it read the whole list (a page
    served twice, a total that is not the list's, a cursor that does not move, rows that are
    not objects): nothing of it is applied and the cursor stays where it was."""


def refused(source: str, path: str, reason_key: str, **values: Any) -> PullRefused:
    reason = msg(reason_key, **values)
    return PullRefused(f"{source}: pull not applied ({reason_key}: {values})",
                       message_vi=msg("pull_refused", source=source, reason=reason),
                       context=ErrorContext(source=source, file=path),
                       details={"reason": reason_key, **values})


def page_rows(body: Any, *, source: str, path: str, records_key: str,
              page: str) -> list[dict[str, Any]]:
    """The rows of an answer, each an object, or why the pull cannot use the answer."""
    rows = body.get(records_key) if isinstance(body, dict) else None
    if not isinstance(rows, list):
        raise refused(source, path, "pull_no_list", key=records_key)
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            kind = _JSON_KINDS.get(type(row), type(row).__name__)
            raise refused(source, path, "pull_not_object", row=number, page=page, kind=kind)
    return rows


def row_keys(rows: list[dict[str, Any]],
             columns: dict[str, list[str]]) -> list[tuple[str | None, str] | None]:
    """Each row's student as the vendor names it (school, local id), read straight from the
    JSON keys the profile gives, whether or not the row is then accepted: a quarantined
    student read twice is as much a sign that the list moved as an accepted one (None: the
    row names no student)."""
    local_keys, school_keys = columns.get("local_id", []), columns.get("school_code", [])
    keys: list[tuple[str | None, str] | None] = []
    for row in rows:
        local = next((row[k] for k in local_keys if k in row), None)
        school = next((row[k] for k in school_keys if k in row), None)
        if local is None or isinstance(local, dict | list) or isinstance(school, dict | list):
            keys.append(None)
            continue
        keys.append((cell_text(school) or None, cell_text(local)) if cell_text(local) else None)
    return keys


@dataclass
class SchoolPage:
    """One school's rows of a page: the accepted ones and the quarantined ones."""

    school_code: str | None
    rows_read: int
    frame: pl.DataFrame
    quarantined: list[Quarantined]

    @property
    def rows_quarantined(self) -> int:
        return len({q.src_row for q in self.quarantined})


def map_page(rows: list[dict[str, Any]], profile: SourceProfile, dataset: Dataset,
             night: dt.date, file: str, sheet_name: str) -> list[SchoolPage]:
    """A page's rows mapped to the canonical schema, school by school (in the order the
    schools first appear): a local id is unique within a school only, so the duplicate check
    and the record ids are each school's own. Rows keep their number in the page."""
    keys: list[str] = []
    for row in rows:
        for key in row:
            if key not in keys:
                keys.append(key)
    cells = [[row.get(k) for k in keys] for row in rows]
    sheet = Sheet(name=sheet_name, rows=[keys, *cells], encoding="json")
    labels = [fold_label(k) for k in keys]
    header = Header(row=0, rows=1, matches=map_columns(labels, dataset, 0.9, keys),
                    labels=labels)
    school_at = header.matches["school_code"].column if "school_code" in header.matches else None
    mapped = sorted({match.column for match in header.matches.values()})
    by_school: dict[str | None, list[tuple[int, list[Any]]]] = {}
    nested: dict[str | None, list[Quarantined]] = {}
    for number, row_cells in enumerate(cells, start=1):
        school_cell = row_cells[school_at] if school_at is not None else None
        school = None if isinstance(school_cell, dict | list) else cell_text(school_cell) or None
        by_school.setdefault(school, [])
        # an object or a list where a value belongs is no value: quarantined, not turned
        # into text that would pass for a name
        column = next((keys[i] for i in mapped if isinstance(row_cells[i], dict | list)), None)
        if column is None:
            by_school[school].append((number, row_cells))
            continue
        nested.setdefault(school, []).append(Quarantined.of(
            file=file, sheet=sheet_name, row=number, cells=row_cells, labels=keys,
            column=column, reason="row_nested_value",
            reason_vi=msg("row_nested_value", column=column)))
    year = school_year_of(night)
    parts = []
    for school, numbered in by_school.items():
        table = Table(sheet, dataset, header, SheetContext(), numbered)
        quarantined: list[Quarantined] = list(nested.get(school, []))
        frame = student_rows([table], profile, Defaults(profile.source, file, school, year),
                             quarantined)
        frame = frame.with_columns(pl.lit(school, dtype=pl.String).alias("school_code"))
        read = len(numbered) + len(nested.get(school, []))
        parts.append(SchoolPage(school, read, frame, quarantined))
    return parts
