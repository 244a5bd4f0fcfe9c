"""The JSON API (``/api/v1``): parse, call a service function, present. Nothing else."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field

from doisoat.errors import NotSignedIn
from service.api import auth, files, messages, services
from service.api.deps import EngineDep, FilesDep, PrincipalDep, ThrottleDep, client_address

router = APIRouter(prefix="/api/v1")

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": messages.API_DOC[str(status)]} for status in (401, 403, 404, 422)
}


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    token: str
    token_type: str = "bearer"
    role: str
    school_code: str | None


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, description=messages.API_DOC["reason"])


class RunIn(BaseModel):
    night: dt.date


class ConflictPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[dict[str, Any]]


class Me(BaseModel):
    username: str
    role: str
    school_code: str | None


SchoolQ = Annotated[str | None, Query(max_length=32, pattern=services.SCHOOL_RE.pattern)]
Severity = Literal["critical", "high", "medium", "low"]
Status = Literal["open", "new", "persisting", "acknowledged", "reopened", "resolved"]


@router.post(
    "/auth/token",
    response_model=TokenOut,
    responses={
        401: ERRORS[401],
        413: {"description": messages.API_DOC["413"]},
        429: {"description": messages.API_DOC["429"]},
    },
)
def login(body: LoginIn, request: Request, engine: EngineDep, throttle: ThrottleDep) -> TokenOut:
    """Exchange a user name and password for an API token (valid until revoked). After too
    many failures for the name or from the address, refused (429, ``Retry-After``) for a while,
    even with the right password."""
    who = auth.login(engine, throttle, body.username, body.password, client_address(request))
    if who is None:
        raise NotSignedIn("wrong user name or password", message_vi=messages.error("bad_login"))
    token = auth.issue_token(engine, who.username, kind="api", label="login")
    return TokenOut(token=token, role=who.role, school_code=who.school_code)


@router.get("/me", response_model=Me, responses={401: ERRORS[401]})
def me(who: PrincipalDep) -> Me:
    return Me(username=who.username, role=who.role, school_code=who.school_code)


@router.get("/schools", responses={401: ERRORS[401]})
def list_schools(who: PrincipalDep, engine: EngineDep) -> list[dict[str, Any]]:
    """The schools the caller may see (a school user: their own)."""
    return services.schools(engine, who)


def _filter(
    school: str | None,
    type: str | None,
    severity: str | None,
    status: str | None,
    night: dt.date | None,
    limit: int,
    offset: int,
) -> services.ConflictFilter:
    return services.ConflictFilter(school, type, severity, status, night, limit, offset)


@router.get("/conflicts", response_model=ConflictPage, responses=ERRORS)
def list_conflicts(
    who: PrincipalDep,
    engine: EngineDep,
    school: SchoolQ = None,
    type: Annotated[str | None, Query(max_length=40, pattern=r"^[A-Z_]+$")] = None,
    severity: Severity | None = None,
    status: Status | None = None,
    night: Annotated[dt.date | None, Query(description="conflicts present that night")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> ConflictPage:
    """Conflicts the caller may see, most severe first, filtered and paged."""
    flt = _filter(school, type, severity, status, night, limit, offset)
    items, total = services.list_conflicts(engine, who, flt)
    return ConflictPage(total=total, limit=limit, offset=offset, items=items)


@router.get("/conflicts.csv", responses=ERRORS, response_class=Response)
def export_conflicts(
    who: PrincipalDep,
    engine: EngineDep,
    school: SchoolQ = None,
    status: Status | None = "open",
) -> Response:
    """The same list as CSV (UTF-8 with BOM for Excel; formulas neutralised)."""
    items, _ = services.list_conflicts(
        engine, who, services.ConflictFilter(school=school, status=status, limit=500)
    )
    return Response(
        files.conflicts_csv(engine, items, None if who.is_district else who.school_code),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="xung-dot.csv"'},
    )


@router.get("/conflicts/{conflict_id}", responses=ERRORS)
def conflict_detail(conflict_id: str, who: PrincipalDep, engine: EngineDep) -> dict[str, Any]:
    """A conflict with its records, field-by-field comparison, suggested fix and history."""
    return services.get_conflict(engine, who, conflict_id)


@router.post("/conflicts/{conflict_id}/acknowledge", responses={**ERRORS, 409: {}})
def acknowledge(
    conflict_id: str, body: ReasonIn, who: PrincipalDep, engine: EngineDep
) -> dict[str, Any]:
    """Acknowledge (the problem is known and may stay, for this reason); audited."""
    return services.acknowledge(engine, who, conflict_id, body.reason)


@router.post("/conflicts/{conflict_id}/resolve", responses={**ERRORS, 409: {}})
def resolve(
    conflict_id: str, body: ReasonIn, who: PrincipalDep, engine: EngineDep
) -> dict[str, Any]:
    """Mark as fixed at the source, with the reason; audited. Reopens if seen again."""
    return services.resolve(engine, who, conflict_id, body.reason)


@router.get("/students", responses=ERRORS)
def students(
    who: PrincipalDep,
    engine: EngineDep,
    school: SchoolQ = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    items, total = services.list_students(engine, who, school, limit=limit, offset=offset)
    return {"total": total, "items": items}


@router.get("/students/{record_id}", responses=ERRORS)
def student(record_id: str, who: PrincipalDep, engine: EngineDep) -> dict[str, Any]:
    return services.get_student(engine, who, record_id)


@router.get("/runs", responses=ERRORS)
def runs(who: PrincipalDep, engine: EngineDep) -> list[dict[str, Any]]:
    """Run history, newest first (summaries for the district only)."""
    return services.list_runs(engine, who)


@router.get("/runs/{run_id}", responses=ERRORS)
def run(
    run_id: Annotated[int, Path(ge=1, le=2**62)], who: PrincipalDep, engine: EngineDep
) -> dict[str, Any]:
    return services.get_run(engine, who, run_id)


@router.post(
    "/runs",
    status_code=202,
    responses={**ERRORS, 409: {"description": messages.RUN_BUSY_DOC}, 501: {}},
)
def start_run(
    body: RunIn, tasks: BackgroundTasks, who: PrincipalDep, engine: EngineDep, config: FilesDep
) -> dict[str, Any]:
    """Run a night (district officers): ingest, checks, conflicts and report, in the background.
    Follow it with ``GET /runs`` (the newest run of that night). A night after tomorrow (Vietnam
    time) is refused (422), and so is any night while another one runs (409)."""
    services.start_run(engine, who, body.night)
    tasks.add_task(services.execute_run, engine, body.night, config.reports_dir)
    return {"night": body.night.isoformat(), "status": "started", "follow": "/api/v1/runs"}


@router.get("/audit", responses=ERRORS)
def audit_log(
    who: PrincipalDep,
    engine: EngineDep,
    entity: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[dict[str, Any]]:
    """The append-only audit trail, newest first (district officers). There is no route to
    change it."""
    return services.audit_log(engine, who, entity=entity, limit=limit, offset=offset)


_RAW_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post("/uploads", status_code=201, responses={**ERRORS, 413: {}}, openapi_extra=_RAW_BODY)
async def upload(
    request: Request,
    who: PrincipalDep,
    engine: EngineDep,
    config: FilesDep,
    school: Annotated[str, Query(max_length=32, pattern=services.SCHOOL_RE.pattern)],
    filename: Annotated[str, Query(min_length=1, max_length=200)],
    ingest: bool = False,
    night: dt.date | None = None,
) -> dict[str, Any]:
    """Upload one export (the request body is the file, streamed; size-limited). With
    ``ingest=true`` it is imported for ``night`` (default today) right away."""
    who.require(files.UPLOADERS)
    who.school_scope(school)
    name = files.safe_filename(filename)
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > config.max_upload_bytes:
        raise files.too_large(config)
    path = await files.save_upload(request.stream(), name, school, config)
    out: dict[str, Any] = {"stored_as": path.name, "bytes": path.stat().st_size}
    if ingest:
        from starlette.concurrency import run_in_threadpool

        out["ingest"] = await run_in_threadpool(
            files.ingest_upload, engine, who, path, night or dt.date.today()
        )
    return out


@router.get("/reports/{night}/{kind}", responses=ERRORS, response_class=FileResponse)
def report(night: dt.date, kind: Literal["html", "json"], who: PrincipalDep, config: FilesDep):
    """The night's district report (district officers)."""
    return FileResponse(files.report_file(config, who, night, kind))


