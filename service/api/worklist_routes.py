"""``POST /api/v1/worklists/{night}/{school}/answers``: a school uploads its answered Excel
worklist back. Parse, call ``service.worklist_answers``, present.

The same guards as the other uploads: the body's size is limited before it is read
(``guards.BodyLimits`` lists this route among the file routes), credentials first, the page
cookie needs the form's CSRF token (``deps.api_principal``), the file is stored through
``files.save_upload`` (size, emptiness, XML without DTDs inside the xlsx) and scoped to the
caller's school."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, File, Path, UploadFile
from starlette.concurrency import run_in_threadpool

from doisoat.errors import BadRequest
from service.api import files, messages, services
from service.api.deps import EngineDep, FilesDep, PrincipalDep
from service.api.routes import ERRORS

router = APIRouter(prefix="/api/v1", tags=["worklists"])

CHUNK = 1024 * 1024
SchoolP = Annotated[str, Path(max_length=32, pattern=services.SCHOOL_RE.pattern)]


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(CHUNK):
        yield chunk


async def receive_worklist(
    upload: UploadFile, school: str, config: files.FilesConfig
) -> tuple[Any, str]:
    """Store the uploaded worklist as the other uploads are stored; the path and its name."""
    name = files.safe_filename(upload.filename or "")
    if not name.lower().endswith(".xlsx"):
        raise BadRequest("not an xlsx", message_vi=messages.error("bad_suffix", name=name))
    path = await files.save_upload(_chunks(upload), name, school, config)
    return path, name


@router.post(
    "/worklists/{night}/{school}/answers", responses={**ERRORS, 409: {}, 413: {}}
)
async def upload_answers(
    night: dt.date,
    school: SchoolP,
    who: PrincipalDep,
    engine: EngineDep,
    config: FilesDep,
    file: Annotated[UploadFile, File(description="the answered worklist (.xlsx)")],
) -> dict[str, Any]:
    """Apply the answers of a school's Excel worklist of ``night``: each «Đúng — giữ nguyên»
    becomes an acknowledgement, each other answer or note a note on the conflict, audited.
    Refused whole (403) when the file is another school's or another night's worklist; an
    altered row is refused alone (``refused``, with the Excel row and the reason)."""
    from service.worklist_answers import apply_worklist_answers

    who.require(files.UPLOADERS)
    who.school_scope(school)
    path, name = await receive_worklist(file, school, config)
    try:
        applied = await run_in_threadpool(
            apply_worklist_answers, engine, who, school, path, night=night, file_name=name
        )
    finally:
        path.unlink(missing_ok=True)
    return applied.to_dict()
