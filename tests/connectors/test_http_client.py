"""The HTTP client and paginators, with httpx.MockTransport (no sockets)."""

from __future__ import annotations

import json

import httpx
import pytest

from connectors.http import (
    CursorPaginator,
    DeadlineExceeded,
    OffsetPaginator,
    PageNumberPaginator,
    RetryPolicy,
    SourceClient,
)
from connectors.http.paginators import Shortfall
from doisoat.errors import AuthError, SourceError, TransientSourceError


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _client(handler, clock: FakeClock, **kwargs) -> SourceClient:
    http = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://vendor.test")
    options = {"policy": RetryPolicy(attempts=5, backoff_initial=1.0, jitter=0.5)} | kwargs
    return SourceClient(http, source="smas", token="t", sleep=clock.sleep, clock=clock,
                        **options)


def test_page_number_paginator_walks_pages_and_stops():
    pages = PageNumberPaginator(page_param="trang", size_param="soDong", size=2,
                                total_pages_key="tongSoTrang")
    first = pages.first()
    assert first == {"trang": 1, "soDong": 2}
    second = pages.next(first, {"tongSoTrang": 2}, 2)
    assert second == {"trang": 2, "soDong": 2}
    assert pages.resume(pages.position(second)) == second
    # a full page is never the last on the vendor's word: the page after it is asked for
    third = pages.next(second, {"tongSoTrang": 2}, 2)
    assert third == {"trang": 3, "soDong": 2}
    assert pages.next(third, {"tongSoTrang": 2}, 0) is None
    assert pages.shortfall({"tongSoTrang": 2}, 2, 4) is None
    # a short page ends the list unless the vendor says more pages follow
    assert pages.next(second, {"tongSoTrang": 2}, 1) is None
    assert pages.next(second, {"tongSoTrang": 5}, 1) == third


def test_page_counts_and_totals_are_checked_not_trusted():
    pages = PageNumberPaginator(size=50, total_pages_key="tongSoTrang")
    assert pages.shortfall({"tongSoTrang": 2}, 18, 877) == Shortfall("pages", 2, 18)
    assert pages.shortfall({"tongSoTrang": "18"}, 18, 877) is None
    assert pages.shortfall({"tongSoTrang": "nhiều"}, 18, 877) == Shortfall("pages", "nhiều", 18)
    assert pages.shortfall({"tongSoTrang": 1}, 0, 0) is None  # an empty list is one page
    assert pages.shortfall({}, 18, 877) is None  # states nothing, nothing to check
    offsets = OffsetPaginator(limit=50)
    assert offsets.next({"offset": 0, "limit": 50}, {"total": 40}, 50) == {"offset": 50,
                                                                          "limit": 50}
    assert offsets.next({"offset": 0, "limit": 50}, {"total": 5000}, 30) == {"offset": 30,
                                                                            "limit": 50}
    assert offsets.next({"offset": 30, "limit": 50}, {"total": 5000}, 0) is None
    assert offsets.shortfall({"total": 40}, 5, 225) == Shortfall("total", 40, 225)
    assert offsets.shortfall({"total": 225}, 5, 225) is None
    cursors = CursorPaginator(total_key="tong")
    assert cursors.shortfall({"tong": 10}, 2, 9) == Shortfall("total", 10, 9)
    assert CursorPaginator().shortfall({"tong": 10}, 2, 9) is None


def test_offset_and_cursor_paginators():
    offsets = OffsetPaginator(limit=10)
    assert offsets.next({"offset": 10, "limit": 10}, {"total": 25}, 10) == {"offset": 20,
                                                                            "limit": 10}
    assert offsets.next({"offset": 20, "limit": 10}, {"total": 25}, 5) is None
    cursors = CursorPaginator(limit=3)
    nxt = cursors.next(cursors.first(), {"next_cursor": "abc"}, 3)
    assert nxt == {"limit": 3, "cursor": "abc"}
    assert cursors.next(nxt, {"next_cursor": None}, 3) is None
    assert cursors.resume(cursors.position(nxt)) == nxt


def test_retries_server_errors_with_growing_backoff():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) <= 3:
            return httpx.Response(503)
        return httpx.Response(200, json={"data": [1, 2]})

    clock = FakeClock()
    body, _ = _client(handler, clock).get_json("/x")
    assert body == {"data": [1, 2]} and len(calls) == 4
    assert len(clock.sleeps) == 3
    assert clock.sleeps[0] < clock.sleeps[1] < clock.sleeps[2]
    assert all(1.0 * 2**i <= s <= 1.5 * 2**i for i, s in enumerate(clock.sleeps))
    assert calls[0].headers["Authorization"] == "Bearer t"


def test_honours_retry_after_on_429():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "7"})
        return httpx.Response(200, json={"ok": True})

    clock = FakeClock()
    _client(handler, clock).get_json("/x")
    assert clock.sleeps and clock.sleeps[0] >= 7


def test_truncated_json_and_dropped_connection_are_retried():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.RemoteProtocolError("peer closed connection", request=request)
        if len(calls) == 2:
            return httpx.Response(200, content=b'{"data": [1, 2')
        if len(calls) == 3:
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(200, json={"data": []})

    clock = FakeClock()
    assert _client(handler, clock).get_json("/x")[0] == {"data": []}
    assert len(calls) == 4


def test_gives_up_after_the_attempts_with_a_vietnamese_message():
    clock = FakeClock()
    client = _client(lambda r: httpx.Response(502), clock,
                     policy=RetryPolicy(attempts=3, backoff_initial=0.1))
    with pytest.raises(TransientSourceError) as caught:
        client.get_json("/x")
    assert "tạm thời không trả lời" in caught.value.message_vi
    assert len(clock.sleeps) == 2


def test_overall_deadline_stops_retrying():
    clock = FakeClock()
    client = _client(lambda r: httpx.Response(503), clock, deadline_seconds=10,
                     policy=RetryPolicy(attempts=50, backoff_initial=2.0, jitter=0))
    with pytest.raises(DeadlineExceeded) as caught:
        client.get_json("/x")
    assert clock.now <= 10 and "Hết thời gian" in caught.value.message_vi


def test_login_and_refused_credentials():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/token":
            body = json.loads(request.content)
            if body["password"] == "dung":
                return httpx.Response(200, json={"access_token": "tok"})
            return httpx.Response(401)
        if request.headers.get("Authorization") != "Bearer tok":
            return httpx.Response(401)
        return httpx.Response(200, json={"data": ["ok"]})

    http = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://vendor.test")
    good = SourceClient(http, source="vnedu", credentials=("u", "dung"))
    assert good.get_json("/x")[0] == {"data": ["ok"]}
    bad = SourceClient(http, source="vnedu", credentials=("u", "sai"))
    with pytest.raises(AuthError) as caught:
        bad.get_json("/x")
    assert "từ chối" in caught.value.message_vi


def test_client_errors_are_not_retried():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(404, text="no such resource")

    with pytest.raises(SourceError) as caught:
        _client(handler, FakeClock()).get_json("/x")
    assert not isinstance(caught.value, TransientSourceError) and len(calls) == 1
