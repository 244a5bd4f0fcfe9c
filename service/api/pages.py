"""Server-rendered Vietnamese pages (Jinja2, plain forms): login, dashboard, worklist, conflict,
run history, audit trail. They call the same service functions as the JSON API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from doisoat.conflict_types import SEVERITY_LABELS, STATUS_LABELS, TYPE_LABELS
from doisoat.errors import PermissionDenied
from service.api import auth, messages, services
from service.api.auth import Principal
from service.api.deps import (
    SESSION_COOKIE,
    EngineDep,
    ThrottleDep,
    client_address,
    page_principal,
)

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
PAGE_SIZE = 50
# Beyond any list a district keeps (a million pages); a larger number is a mistake, answered
# 422, not an offset no database can hold.
PageNumber = Annotated[int, Query(le=1_000_000)]


def _date_vi(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
    return "" if value is None else str(value)


templates.env.filters["date_vi"] = _date_vi
templates.env.globals.update(
    L=messages.LABELS,
    ROLES=messages.ROLES,
    SEVERITIES=SEVERITY_LABELS,
    STATUSES=STATUS_LABELS,
    TYPES=TYPE_LABELS,
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
    return _render(request, "dashboard.html", who, data=data, schools=services.schools(engine, who))


@router.get("/schools/{school}/worklist", response_class=HTMLResponse)
def worklist(
    request: Request,
    school: str,
    who: PageUser,
    engine: EngineDep,
    type: str | None = None,
    severity: str | None = None,
    status: str | None = "open",
    page: PageNumber = 1,
):
    flt = services.ConflictFilter(
        school=school,
        type=type or None,
        severity=severity or None,
        status=status or None,
        limit=PAGE_SIZE,
        offset=max(0, page - 1) * PAGE_SIZE,
    )
    items, total = services.list_conflicts(engine, who, flt, evidence=False)
    return _render(
        request, "worklist.html", who, school=school, items=items, total=total, page=max(1, page),
        pages=max(1, -(-total // PAGE_SIZE)), flt=flt,
    )  # fmt: skip


@router.get("/conflicts/{conflict_id}", response_class=HTMLResponse)
def conflict(request: Request, conflict_id: str, who: PageUser, engine: EngineDep):
    item = services.get_conflict(engine, who, conflict_id)
    can_act = who.role in auth.CAN_ACT_ON_CONFLICTS and item["status"] != "resolved"
    return _render(request, "conflict.html", who, c=item, can_act=can_act)


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
def runs(request: Request, who: PageUser, engine: EngineDep):
    return _render(request, "runs.html", who, runs=services.list_runs(engine, who))


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, who: PageUser, engine: EngineDep, page: PageNumber = 1):
    events = services.audit_log(engine, who, limit=100, offset=max(0, page - 1) * 100)
    return _render(request, "audit.html", who, events=events, page=max(1, page))
