"""HTTP machinery shared by every source: client with retries, paginators, cursors, pulls."""

from connectors.http.client import DeadlineExceeded, RetryPolicy, SourceClient
from connectors.http.pages import PullRefused
from connectors.http.paginators import (
    CursorPaginator,
    OffsetPaginator,
    PageNumberPaginator,
    make_paginator,
)
from connectors.http.pull import PullSummary, pull

__all__ = [
    "CursorPaginator",
    "DeadlineExceeded",
    "OffsetPaginator",
    "PageNumberPaginator",
    "PullRefused",
    "PullSummary",
    "RetryPolicy",
    "SourceClient",
    "make_paginator",
    "pull",
]
