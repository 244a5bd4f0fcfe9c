"""The FastAPI application: JSON API under ``/api/v1``, Vietnamese pages at ``/``."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException as FastAPIHTTPException
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from doisoat.errors import DoisoatError
from service.api import link_pages, link_routes, messages, pages, routes
from service.api.auth import LoginThrottle, principal_for_token
from service.api.deps import SESSION_COOKIE, status_of
from service.api.files import FilesConfig, too_large
from service.api.signing_pages import router as signing_pages_router
from service.api.signing_routes import router as signing_routes_router

STATIC = Path(__file__).parent / "static"

# What a browser may load for our pages: our own scripts, styles and images, nothing inline,
# nothing framed. The Swagger page needs its one inline script: it names that script's hash.
_CSP = (
    "default-src 'self'; script-src 'self'{scripts}; style-src 'self'{styles}; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
PAGE_CSP = _CSP.format(scripts="", styles="")
SECURITY_HEADERS = {
    "content-security-policy": PAGE_CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
# The night's report is one self-contained HTML file (it is mailed too): its styles are inline.
# Served here it may keep them, and still runs no script.
REPORT_CSP = _CSP.format(scripts="", styles=" 'unsafe-inline'")
_REPORTS = "/api/v1/reports/"
# Files that are the same for everyone (our styles, Swagger's assets) may be cached; every
# other answer may carry a student's data and is never kept by a browser or a proxy.
_CACHEABLE = ("/static/", "/docs-assets/")


def create_app(
    engine: Engine | None = None,
    *,
    var_dir: Path | str = "var",
    max_upload_bytes: int = 50 * 1024 * 1024,
) -> FastAPI:
    """An app over ``engine`` (default: the configured store). Brings the store's schema to
    the migrations' head (which also makes the audit trail's guard), so it works on a new
    store too."""
    from doisoat import store

    if engine is None:
        engine = store.get_engine()
    store.upgrade(engine)
    var = Path(var_dir)
    app = FastAPI(
        title="doisoat",
        version="1",
        description=messages.API_DOC["app"],
        docs_url=None,  # served below from local files: the office may have no internet
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.login_throttle = LoginThrottle()
    app.state.files = FilesConfig(
        upload_dir=var / "uploads",
        reports_dir=var / "reports",
        transcripts_dir=var / "transcripts",
        max_upload_bytes=max_upload_bytes,
    )
    app.include_router(routes.router)
    app.include_router(pages.router)
    app.include_router(link_routes.router)
    app.include_router(link_pages.router)
    app.include_router(signing_routes_router)
    app.include_router(signing_pages_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _offline_docs(app)
    _handlers(app)
    _document_validation_errors(app)
    return app


def _document_validation_errors(app: FastAPI) -> None:
    """A refused input is answered like every other error, ``{"detail": "<Vietnamese>"}``
    (``_handlers``): the OpenAPI document says so instead of FastAPI's list of English errors."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = build()
            schemas = spec.get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                detail = {"type": "string", "description": messages.API_DOC["error_detail"]}
                schemas["HTTPValidationError"] = {
                    "title": "HTTPValidationError",
                    "type": "object",
                    "required": ["detail"],
                    "properties": {"detail": detail},
                }
                uses = json.dumps(spec)
                if '"#/components/schemas/ValidationError"' not in uses:
                    schemas.pop("ValidationError", None)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _offline_docs(app: FastAPI) -> None:
    """Swagger UI for the OpenAPI spec, its scripts and styles served by this app (the
    ``swagger-ui-bundle-v2`` package: Swagger UI 5, which reads OpenAPI 3.1), never from a CDN."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        page = get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="doisoat — API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )
        inline = re.findall(r"<script>(.*?)</script>", bytes(page.body).decode(), flags=re.S)
        hashes = "".join(
            f" 'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
            for s in inline
        )
        # Swagger UI sets style attributes from its scripts: its page alone allows them.
        page.headers["content-security-policy"] = _CSP.format(
            scripts=hashes, styles=" 'unsafe-inline'"
        )
        return page


def _wants_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def _answer(
    request: Request, status: int, message_vi: str, headers: dict[str, str] | None = None
) -> Response:
    if _wants_page(request):
        if status == 401:
            return RedirectResponse("/login", status_code=303)
        page = pages.render_error(request, status, message_vi)
        page.headers.update(headers or {})
        return page
    headers = {**(headers or {}), **({"WWW-Authenticate": "Bearer"} if status == 401 else {})}
    return JSONResponse({"detail": message_vi}, status_code=status, headers=headers or None)


# Request bodies are limited before they are read (``_BodyLimits``): SMALL_BODY_BYTES for JSON
# and forms (the login included); the routes that take a file keep the upload limit.
SMALL_BODY_BYTES = 64 * 1024
_FILE_ROUTES = re.compile(
    r"^(/api/v1/uploads|/api/v1/transcripts/verify|/api/v1/transcripts/[^/]+/[^/]+/sign"
    r"|/schools/[^/]+/transcripts/[^/]+/sign)/?$"
)
_PUBLIC = frozenset({"/api/v1/auth/token", "/login"})
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


class _BodyLimits:
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
            await _answer(request, 413, refusal)(scope, receive, send)
            return
        if scope.get("method") not in _SAFE and path not in _PUBLIC:
            if path.startswith("/api/") or _FILE_ROUTES.match(path):
                unsigned = await self._unsigned(scope["app"].state.engine, request)
                if unsigned:
                    await _answer(request, 401, unsigned)(scope, receive, send)
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
                        await _answer(Request(scope), 413, refusal)(scope, receive, send)
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


class _RefuseNul:
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
                answer = _answer(Request(scope, receive), status,
                                 messages.error("nul_character"))
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _RefuseLoneSurrogates:
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
            answer = _answer(Request(scope), 422, messages.error("lone_surrogate"))
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


class _SecurityHeaders:
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


def _invalid_fields(exc: RequestValidationError) -> str:
    """The inputs a validation error names, in words a school officer reads (never the value
    given, which may be anything, a lone surrogate included)."""
    names = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body")]
        name = loc[-1] if loc else "body"
        name = name.encode("utf-8", "backslashreplace").decode("utf-8")[:60]
        names.append(messages.INPUT_NAMES.get(name, name))
    return ", ".join(dict.fromkeys(names)) or messages.INPUT_NAMES["body"]


def _handlers(app: FastAPI) -> None:
    app.add_middleware(_RefuseNul)
    app.add_middleware(_RefuseLoneSurrogates)
    app.add_middleware(_BodyLimits)  # outside the JSON reader: a body is limited before it
    app.add_middleware(_SecurityHeaders)  # the outermost: on every answer, refusals included

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        """A value of the wrong kind or out of range: 422, in Vietnamese, on a page or in JSON."""
        return _answer(request, 422, messages.error("invalid_input", fields=_invalid_fields(exc)))

    @app.exception_handler(DoisoatError)
    async def _refused(request: Request, exc: DoisoatError) -> Response:
        """Every error of the tree: its status from its class (``deps.STATUS``), its words
        from its Vietnamese message — JSON for the API, the error page for the pages."""
        status = status_of(exc)
        if status >= 500:  # the server's fault, not the caller's: keep the story for the log
            logging.getLogger("service.api").error("%s: %s", request.url.path, exc, exc_info=exc)
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return _answer(request, status, exc.message_vi, headers)

    @app.exception_handler(FastAPIHTTPException)
    async def _http(request: Request, exc: FastAPIHTTPException) -> Response:
        if _wants_page(request) and exc.status_code == 401:
            return RedirectResponse("/login", status_code=303)
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )
