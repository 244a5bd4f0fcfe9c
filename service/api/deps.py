"""Request plumbing shared by the JSON routes and the pages: the store, the caller, errors."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from doisoat.errors import (
    BadRequest,
    ConfigError,
    DoisoatError,
    FileFormatError,
    NotFound,
    NotSignedIn,
    PermissionDenied,
    ReconcileError,
    SigningError,
    SourceError,
    StateConflict,
    TooLarge,
)
from service.api import messages
from service.api.auth import (
    LoginThrottle,
    Principal,
    TooManyLogins,
    check_csrf,
    principal_for_token,
)
from service.api.files import FilesConfig

SESSION_COOKIE = "doisoat_session"

# The HTTP status of each kind of error, looked up along the error's class hierarchy (the most
# specific class wins). The only place a status is chosen for an error: never by its message.
STATUS: dict[type[DoisoatError], int] = {
    TooLarge: 413,
    TooManyLogins: 429,
    BadRequest: 422,
    NotSignedIn: 401,
    PermissionDenied: 403,
    NotFound: 404,
    StateConflict: 409,
    FileFormatError: 400,  # a file handed in cannot be opened at all (a certificate archive)
    SourceError: 422,
    ReconcileError: 422,
    SigningError: 422,
    ConfigError: 500,
    DoisoatError: 500,
}


def status_of(error: DoisoatError) -> int:
    """The HTTP status that answers ``error``: its nearest class in :data:`STATUS`."""
    return next(STATUS[kind] for kind in type(error).__mro__ if kind in STATUS)


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_files(request: Request) -> FilesConfig:
    return request.app.state.files


def get_throttle(request: Request) -> LoginThrottle:
    return request.app.state.login_throttle


def client_address(request: Request) -> str:
    """The caller's address as the server sees it (behind a trusted proxy uvicorn has already
    put the forwarded one there)."""
    return request.client.host if request.client else ""


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def api_principal(request: Request, engine: Annotated[Engine, Depends(get_engine)]) -> Principal:
    """The caller of a JSON route: a bearer token, or the page login cookie.

    A browser sends the cookie by itself, whoever made the page that asks: a write made with
    the cookie needs the page's form token (``auth.csrf_token``) in ``X-CSRF-Token``, as the
    page forms do in their ``csrf`` field. Reads need none (they change nothing, and another
    site cannot read the answer), so the pages' download links keep working; a bearer token
    needs none (no browser sends it unasked)."""
    token = bearer_token(request)
    kind = "api"
    if token is None:
        token, kind = request.cookies.get(SESSION_COOKIE), "session"
    if not token:
        raise NotSignedIn("no token", message_vi=messages.error("no_token"))
    who = principal_for_token(engine, token, kind=kind)
    if who is None:
        raise NotSignedIn("bad token", message_vi=messages.error("bad_token"))
    if kind == "session" and request.method not in _SAFE_METHODS:
        if not check_csrf(token, request.headers.get(CSRF_HEADER, "")):
            raise PermissionDenied("no csrf token", message_vi=messages.error("csrf"))
    return who


def page_principal(request: Request, engine: Engine) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    return principal_for_token(engine, token, kind="session") if token else None


EngineDep = Annotated[Engine, Depends(get_engine)]
FilesDep = Annotated[FilesConfig, Depends(get_files)]
PrincipalDep = Annotated[Principal, Depends(api_principal)]
ThrottleDep = Annotated[LoginThrottle, Depends(get_throttle)]
