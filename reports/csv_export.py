"""The conflict list as CSV for people: Vietnamese headers and values, as the worklist reads.

Why not codes: the CSV is opened in Excel by a school or an officer, not parsed by a program
(programs have the JSON API, which keeps its codes). Dates are dd/mm/yyyy, types, severities and
statuses read as the glossary says, evidence as labelled lines, schools as «name (code)». The
rows come already filtered to what the reader may see (the service's rule for another school's
data); this only words them. UTF-8 with a BOM so Excel reads the diacritics; a cell that starts
like a formula is prefixed with ``'`` (OWASP CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from doisoat.glossary import evidence_rows, fmt_date, label
from reports.evidence import parse
from reports.school_view import evidence_text, named_item, owner, school_item, school_label

CSV_COLUMNS: tuple[str, ...] = (
    "Mã vấn đề",
    "Loại vấn đề",
    "Mức độ",
    "Tình trạng",
    "Trường",
    "Họ và tên",
    "Lớp",
    "Ngày sinh",
    "Mã định danh",
    "Nội dung",
    "Bằng chứng",
    "Đề xuất xử lý",
    "Trường liên quan",
    "Phát hiện từ",
    "Thấy lần cuối",
    "Người xác nhận",
    "Lý do xác nhận",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _other_schools(row: Mapping[str, Any], names: Mapping[str, str]) -> str:
    schools = row.get("other_schools")
    if not schools:
        return ""
    text = "; ".join(
        s if isinstance(s, str) else school_label(s.get("school_code"), names) for s in schools
    )
    return f"{text}. {row['contact']}" if row.get("contact") else text


def csv_row(
    row: Mapping[str, Any],
    names: Mapping[str, str] | None = None,
    student: Mapping[str, Any] | None = None,
) -> list[str]:
    """One conflict (as the API lists it) as the CSV's cells, in ``CSV_COLUMNS`` order;
    ``student`` is the record of the school's own student it is about, if known."""
    names = names or {}
    student = student or {}
    evidence = parse(row.get("evidence"))
    return [
        str(row.get("conflict_id") or ""),
        label("conflict_type", row.get("type")),
        label("severity", row.get("severity")),
        label("status", row.get("status")),
        school_label(row.get("school_code"), names),
        str(student.get("full_name") or ""),
        str(student.get("class_name") or ""),
        fmt_date(student.get("dob")) if student.get("dob") else "",
        str(student.get("moet_code") or ""),
        str(row.get("message_vi") or ""),
        evidence_text(evidence_rows(evidence)) if evidence else "",
        str(row.get("suggested_fix") or ""),
        _other_schools(row, names),
        fmt_date(row.get("first_seen")),
        fmt_date(row.get("last_seen")),
        str(row.get("acknowledged_by") or ""),
        str(row.get("acknowledged_reason") or ""),
    ]


def student_of(
    row: Mapping[str, Any], records: Mapping[str, Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    """The conflict's own school's student: its vendor record, else the registry's about it."""
    school = row.get("school_code")
    found = [records[str(i)] for i in row.get("record_ids") or [] if str(i) in records]
    for record in found:
        if owner(record, school or "") == "own":
            return record
    for record in found:
        if owner(record, school or "") == "registry":
            return record
    return None


def conflicts_csv(
    rows: Iterable[Mapping[str, Any]],
    names: Mapping[str, str] | None = None,
    records: Mapping[str, Mapping[str, Any]] | None = None,
    school: str | None = None,
    contacts: Mapping[str, list[str]] | None = None,
) -> str:
    """The CSV text (with its BOM) of ``rows``; ``names`` gives each school's name by code,
    ``records`` the student records the rows name (by id). For a school's reader (``school``)
    each row is first put through :func:`reports.school_view.school_item`: its own student in
    full, another school named and its data withheld (:mod:`reports.withhold`). Every reader
    reads schools by name and code in the message and the fix."""
    names = names or {}
    records = records or {}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        ids = [str(i) for i in (parse(row.get("record_ids")) or [])]
        row = {**row, "record_ids": ids, "evidence": parse(row.get("evidence"))}
        if school is not None:
            named = [records[i] for i in ids if i in records]
            row = school_item(row, school, named, names, contacts)
        else:  # the district reads everything, its schools named all the same
            row = named_item(row, names)
        student = student_of(row, records)
        writer.writerow([neutralise(v) for v in csv_row(row, names, student)])
    return "\ufeff" + out.getvalue()
