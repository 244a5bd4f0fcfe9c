"""Pagination as strategy objects with no I/O (after dlt's ``paginators.py``).

A paginator says which query parameters ask for the first page and, given the answer to one
page, which ask for the next (or ``None`` at the end). The client does the requests; tests can
drive a paginator with plain dictionaries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class Paginator(Protocol):
    def first(self) -> dict[str, Any]:
        """Query parameters of the first page."""

    def next(self, params: dict[str, Any], body: Any, count: int) -> dict[str, Any] | None:
        """Query parameters of the page after the one asked with ``params``, or None."""

    def resume(self, token: str) -> dict[str, Any]:
        """Query parameters of the page a saved position ``token`` points at."""

    def position(self, params: dict[str, Any]) -> str:
        """A token that :meth:`resume` turns back into ``params``."""


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
        if count < self.size:
            return None
        if self.total_pages_key and isinstance(body, dict) and self.total_pages_key in body:
            if page >= int(body[self.total_pages_key]):
                return None
        return {**params, self.page_param: page + 1}

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
        if count == 0:
            return None
        if self.total_key and isinstance(body, dict) and self.total_key in body:
            if offset >= int(body[self.total_key]):
                return None
        elif count < self.limit:
            return None
        return {**params, self.offset_param: offset}

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


def make_paginator(kind: str, **options: Any) -> Paginator:
    kinds = {"page": PageNumberPaginator, "offset": OffsetPaginator, "cursor": CursorPaginator}
    return kinds[kind](**options)
