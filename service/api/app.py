"""The FastAPI application: JSON API under ``/api/v1``, Vietnamese pages at ``/``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException as FastAPIHTTPException
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from doisoat.errors import DoisoatError
from service.api import link_pages, link_routes, messages, pages, routes
from service.api.deps import status_of
from service.api.files import FilesConfig
from service.api.signing_pages import router as signing_pages_router
from service.api.signing_routes import router as signing_routes_router

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
    return app


def _offline_docs(app: FastAPI) -> None:
    """Swagger UI for the OpenAPI spec, its scripts and styles served by this app (the
    ``swagger-ui-bundle`` package), never from a CDN."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="doisoat — API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )


def _wants_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def _answer(request: Request, status: int, message_vi: str) -> Response:
    if _wants_page(request):
        if status == 401:
            return RedirectResponse("/login", status_code=303)
        return pages.render_error(request, status, message_vi)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"detail": message_vi}, status_code=status, headers=headers)


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


def _handlers(app: FastAPI) -> None:
    app.add_middleware(_RefuseNul)

    @app.exception_handler(DoisoatError)
    async def _refused(request: Request, exc: DoisoatError) -> Response:
        """Every error of the tree: its status from its class (``deps.STATUS``), its words
        from its Vietnamese message — JSON for the API, the error page for the pages."""
        status = status_of(exc)
        if status >= 500:  # the server's fault, not the caller's: keep the story for the log
            logging.getLogger("service.api").error("%s: %s", request.url.path, exc, exc_info=exc)
        return _answer(request, status, exc.message_vi)

    @app.exception_handler(FastAPIHTTPException)
    async def _http(request: Request, exc: FastAPIHTTPException) -> Response:
        if _wants_page(request) and exc.status_code == 401:
            return RedirectResponse("/login", status_code=303)
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )
