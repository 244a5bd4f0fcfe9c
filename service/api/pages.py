"""Server-rendered Vietnamese pages (Jinja2, plain forms): login, dashboard, worklist, conflict,
run history, audit trail. They call the same service functions as the JSON API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import (
    APIRouter,
    BackgroundTasks,
    Depends,
    File,
    Form,
    HTTPException,
    Query,
    Request,
    UploadFile,
)
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from doisoat import glossary
from doisoat.conflict_types import SEVERITY_LABELS, STATUS_LABELS, TYPE_LABELS
from doisoat.errors import DoisoatError, PermissionDenied
from service.api import auth, listing, messages, present, services
from service.api.auth import Principal
from service.api.deps import (
    SESSION_COOKIE,
    EngineDep,
    FilesDep,
    ThrottleDep,
    client_address,
    page_principal,
    status_of,
)

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
PAGE_SIZE = 50
# Beyond any list a district keeps (a million pages); a larger number is a mistake, answered
# 422, not an offset no database can hold.
PageNumber = Annotated[int, Query(le=1_000_000)]
Text = Annotated[str, Query(max_length=100)]


def directory_of(request: Request) -> dict[str, dict[str, Any]]:
    """The district's schools (names, contacts), read once per request."""
    found = getattr(request.state, "school_directory", None)
    if found is None:
        found = services.school_directory(request.app.state.engine)
        request.state.school_directory = found
    return found


def _school_label(request: Request, code: Any) -> str:
    return present.school_name(code, directory_of(request))


def _named(request: Request, text: Any) -> str:
    return present.name_schools(text, directory_of(request))


templates.env.filters.update(
    date_vi=glossary.fmt_date,
    datetime_vi=glossary.fmt_datetime_vn,
    decimal_vi=glossary.fmt_decimal,
)
templates.env.globals.update(
    L=messages.LABELS,
    P=messages.PAGES,
    ROLES=messages.ROLES,
    SEVERITIES=SEVERITY_LABELS,
    STATUSES=STATUS_LABELS,
    TYPES=TYPE_LABELS,
    label=glossary.label,
    labels=glossary.labels,
    school_label=_school_label,
    named=_named,
    changes=present.changes,
)


def current(request: Request, engine: EngineDep) -> Principal:
    who = page_principal(request, engine)
    if who is None:
        raise HTTPException(401, messages.error("no_token"))
    return who


PageUser = Annotated[Principal, Depends(current)]


def _render(request: Request, name: str, who: Principal | None, status: int = 200, **ctx: Any):
    token = request.cookies.get(SESSION_COOKIE, "")
    ctx.update(who=who, csrf=auth.csrf_token(token) if token else "")
    return templates.TemplateResponse(request, name, ctx, status_code=status)


def render_error(request: Request, status: int, message_vi: str) -> Response:
    return _render(
        request, "error.html", None, status=status, status_code=status, message=message_vi
    )


def _check_csrf(request: Request, given: str) -> None:
    if not auth.check_csrf(request.cookies.get(SESSION_COOKIE, ""), given):
        raise PermissionDenied("stale form", message_vi=messages.error("csrf"))


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request):
    return _render(request, "login.html", None)


@router.post("/login")
def login(
    request: Request,
    engine: EngineDep,
    throttle: ThrottleDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
):
    try:
        who = auth.login(engine, throttle, username, password, client_address(request))
    except auth.TooManyLogins as exc:
        page = _render(request, "login.html", None, status=429, error=exc.message_vi)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    if who is None:
        return _render(request, "login.html", None, status=401, error=messages.error("bad_login"))
    token = auth.issue_token(engine, who.username, kind="session", hours=auth.SESSION_HOURS)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="strict", max_age=auth.SESSION_HOURS * 3600,
        secure=_over_https(request),
    )  # fmt: skip
    return response


def _over_https(request: Request) -> bool:
    """Whether the browser reached us over HTTPS: then the session cookie is never sent over
    plain HTTP. Behind a proxy, uvicorn already sets the scheme from ``X-Forwarded-Proto`` when
    the proxy is trusted (``--forwarded-allow-ips``); an untrusted header is not believed."""
    return request.url.scheme == "https"


@router.post("/logout")
def logout(request: Request, engine: EngineDep, csrf: Annotated[str, Form()] = ""):
    _check_csrf(request, csrf)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth.revoke_token(engine, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="strict", secure=_over_https(request)
    )
    return response


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, who: PageUser, engine: EngineDep):
    data = services.dashboard(engine, who)
    top = max((row["count"] for row in data["by_type"]), default=0)
    return _render(
        request, "dashboard.html", who, data=data, schools=services.schools(engine, who),
        top=top,
    )  # fmt: skip


@router.get("/schools/{school}/worklist", response_class=HTMLResponse)
def worklist(
    request: Request,
    school: str,
    who: PageUser,
    engine: EngineDep,
    files: FilesDep,
    type: Text = "",
    severity: Text = "",
    status: Text = "open",
    q: Text = "",
    sort: Text = "severity",
    dir: Text = "asc",
    page: PageNumber = 1,
):
    query = listing.WorklistQuery(
        school=school, type=type or None, severity=severity or None, status=status or None,
        q=q, sort=sort or "severity", descending=dir == "desc", page=page, page_size=PAGE_SIZE,
    )  # fmt: skip
    return _worklist_page(request, who, engine, files, query, school)


@router.post("/schools/{school}/worklist/answers", response_class=HTMLResponse)
async def worklist_answers(
    request: Request,
    school: str,
    who: PageUser,
    engine: EngineDep,
    files: FilesDep,
    file: Annotated[UploadFile, File()],
    csrf: Annotated[str, Form()] = "",
):
    """The school's answered Excel worklist, uploaded back from its worklist page: each answer
    goes on its conflict (``service.worklist_answers``), and the page says what was kept and
    which rows were refused, and why."""
    from starlette.concurrency import run_in_threadpool

    from service.worklist_answers import apply_worklist_answers

    _check_csrf(request, csrf)
    who.require(auth.CAN_ACT_ON_CONFLICTS)
    who.school_scope(school)  # another school's page answers as every other page does
    data = await file.read(files.max_upload_bytes + 1)
    if len(data) > files.max_upload_bytes:
        from service.api.files import too_large

        raise too_large(files)
    name = (file.filename or "worklist.xlsx")[:120]
    try:
        done = await run_in_threadpool(
            apply_worklist_answers, engine, who, school, data, file_name=name
        )
    except DoisoatError as exc:  # not this school's worklist, or not a worklist at all
        return _worklist_page(
            request, who, engine, files, listing.WorklistQuery(school=school), school,
            answers_error=exc.message_vi, status=status_of(exc),
        )  # fmt: skip
    kept = len(done.acknowledged) + len(done.noted)
    refused = [r.message_vi for r in done.refused]
    return _worklist_page(
        request, who, engine, files, listing.WorklistQuery(school=school), school,
        answers=messages.PAGES["answers_done"].format(n=kept, name=name), refused=refused,
    )  # fmt: skip


@router.get("/conflicts", response_class=HTMLResponse)
def all_conflicts(
    request: Request,
    who: PageUser,
    engine: EngineDep,
    files: FilesDep,
    type: Text = "",
    severity: Text = "",
    status: Text = "open",
    q: Text = "",
    sort: Text = "severity",
    dir: Text = "asc",
    page: PageNumber = 1,
):
    """Every conflict the caller may see (the district's, or their school's): where the
    dashboard's counts lead."""
    query = listing.WorklistQuery(
        school=None, type=type or None, severity=severity or None, status=status or None,
        q=q, sort=sort or "severity", descending=dir == "desc", page=page, page_size=PAGE_SIZE,
    )  # fmt: skip
    return _worklist_page(request, who, engine, files, query, who.school_code)


def _worklist_page(
    request: Request, who: Principal, engine: Any, files: Any, query: listing.WorklistQuery,
    school: str | None, status: int = 200, **extra: Any,
) -> Response:
    found = listing.worklist(engine, who, query)
    night = services.last_night(engine)
    excel = None
    if school and night is not None:
        from reports import worklist_filename

        path = files.reports_dir / night.isoformat() / worklist_filename(school)
        if path.is_file():
            excel = f"/api/v1/worklists/{night.isoformat()}/{school}"
    report = f"/api/v1/reports/{night.isoformat()}/html" if night and who.is_district else None
    keep = {
        "type": query.type or "", "severity": query.severity or "", "status": query.status or "",
        "q": query.q,
    }  # fmt: skip

    def link(**changes: Any) -> str:
        params = {**keep, "sort": query.sort, "dir": "desc" if query.descending else "asc"}
        params.update({k: v for k, v in changes.items()})
        return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})

    def sort_link(column: str) -> str:
        flip = column == query.sort and not query.descending
        return link(sort=column, dir="desc" if flip else "asc", page=None)

    return _render(
        request, "worklist.html", who, school=school, wl=found, query=query, night=night,
        excel=excel, report=report, link=link, sort_link=sort_link,
        numbers=listing.page_numbers(found.page, found.pages),
        action=f"/schools/{school}/worklist" if query.school else "/conflicts",
        can_answer=bool(query.school) and who.role in auth.CAN_ACT_ON_CONFLICTS,
        status=status, **extra,
    )  # fmt: skip


@router.get("/conflicts/{conflict_id}", response_class=HTMLResponse)
def conflict(request: Request, conflict_id: str, who: PageUser, engine: EngineDep):
    item = services.get_conflict(engine, who, conflict_id)
    can_act = who.role in auth.CAN_ACT_ON_CONFLICTS and item["status"] != "resolved"
    directory = directory_of(request)
    heads = [present.record_head(r, item["records"]) for r in item["records"]]
    rows = [
        {**row, "shown": [present.comparison_value(row["field"], r.get(row["field"]), directory)
                          for r in item["records"]]}
        for row in item["comparison"]
    ]  # fmt: skip
    others = [
        {"code": code, "name": present.school_name(code, directory),
         "contacts": directory.get(code, {}).get("contacts", [])}
        for code in item.get("other_schools", [])
    ]  # fmt: skip
    return _render(
        request, "conflict.html", who, c=item, can_act=can_act, heads=heads, rows=rows,
        sections=present.evidence_sections(item["evidence"], directory), others=others,
        district_contacts=services.district_contacts(engine),
    )  # fmt: skip


@router.post("/conflicts/{conflict_id}/{action}")
def act(
    request: Request,
    conflict_id: str,
    action: str,
    who: PageUser,
    engine: EngineDep,
    reason: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form()] = "",
):
    _check_csrf(request, csrf)
    if action == "acknowledge":
        services.acknowledge(engine, who, conflict_id, reason)
    elif action == "resolve":
        services.resolve(engine, who, conflict_id, reason)
    else:
        raise services.not_found("action")
    return RedirectResponse(f"/conflicts/{conflict_id}", status_code=303)


@router.get("/runs", response_class=HTMLResponse)
def runs(request: Request, who: PageUser, engine: EngineDep, started: Text = ""):
    found = services.list_runs(engine, who)
    # Reload while a night runs, or while the one just asked for has not yet begun
    running = any(r["status"] == "running" for r in found) or bool(
        started and not any(str(r["night"]) == started for r in found)
    )
    return _render(
        request, "runs.html", who, runs=found, started=started, running=running,
        today=dt.date.today().isoformat(),
    )  # fmt: skip


@router.post("/runs")
def start_run(
    request: Request,
    who: PageUser,
    engine: EngineDep,
    files: FilesDep,
    tasks: BackgroundTasks,
    night: Annotated[dt.date, Form()],
    csrf: Annotated[str, Form()] = "",
):
    """The runs page's button: the same service as ``POST /api/v1/runs`` (officers only)."""
    _check_csrf(request, csrf)
    services.start_run(engine, who, night)
    tasks.add_task(services.execute_run, engine, night, files.reports_dir)
    return RedirectResponse(f"/runs?started={night.isoformat()}", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    who: PageUser,
    engine: EngineDep,
    page: PageNumber = 1,
    actor: Text = "",
    action: Text = "",
    since: Text = "",
    until: Text = "",
    school: Text = "",
):
    flt = services.AuditFilter(
        actor=actor or None, action=action or None, since=_day(since, "since"),
        until=_day(until, "until"), school=school or None,
    )  # fmt: skip
    events = services.audit_log(engine, who, limit=100, offset=max(0, page - 1) * 100, flt=flt)
    keep = {"actor": actor, "action": action, "since": since, "until": until, "school": school}
    query = urlencode({k: v for k, v in keep.items() if v})
    return _render(
        request, "audit.html", who, events=events, page=max(1, page), flt=keep, query=query,
        actors=services.audit_actors(engine, who), schools=services.schools(engine, who),
    )  # fmt: skip


def _day(raw: str, field: str) -> dt.date | None:
    """A day typed as dd/mm/yyyy or sent by a date input (yyyy-mm-dd)."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        if "/" in raw:
            day, month, year = (int(part) for part in raw.split("/"))
            return dt.date(year, month, day)
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise services.bad_filter(messages.PAGES[field]) from exc
