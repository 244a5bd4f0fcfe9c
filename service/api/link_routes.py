"""``/api/v1/links``: a person's word on a pair of student records (same student, different
students, undo a link), kept over every later night. Parse, call ``link_service``, present."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from service.api import link_service, messages
from service.api.deps import EngineDep, PrincipalDep
from service.api.routes import ERRORS

router = APIRouter(prefix="/api/v1", tags=["links"])

RecordId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=link_service.ID_PATTERN,
        description=messages.API_DOC["record_id"],
    ),
]


class LinkIn(BaseModel):
    left: RecordId
    right: RecordId
    decision: Literal["same", "different", "undo"] = Field(
        description=messages.API_DOC["decision"]
    )
    # No min_length: an empty reason is refused by the service, in Vietnamese.
    reason: str = Field(
        max_length=2000, pattern=link_service.REASON_PATTERN, description=messages.API_DOC["reason"]
    )


class LinkOut(BaseModel):
    left_id: str
    right_id: str
    decision: str = Field(description="same | different")
    decided_by: str
    decided_at: dt.datetime
    reason: str


@router.post("/links", status_code=201, response_model=LinkOut, responses=ERRORS)
def decide(body: LinkIn, who: PrincipalDep, engine: EngineDep) -> LinkOut:
    """Say whether two records are the same student (district officers: any records; a school
    administrator: two records of their school, or their school's vendor record and a registry
    record of any school, as for a student transferring in; any other pair answers 404 like a
    missing record). The decision wins over every later night's scores and is written to the
    audit trail under the caller's name."""
    row = link_service.decide(engine, who, body.left, body.right, body.decision, body.reason)
    return LinkOut(**row)


@router.get("/links", response_model=list[LinkOut], responses=ERRORS)
def list_links(
    who: PrincipalDep,
    engine: EngineDep,
    record: Annotated[
        str | None, Query(min_length=1, max_length=200, pattern=link_service.ID_PATTERN)
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[LinkOut]:
    """Human decisions naming ``record`` (or all the caller may see), newest first."""
    rows = link_service.list_decisions(engine, who, record, limit=limit)
    return [LinkOut(**row) for row in rows]
