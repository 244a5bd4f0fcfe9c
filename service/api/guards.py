"""Guards every request passes before a route runs, and the headers every answer carries.

Plain ASGI middlewares, outermost first: :class:`SecurityHeaders` (what a browser may do with
an answer), :class:`BodyLimits` (a body over its route's limit, or a write without
credentials, is refused before it is read), :class:`RefuseLoneSurrogates` and
:class:`RefuseNul` (text PostgreSQL and JSON cannot hold). Their refusals are said as the rest
of the service says them (:func:`respond`: JSON for the API, the error page for pages).
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import Engine

from service.api import messages, pages
from service.api.auth import principal_for_token
from service.api.deps import SESSION_COOKIE
from service.api.files import FilesConfig, too_large

# What a browser may load for our pages: our own scripts, styles and images, nothing inline,
# nothing framed. The Swagger page needs its one inline script: it names that script's hash.
CSP = (
    "default-src 'self'; script-src 'self'{scripts}; style-src 'self'{styles}; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
PAGE_CSP = CSP.format(scripts="", styles="")
SECURITY_HEADERS = {
    "content-security-policy": PAGE_CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
# The night's report is one self-contained HTML file (it is mailed too): its styles are inline.
# Served here it may keep them, and still runs no script.
REPORT_CSP = CSP.format(scripts="", styles=" 'unsafe-inline'")
_REPORTS = "/api/v1/reports/"
# Files that are the same for everyone (our styles, Swagger's assets) may be cached; every
# other answer may carry a student's data and is never kept by a browser or a proxy.
_CACHEABLE = ("/static/", "/docs-assets/")


def wants_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def respond(
    request: Request, status: int, message_vi: str, headers: dict[str, str] | None = None
) -> Response:
    if wants_page(request):
        if status == 401:
            return RedirectResponse("/login", status_code=303)
        page = pages.render_error(request, status, message_vi)
        page.headers.update(headers or {})
        return page
    headers = {**(headers or {}), **({"WWW-Authenticate": "Bearer"} if status == 401 else {})}
    return JSONResponse({"detail": message_vi}, status_code=status, headers=headers or None)


# Request bodies are limited before they are read (``BodyLimits``): SMALL_BODY_BYTES for JSON
# and forms (the login included); the routes that take a file keep the upload limit.
SMALL_BODY_BYTES = 64 * 1024
_FILE_ROUTES = re.compile(
    r"^(/api/v1/uploads|/api/v1/transcripts/verify|/api/v1/transcripts/[^/]+/[^/]+/sign"
    r"|/schools/[^/]+/transcripts/[^/]+/sign|/verify"
    r"|/api/v1/worklists/[^/]+/[^/]+/answers|/schools/[^/]+/worklist/answers)/?$"
)
# /verify: the public verification page (a receiving school uploads a PDF; no account)
_PUBLIC = frozenset({"/api/v1/auth/token", "/login", "/verify"})
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


class BodyLimits:
    """Before any body is read: a ``Content-Length`` over the route's limit is answered 413 at
    once, and a write without valid credentials 401 (every JSON route but the login; on the
    pages, the routes that take a file), so nobody who has not logged in makes the server hold
    or spool a large body. A body without ``Content-Length`` (chunked) is counted as it arrives:
    past the limit the answer is 413 and the rest is never read."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        files_config: FilesConfig = scope["app"].state.files
        if _FILE_ROUTES.match(path):
            limit = max(files_config.max_upload_bytes, SMALL_BODY_BYTES)
            refusal = too_large(files_config).message_vi
        else:
            limit = SMALL_BODY_BYTES
            refusal = messages.error("body_too_large", limit=SMALL_BODY_BYTES // 1024)
        request = Request(scope)
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            await respond(request, 413, refusal)(scope, receive, send)
            return
        if scope.get("method") not in _SAFE and path not in _PUBLIC:
            if path.startswith("/api/") or _FILE_ROUTES.match(path):
                unsigned = await self._unsigned(scope["app"].state.engine, request)
                if unsigned:
                    await respond(request, 401, unsigned)(scope, receive, send)
                    return
        await self._counted(scope, receive, send, limit, refusal)

    @staticmethod
    async def _unsigned(engine: Engine, request: Request) -> str | None:
        """Why the caller is not signed in (the words of ``deps.api_principal``), or None."""
        from starlette.concurrency import run_in_threadpool

        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        kind = "api"
        if not (scheme.lower() == "bearer" and token.strip()):
            token, kind = request.cookies.get(SESSION_COOKIE, ""), "session"
        if not token:
            return messages.error("no_token")
        who = await run_in_threadpool(principal_for_token, engine, token.strip(), kind=kind)
        return None if who is not None else messages.error("bad_token")

    async def _counted(self, scope: Any, receive: Any, send: Any, limit: int, refusal: str) -> None:
        received, started, answered = 0, False, False

        async def limited() -> Any:
            nonlocal received, answered
            if answered:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:  # stop reading; the route sees the client leave
                    answered = True
                    if not started:
                        await respond(Request(scope), 413, refusal)(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Any) -> None:
            nonlocal started
            if answered:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, guarded)
        except Exception:
            if not answered:
                raise


class RefuseNul:
    """No id or filter holds a NUL, and PostgreSQL refuses one in a query: answer before any
    route runs (404 for a path, 422 for a query string). Plain ASGI, so that it costs the other
    requests nothing."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            status = (404 if "\x00" in scope.get("path", "")
                      else 422 if b"%00" in scope.get("query_string", b"") else 0)
            if status:
                answer = respond(Request(scope, receive), status,
                                 messages.error("nul_character"))
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)


class RefuseLoneSurrogates:
    """JSON may spell half of a UTF-16 pair (``"\\ud800"``): Python reads it into a string that
    no database stores and no answer can encode. Such a body is no text: answer 422 before any
    route runs. Only JSON bodies are read here (uploads stream past untouched)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks, message = [], {"more_body": True}
        while message.get("more_body"):
            message = await receive()
            if message["type"] != "http.request":  # the client left: nothing to answer
                return
            chunks.append(message.get("body", b""))
        body = b"".join(chunks)
        if _has_lone_surrogate(body):
            answer = respond(Request(scope), 422, messages.error("lone_surrogate"))
            await answer(scope, receive, send)
            return
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _is_json(scope: Any) -> bool:
    content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
    return b"json" in content_type.lower()


def _has_lone_surrogate(body: bytes) -> bool:
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return False  # not JSON at all: the route's own validation says so
    try:
        json.dumps(parsed, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class SecurityHeaders:
    """Every answer says what a browser may do with it (:data:`SECURITY_HEADERS`); an answer
    that sets its own policy (the Swagger page) keeps it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        extra = dict(SECURITY_HEADERS)
        if path.startswith(_REPORTS):
            extra["content-security-policy"] = REPORT_CSP
        if not path.startswith(_CACHEABLE):
            extra["cache-control"] = "no-store"

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                headers += [
                    (name.encode(), value.encode())
                    for name, value in extra.items()
                    if name.encode() not in present
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