@router.get(
    "/reports/{night}/worklists/{name}", responses=ERRORS, response_class=FileResponse
)
def report_worklist(
    night: dt.date,
    name: Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9_.-]{1,32}\.xlsx$")],
    who: PrincipalDep,
    config: FilesDep,
):
    """A school's worklist where the night's report links it (``worklists/<school>.xlsx``
    beside ``report.html``): the same file and rule as ``/worklists/{night}/{school}``."""
    school = name.removesuffix(".xlsx")
    return FileResponse(
        files.worklist_file(config, who, night, school),
        filename=f"worklist-{school}-{night.isoformat()}.xlsx",
    )


@router.get("/worklists/{night}/{school}", responses=ERRORS, response_class=FileResponse)
def worklist(night: dt.date, school: str, who: PrincipalDep, config: FilesDep):
    """A school's worklist (.xlsx) for the night."""
    return FileResponse(
        files.worklist_file(config, who, night, school),
        filename=f"worklist-{school}-{night.isoformat()}.xlsx",
    )


@router.get("/transcripts/{school}/{name}", responses=ERRORS, response_class=FileResponse)
def transcript(school: str, name: str, who: PrincipalDep, config: FilesDep):
    """An issued transcript of the caller's school."""
    return FileResponse(files.transcript_file(config, who, school, name))


@router.post("/transcripts/verify", responses={**ERRORS, 501: {}}, openapi_extra=_RAW_BODY)
async def verify(request: Request, who: PrincipalDep, config: FilesDep) -> dict[str, Any]:
    """Verify a signed transcript PDF (the request body); any signed-in user may."""
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > config.max_upload_bytes:
            raise files.too_large(config)
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(files.verify_transcript, bytes(data), "upload.pdf")
