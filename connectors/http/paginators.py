"""Pagination as strategy objects with no I/O (after dlt's ``paginators.py``).

A paginator says which query parameters ask for the first page and, given the answer to one
page, which ask for the next (or ``None`` at the end). The client does the requests; tests can
drive a paginator with plain dictionaries.

A vendor's page count or total is a claim to check, never a reason to stop: a page count that
says 2 while the list has 18 pages once dropped 3,127 rows. So a page-number or offset listing
goes on while pages come back full (or short of the stated total) and stops at the first empty
or short page past it; then :meth:`Paginator.shortfall` compares what was read with what the
vendor stated, and a pull whose listing disagrees is not applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Shortfall:
    """What the vendor stated about its list (``pages`` or ``total`` rows) and what was read."""

    kind: str
    stated: Any
    got: int


def _stated(body: Any, key: str | None) -> Any:
    """The figure ``key`` of an answer (None when the vendor states none)."""
    if key and isinstance(body, dict):
        return body.get(key)
    return None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


class Paginator(Protocol):
    def first(self) -> dict[str, Any]:
        """Query parameters of the first page."""

    def next(self, params: dict[str, Any], body: Any, count: int) -> dict[str, Any] | None:
        """Query parameters of the page after the one asked with ``params``, or None."""

    def resume(self, token: str) -> dict[str, Any]:
        """Query parameters of the page a saved position ``token`` points at."""

    def position(self, params: dict[str, Any]) -> str:
        """A token that :meth:`resume` turns back into ``params``."""

    def shortfall(self, body: Any, pages: int, rows: int) -> Shortfall | None:
        """How the listing read (``pages`` pages with rows, ``rows`` rows in all, ``body`` the
        last answer) disagrees with what the vendor stated; None when it agrees or states
        nothing."""


@dataclass(frozen=True)
class PageNumberPaginator:
    page_param: str = "page"
    size_param: str = "page_size"
    size: int = 200
    total_pages_key: str | None = "total_pages"
    start: int = 1

    def first(self) -> dict[str, Any]:
        return {self.page_param: self.start, self.size_param: self.size}

    def next(self, params: dict[str, Any], body: Any, count: int) -> dict[str, Any] | None:
        page = int(params[self.page_param])
        stated = _as_int(_stated(body, self.total_pages_key))
        if count == 0 or (count < self.size and (stated is None or page >= stated)):
            return None
        return {**params, self.page_param: page + 1}

    def shortfall(self, body: Any, pages: int, rows: int) -> Shortfall | None:
        stated = _stated(body, self.total_pages_key)
        if stated is None:
            return None
        expected = _as_int(stated)
        if expected == pages or (pages == 0 and expected in (0, 1)):
            return None
        return Shortfall("pages", stated, pages)

    def resume(self, token: str) -> dict[str, Any]:
        return {self.page_param: int(token), self.size_param: self.size}

    def position(self, params: dict[str, Any]) -> str:
        return str(params[self.page_param])


@dataclass(frozen=True)
class OffsetPaginator:
    offset_param: str = "offset"
    limit_param: str = "limit"
    limit: int = 200
    total_key: str | None = "total"

    def first(self) -> dict[str, Any]:
        return {self.offset_param: 0, self.limit_param: self.limit}

    def next(self, params: dict[str, Any], body: Any, count: int) -> dict[str, Any] | None:
        offset = int(params[self.offset_param]) + count
        stated = _as_int(_stated(body, self.total_key))
        if count == 0 or (count < self.limit and (stated is None or offset >= stated)):
            return None
        return {**params, self.offset_param: offset}

    def shortfall(self, body: Any, pages: int, rows: int) -> Shortfall | None:
        stated = _stated(body, self.total_key)
        if stated is None or _as_int(stated) == rows:
            return None
        return Shortfall("total", stated, rows)

    def resume(self, token: str) -> dict[str, Any]:
        return {self.offset_param: int(token), self.limit_param: self.limit}

    def position(self, params: dict[str, Any]) -> str:
        return str(params[self.offset_param])


@dataclass(frozen=True)
class CursorPaginator:
    cursor_param: str = "cursor"
    next_key: str = "next_cursor"
    limit_param: str = "limit"
    limit: int = 200
    total_key: str | None = None

    def first(self) -> dict[str, Any]:
        return {self.limit_param: self.limit}

    def next(self, params: dict[str, Any], body: Any, count: int) -> dict[str, Any] | None:
        token = body.get(self.next_key) if isinstance(body, dict) else None
        if not token:
            return None
        return {**params, self.cursor_param: token}

    def resume(self, token: str) -> dict[str, Any]:
        params = self.first()
        if token:
            params[self.cursor_param] = token
        return params

    def position(self, params: dict[str, Any]) -> str:
        return str(params.get(self.cursor_param, ""))

    def shortfall(self, body: Any, pages: int, rows: int) -> Shortfall | None:
        stated = _stated(body, self.total_key)
        if stated is None or _as_int(stated) == rows:
            return None
        return Shortfall("total", stated, rows)


def make_paginator(kind: str, **options: Any) -> Paginator:
    kinds = {"page": PageNumberPaginator, "offset": OffsetPaginator, "cursor": CursorPaginator}
    return kinds[kind](**options)
