"""Read a worklist a school has answered and uploaded back: which answers, on which conflicts.

The file must be the worklist this service wrote for that school (its hidden sheet names the
school and the night), and each answered row must still say what it said when it was written
(its seal, :func:`reports.worklist_format.row_seal`). A file of another school is refused
whole; an altered row is refused alone, with the reason, and the other answers still count.
Nothing here touches the store: applying the answers is the service's (audited) work.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from doisoat.errors import ErrorContext, FileFormatError, PermissionDenied
from doisoat.glossary import fmt_date
from reports import messages
from reports.worklist_format import (
    ANSWER_COLUMN,
    ANSWER_WORDS,
    COLUMNS,
    HEADER_ROW,
    ID_COLUMN,
    META_FIRST_ROW,
    META_MARK,
    META_SHEET,
    NOTE_COLUMN,
    answer_code,
    row_seal,
)

MAX_NOTE = 2000


@dataclass(frozen=True)
class Answer:
    """One row a school answered: ``action`` is ``acknowledge`` (with ``note`` as the reason)
    or ``note`` (kept on the conflict's audit trail; ``answer`` says which)."""

    conflict_id: str
    sheet: str
    row: int  # as Excel numbers it
    action: str
    answer: str | None  # fixed | acknowledge | disputed | in_progress | None (a note alone)
    answer_label: str
    note: str


@dataclass(frozen=True)
class Refusal:
    sheet: str
    row: int
    conflict_id: str
    message_vi: str


@dataclass
class WorklistAnswers:
    school_code: str
    night: dt.date
    answers: list[Answer] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    rows_read: int = 0


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _not_a_worklist(name: str) -> FileFormatError:
    return FileFormatError(
        "not a doisoat worklist",
        message_vi=messages.UPLOAD_NOT_WORKLIST,
        context=ErrorContext(file=name),
    )


def _open(source: Path | bytes, name: str) -> Any:
    import openpyxl

    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        return openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise _not_a_worklist(name) from exc


def _meta(book: Any, name: str) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    if META_SHEET not in book.sheetnames:
        raise _not_a_worklist(name)
    sheet = book[META_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    head = {_text(r[0]): _text(r[1]) for r in rows[:META_FIRST_ROW] if r and len(r) > 1}
    if head.get("mark") != META_MARK or not head.get("school_code") or not head.get("night"):
        raise _not_a_worklist(name)
    seals = {
        _text(r[0]): (_text(r[1]), _text(r[2]))
        for r in rows[META_FIRST_ROW:]
        if r and len(r) > 2 and r[0]
    }
    return head, seals


def read_answers(
    source: Path | bytes,
    *,
    school_code: str,
    night: dt.date | None = None,
    name: str = "worklist.xlsx",
) -> WorklistAnswers:
    """The answers in an uploaded worklist of ``school_code`` (and of ``night``, if given).

    Refused whole (:class:`PermissionDenied`) when the file is another school's or another
    night's worklist; :class:`FileFormatError` when it is not a worklist of this service at all.
    """
    book = _open(source, name)
    head, seals = _meta(book, name)
    if head["school_code"] != school_code:
        raise PermissionDenied(
            "worklist of another school",
            message_vi=messages.UPLOAD_OTHER_SCHOOL.format(school=head["school_code"]),
        )
    try:
        written_for = dt.date.fromisoformat(head["night"])
    except ValueError as exc:
        raise _not_a_worklist(name) from exc
    if night is not None and written_for != night:
        raise PermissionDenied(
            "worklist of another night",
            message_vi=messages.UPLOAD_OTHER_NIGHT.format(
                night=fmt_date(written_for), expected=fmt_date(night)
            ),
        )
    out = WorklistAnswers(school_code=school_code, night=written_for)
    sheets = {sheet_name for sheet_name, _ in seals.values()}
    for sheet_name in book.sheetnames:
        if sheet_name not in sheets:
            continue
        _read_sheet(book[sheet_name], sheet_name, head, seals, out)
    return out


def _read_sheet(
    sheet: Any,
    sheet_name: str,
    head: dict[str, str],
    seals: dict[str, tuple[str, str]],
    out: WorklistAnswers,
) -> None:
    rows = list(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    if not rows or tuple(_text(v) for v in rows[0][: len(COLUMNS)]) != COLUMNS:
        out.refused.append(Refusal(sheet_name, HEADER_ROW + 1, "", messages.UPLOAD_HEADER_CHANGED))
        return
    for offset, raw in enumerate(rows[1:], start=HEADER_ROW + 2):
        cells = list(raw[: len(COLUMNS)]) + [None] * (len(COLUMNS) - len(raw))
        answer_label = _text(cells[ANSWER_COLUMN])
        note = _text(cells[NOTE_COLUMN])[:MAX_NOTE]
        if not answer_label and not note:
            continue
        out.rows_read += 1
        conflict_id = _text(cells[ID_COLUMN])

        def refuse(message: str, cid: str = conflict_id, row: int = offset) -> None:
            out.refused.append(Refusal(sheet_name, row, cid, message.format(row=row)))

        sealed = seals.get(conflict_id)
        if sealed is None or sealed[0] != sheet_name:
            refuse(messages.UPLOAD_ROW_UNKNOWN)
            continue
        if row_seal(head["school_code"], head["night"], cells) != sealed[1]:
            refuse(messages.UPLOAD_ROW_ALTERED)
            continue
        answer = answer_code(answer_label) if answer_label else None
        if answer_label and answer is None:
            refuse(messages.UPLOAD_ANSWER_UNKNOWN)
            continue
        if answer == "acknowledge" and not note:
            refuse(messages.UPLOAD_REASON_MISSING)
            continue
        action = "acknowledge" if answer == "acknowledge" else "note"
        out.answers.append(
            Answer(conflict_id, sheet_name, offset, action, answer,
                   ANSWER_WORDS.get(answer or "", answer_label), note)
        )  # fmt: skip
