"""Request plumbing shared by the JSON routes and the pages: the store, the caller, errors."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Engine

from service.api import messages
from service.api.auth import Principal, principal_for_token
from service.api.files import FilesConfig

SESSION_COOKIE = "doisoat_session"


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_files(request: Request) -> FilesConfig:
    return request.app.state.files


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def api_principal(request: Request, engine: Annotated[Engine, Depends(get_engine)]) -> Principal:
    """The caller of a JSON route: a bearer token, or the page login cookie."""
    token = bearer_token(request)
    kind = "api"
    if token is None:
        token, kind = request.cookies.get(SESSION_COOKIE), "session"
    if not token:
        raise HTTPException(401, messages.error("no_token"), headers={"WWW-Authenticate": "Bearer"})
    who = principal_for_token(engine, token, kind=kind)
    if who is None:
        raise HTTPException(
            401, messages.error("bad_token"), headers={"WWW-Authenticate": "Bearer"}
        )
    return who


def page_principal(request: Request, engine: Engine) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    return principal_for_token(engine, token, kind="session") if token else None


EngineDep = Annotated[Engine, Depends(get_engine)]
FilesDep = Annotated[FilesConfig, Depends(get_files)]
PrincipalDep = Annotated[Principal, Depends(api_principal)]
