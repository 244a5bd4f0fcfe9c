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
from service.api.auth import LoginThrottle
from service.api.deps import status_of
from service.api.files import FilesConfig
from service.api.guards import (
    CSP,
    BodyLimits,
    RefuseLoneSurrogates,
    RefuseNul,
    SecurityHeaders,
    respond,
    wants_page,
)
from service.api.signing_pages import router as signing_pages_router
from service.api.signing_routes import router as signing_routes_router
from service.api.worklist_routes import router as worklist_routes_router

STATIC = Path(__file__).parent / "static"

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
    app.include_router(worklist_routes_router)
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
        page.headers["content-security-policy"] = CSP.format(
            scripts=hashes, styles=" 'unsafe-inline'"
        )
        return page


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
    app.add_middleware(RefuseNul)
    app.add_middleware(RefuseLoneSurrogates)
    app.add_middleware(BodyLimits)  # outside the JSON reader: a body is limited before it
    app.add_middleware(SecurityHeaders)  # the outermost: on every answer, refusals included

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        """A value of the wrong kind or out of range: 422, in Vietnamese, on a page or in JSON."""
        return respond(request, 422, messages.error("invalid_input", fields=_invalid_fields(exc)))

    @app.exception_handler(DoisoatError)
    async def _refused(request: Request, exc: DoisoatError) -> Response:
        """Every error of the tree: its status from its class (``deps.STATUS``), its words
        from its Vietnamese message — JSON for the API, the error page for the pages."""
        status = status_of(exc)
        if status >= 500:  # the server's fault, not the caller's: keep the story for the log
            logging.getLogger("service.api").error("%s: %s", request.url.path, exc, exc_info=exc)
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return respond(request, status, exc.message_vi, headers)

    @app.exception_handler(FastAPIHTTPException)
    async def _http(request: Request, exc: FastAPIHTTPException) -> Response:
        if wants_page(request) and exc.status_code == 401:
            return RedirectResponse("/login", status_code=303)
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )
