"""A school's answered Excel worklist, back in the service: each answer on its conflict, audited.

The school's loop closes here. The file is read by :func:`reports.read_answers` (is it this
school's worklist, is each answered row as it was written); each answer then goes through the
same doors as an answer given on the pages: an acknowledgement through
:func:`service.api.services.acknowledge` (rights, visibility, the lifecycle's
``reconcile.acknowledge`` and its audit event), a note as an audit event on the conflict
(``conflict.noted``: it changes no status; the next night says whether the data was fixed).
Row by row: a refused row (resolved since, not this school's, altered) is said with its reason
and the others still count. One more event records the upload itself (``worklist.uploaded``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from doisoat.errors import DoisoatError
from doisoat.model import Conflict
from reports import Answer, Refusal, read_answers
from service.api import audit, services
from service.api.auth import CAN_ACT_ON_CONFLICTS, Principal

_conflict = Conflict.__table__

NOTE_ACTION = "conflict.noted"
UPLOAD_ACTION = "worklist.uploaded"


@dataclass
class AppliedAnswers:
    """What became of an uploaded worklist, as the API returns it and a page shows it."""

    school_code: str
    night: dt.date
    rows_read: int = 0
    acknowledged: list[str] = field(default_factory=list)
    noted: list[str] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "school_code": self.school_code,
            "night": self.night.isoformat(),
            "rows_read": self.rows_read,
            "acknowledged": len(self.acknowledged),
            "noted": len(self.noted),
            "refused": [
                {"sheet": r.sheet, "row": r.row, "conflict_id": r.conflict_id,
                 "message_vi": r.message_vi}
                for r in self.refused
            ],  # fmt: skip
            "conflict_ids": sorted({*self.acknowledged, *self.noted}),
        }


def _note(engine: Engine, who: Principal, school: str, answer: Answer, night: dt.date) -> None:
    with engine.begin() as conn:
        row = conn.execute(
            select(_conflict.c.school_code, _conflict.c.status).where(
                _conflict.c.conflict_id == answer.conflict_id
            )
        ).first()
        if row is None or row.school_code != school or not who.can_see(row.school_code):
            raise services.not_found("conflict", answer.conflict_id)
        audit.record(
            conn,
            actor=who.username,
            action=NOTE_ACTION,
            entity="conflict",
            entity_id=answer.conflict_id,
            before={"status": row.status},
            after={"status": row.status, "answer": answer.answer, "answer_vi": answer.answer_label,
                   "note": answer.note, "via": "worklist", "night": night.isoformat()},
            reason=answer.note or answer.answer_label,
        )  # fmt: skip


def _acknowledge(engine: Engine, who: Principal, school: str, answer: Answer) -> None:
    with engine.connect() as conn:
        owner = conn.execute(
            select(_conflict.c.school_code).where(_conflict.c.conflict_id == answer.conflict_id)
        ).scalar()
    if owner != school:
        raise services.not_found("conflict", answer.conflict_id)
    reason = f"{answer.answer_label}: {answer.note}" if answer.note else answer.answer_label
    services.acknowledge(engine, who, answer.conflict_id, reason)


def apply_worklist_answers(
    engine: Engine,
    who: Principal,
    school: str,
    source: Path | bytes,
    *,
    night: dt.date | None = None,
    file_name: str = "worklist.xlsx",
) -> AppliedAnswers:
    """Read ``source`` (an answered worklist of ``school``) and apply its answers as ``who``.

    Refused whole (a :class:`doisoat.errors.DoisoatError`) when ``who`` may not act on the
    school's conflicts, or the file is not the school's worklist (of ``night``, when given)."""
    who.require(CAN_ACT_ON_CONFLICTS)
    who.school_scope(school)
    read = read_answers(source, school_code=school, night=night, name=file_name)
    out = AppliedAnswers(school, read.night, rows_read=read.rows_read, refused=list(read.refused))
    for answer in read.answers:
        try:
            if answer.action == "acknowledge":
                _acknowledge(engine, who, school, answer)
                out.acknowledged.append(answer.conflict_id)
            else:
                _note(engine, who, school, answer, read.night)
                out.noted.append(answer.conflict_id)
        except DoisoatError as exc:
            # the row travels beside the words (``row``): the page says «Dòng N: …»
            out.refused.append(
                Refusal(answer.sheet, answer.row, answer.conflict_id, exc.message_vi)
            )
    with engine.begin() as conn:
        audit.record(
            conn, actor=who.username, action=UPLOAD_ACTION, entity="worklist",
            entity_id=f"{school}/{read.night.isoformat()}",
            after={k: v for k, v in out.to_dict().items() if k != "conflict_ids"},
        )  # fmt: skip
    return out
