"""Exhaustion without logging in: bodies are limited before they are read, a write without
credentials is refused before its body is read, and logins are throttled (issue 18, item 7)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from typing import Any

from service.api import messages
from tests.service.api.world import PASSWORD, SCHOOL_A, World

MB = 1024 * 1024


class Body:
    """A request body handed to the app chunk by chunk, counting what the app took."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self.chunks = iter(chunks)
        self.consumed = 0
        self.ended = False

    async def receive(self) -> dict[str, Any]:
        if self.ended:
            await asyncio.sleep(3600)  # an open connection that sends nothing more
        chunk = next(self.chunks, None)
        if chunk is None:
            self.ended = True
            return {"type": "http.request", "body": b"", "more_body": False}
        self.consumed += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}


def _call(
    world: World, method: str, path: str, body: Body, headers: dict[str, str], query: str = ""
) -> tuple[int, dict[str, str], bytes]:
    """Call the app straight through ASGI, so that nothing reads the body for it."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("203.0.113.9", 5000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def run() -> None:
        await asyncio.wait_for(world.client.app(scope, body.receive, send), timeout=30)

    asyncio.run(run())
    start = next(m for m in sent if m["type"] == "http.response.start")
    answer = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, answer


def _megabyte_of_json() -> list[bytes]:
    padding = "x" * MB
    data = json.dumps({"username": "admin_a", "password": "x", "pad": padding}).encode()
    return [data[i : i + 64 * 1024] for i in range(0, len(data), 64 * 1024)]


def test_a_megabyte_json_login_is_refused_before_it_is_read(sqlite_world: World) -> None:
    chunks = _megabyte_of_json()
    body = Body(chunks)
    headers = {"content-type": "application/json", "content-length": str(sum(map(len, chunks)))}
    status, _, answer = _call(sqlite_world, "POST", "/api/v1/auth/token", body, headers)
    assert status == 413
    assert "quá lớn" in json.loads(answer)["detail"]
    assert body.consumed == 0


def test_a_chunked_json_body_is_cut_off_at_the_limit(sqlite_world: World) -> None:
    body = Body(_megabyte_of_json())
    headers = {"content-type": "application/json", "transfer-encoding": "chunked"}
    status, _, answer = _call(sqlite_world, "POST", "/api/v1/auth/token", body, headers)
    assert status == 413
    assert "quá lớn" in json.loads(answer)["detail"]
    assert body.consumed <= 192 * 1024  # the limit (64 KB) and a chunk, never the megabyte


def test_a_chunked_upload_past_its_limit_is_cut_off_and_not_stored(sqlite_world: World) -> None:
    body = Body([b"a,b\n" * 256] * 1000)  # 1 KB chunks; the sqlite world's limit is 4 KB
    headers = {**sqlite_world.as_("admin_a"), "transfer-encoding": "chunked",
               "content-type": "application/octet-stream"}  # fmt: skip
    status, _, answer = _call(
        sqlite_world, "POST", "/api/v1/uploads", body, headers,
        query=f"school={SCHOOL_A}&filename=lop.csv",
    )  # fmt: skip
    assert status == 413
    assert "Tệp quá lớn" in json.loads(answer)["detail"]
    assert body.consumed <= 8 * 1024
    root = sqlite_world.client.app.state.files.upload_dir
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


def test_an_upload_without_credentials_is_refused_before_its_body_is_read(
    sqlite_world: World,
) -> None:
    for path, content_type in [
        ("/api/v1/uploads", "application/octet-stream"),
        (f"/api/v1/transcripts/{SCHOOL_A}/hb.pdf/sign", "multipart/form-data; boundary=xyz"),
        ("/api/v1/transcripts/verify", "application/pdf"),
    ]:
        for auth in ({}, {"authorization": "Bearer wrong-token"}):
            body = Body([b"-" * 1024] * 3)
            headers = {"content-type": content_type, "content-length": "3072", **auth}
            status, answer_headers, answer = _call(
                sqlite_world, "POST", path, body, headers, query=f"school={SCHOOL_A}&filename=a.csv"
            )
            assert status == 401, path
            expected = messages.error("bad_token" if auth else "no_token")
            assert json.loads(answer)["detail"] == expected
            assert answer_headers.get("www-authenticate") == "Bearer"
            assert body.consumed == 0, path


def test_the_signing_page_without_a_session_is_sent_to_login_before_reading(
    sqlite_world: World,
) -> None:
    body = Body([b"-" * 1024] * 3)
    headers = {"content-type": "multipart/form-data; boundary=xyz", "content-length": "3072"}
    status, answer_headers, _ = _call(
        sqlite_world, "POST", f"/schools/{SCHOOL_A}/transcripts/hb.pdf/sign", body, headers
    )
    assert status == 303 and answer_headers["location"] == "/login"
    assert body.consumed == 0


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _throttle(world: World) -> FakeClock:
    from service.api.auth import LoginThrottle

    clock = FakeClock()
    world.client.app.state.login_throttle = LoginThrottle(clock=clock)
    return clock


def _token(world: World, user: str, password: str):
    return world.client.post("/api/v1/auth/token", json={"username": user, "password": password})


def test_six_wrong_passwords_lock_the_account_even_for_the_right_one(world: World) -> None:
    clock = _throttle(world)
    for _ in range(6):
        assert _token(world, "admin_a", "đoán-mò").status_code in (401, 429)
        clock.now += 1
    locked = _token(world, "admin_a", PASSWORD)
    assert locked.status_code == 429
    assert "quá nhiều lần" in locked.json()["detail"]
    assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
    # another account from the same address is not locked by these
    assert _token(world, "admin_b", PASSWORD).status_code == 200
    clock.now += 15 * 60
    assert _token(world, "admin_a", PASSWORD).status_code == 200


def test_a_success_resets_the_account_count(world: World) -> None:
    _throttle(world)
    for _ in range(4):
        assert _token(world, "admin_a", "đoán-mò").status_code == 401
    assert _token(world, "admin_a", PASSWORD).status_code == 200
    for _ in range(4):
        assert _token(world, "admin_a", "đoán-mò").status_code == 401
    assert _token(world, "admin_a", PASSWORD).status_code == 200


def test_one_address_guessing_many_names_is_stopped(sqlite_world: World) -> None:
    _throttle(sqlite_world)
    for i in range(20):
        assert _token(sqlite_world, f"ten-{i}", "đoán-mò").status_code == 401
    refused = _token(sqlite_world, "officer", PASSWORD)
    assert refused.status_code == 429 and "retry-after" in refused.headers


def test_the_login_page_is_throttled_too(sqlite_world: World) -> None:
    clock = _throttle(sqlite_world)
    client = sqlite_world.client
    form = {"username": "admin_a", "password": "đoán-mò"}
    for _ in range(5):
        assert client.post("/login", data=form, follow_redirects=False).status_code == 401
    right = {"username": "admin_a", "password": PASSWORD}
    locked = client.post("/login", data=right, follow_redirects=False)
    assert locked.status_code == 429
    assert "quá nhiều lần" in locked.text and "retry-after" in locked.headers
    assert _token(sqlite_world, "admin_a", PASSWORD).status_code == 429  # the same count
    clock.now += 15 * 60 + 1
    signed_in = client.post("/login", data=right, follow_redirects=False)
    assert signed_in.status_code == 303 and "doisoat_session" in signed_in.headers["set-cookie"]


def test_a_large_login_form_is_refused_before_it_is_read(sqlite_world: World) -> None:
    body = Body([b"username=a&password=" + b"x" * MB])
    headers = {"content-type": "application/x-www-form-urlencoded",
               "content-length": str(MB + 20)}  # fmt: skip
    status, _, answer = _call(sqlite_world, "POST", "/login", body, headers)
    assert status == 413 and "quá lớn" in answer.decode()
    assert body.consumed == 0
