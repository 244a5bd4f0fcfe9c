"""No token, a wrong token, passwords and tokens at rest, login."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from doisoat.model import ApiToken, UserAccount
from service.api.auth import issue_token, revoke_token
from tests.service.api.world import PASSWORD, SCHOOL_A, World

PROTECTED = [
    ("get", "/api/v1/me"),
    ("get", "/api/v1/schools"),
    ("get", "/api/v1/conflicts"),
    ("get", "/api/v1/conflicts.csv"),
    ("get", "/api/v1/conflicts/c-a-mismatch"),
    ("post", "/api/v1/conflicts/c-a-mismatch/acknowledge"),
    ("post", "/api/v1/conflicts/c-a-mismatch/resolve"),
    ("get", "/api/v1/students"),
    ("get", "/api/v1/students/smas:1:A1"),
    ("get", "/api/v1/runs"),
    ("get", "/api/v1/runs/1"),
    ("post", "/api/v1/runs"),
    ("get", "/api/v1/audit"),
    ("post", f"/api/v1/uploads?school={SCHOOL_A}&filename=a.csv"),
    ("get", "/api/v1/reports/2025-03-10/html"),
    ("get", f"/api/v1/worklists/2025-03-10/{SCHOOL_A}"),
    ("get", f"/api/v1/reports/2025-03-10/worklists/{SCHOOL_A}.xlsx"),
    ("get", f"/api/v1/transcripts/{SCHOOL_A}/x.pdf"),
    ("post", "/api/v1/transcripts/verify"),
    ("get", f"/api/v1/transcripts/{SCHOOL_A}"),
    ("post", f"/api/v1/transcripts/{SCHOOL_A}/x.pdf/sign"),
    ("get", "/api/v1/links"),
    ("post", "/api/v1/links"),
    ("post", f"/api/v1/transcripts/{SCHOOL_A}/classes/9A1/sign"),
    ("get", "/api/v1/certificates"),
    ("post", "/api/v1/certificates"),
    ("post", f"/api/v1/worklists/2025-03-10/{SCHOOL_A}/answers"),
    ("post", f"/api/v1/transcripts/{SCHOOL_A}/classes/9A1/sign-jobs"),
    ("get", "/api/v1/signing-jobs/0123456789abcdef"),
    ("get", f"/api/v1/schools/{SCHOOL_A}/certificates"),
    ("post", f"/api/v1/certificates/{'0' * 64}/revoke"),
]


def test_every_api_route_is_listed_here(world: World) -> None:
    """A new route must join the no-token checks below."""
    operations = {
        (method, path)
        for path, item in world.client.app.openapi()["paths"].items()
        for method in item
        if path != "/api/v1/auth/token"
    }
    assert len(operations) == len(PROTECTED)


@pytest.mark.parametrize(("method", "path"), PROTECTED)
@pytest.mark.parametrize("token", [None, "wrong-token", "Basic abc"])
def test_no_or_wrong_token_is_refused(shared_world: World, method, path, token) -> None:
    headers = {}
    if token == "Basic abc":
        headers["Authorization"] = token
    elif token:
        headers["Authorization"] = f"Bearer {token}"
    response = getattr(shared_world.client, method)(path, headers=headers, **_body(method))
    assert response.status_code == 401
    assert "Xung đột" not in response.text and "Nguyễn" not in response.text


def _body(method: str) -> dict:
    return {"json": {"reason": "x", "night": "2025-03-10"}} if method == "post" else {}


def test_login_gives_a_working_token_and_wrong_password_does_not(world: World) -> None:
    bad = world.client.post("/api/v1/auth/token", json={"username": "admin_a", "password": "x"})
    assert bad.status_code == 401
    assert "không đúng" in bad.json()["detail"]
    unknown = world.client.post("/api/v1/auth/token", json={"username": "nobody", "password": "x"})
    assert unknown.status_code == 401
    good = world.client.post(
        "/api/v1/auth/token", json={"username": "admin_a", "password": PASSWORD}
    )
    assert good.status_code == 200
    token = good.json()["token"]
    me = world.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"username": "admin_a", "role": "school_admin", "school_code": SCHOOL_A}


def test_passwords_and_tokens_are_stored_hashed(world: World) -> None:
    with world.engine.connect() as conn:
        hashes = conn.execute(select(UserAccount.__table__.c.password_hash)).scalars().all()
        stored = set(conn.execute(select(ApiToken.__table__.c.token_hash)).scalars().all())
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert all(PASSWORD not in h for h in hashes)
    assert not stored & set(world.tokens.values())


def test_revoked_and_expired_tokens_are_refused(world: World) -> None:
    token = issue_token(world.engine, "officer")
    headers = {"Authorization": f"Bearer {token}"}
    assert world.client.get("/api/v1/me", headers=headers).status_code == 200
    revoke_token(world.engine, token)
    assert world.client.get("/api/v1/me", headers=headers).status_code == 401
    short = issue_token(world.engine, "officer", hours=1)
    with world.engine.begin() as conn:
        table = ApiToken.__table__
        conn.execute(
            update(table)
            .where(table.c.label == "", table.c.expires_at.is_not(None))
            .values(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        )
    assert (
        world.client.get("/api/v1/me", headers={"Authorization": f"Bearer {short}"}).status_code
        == 401
    )


def test_a_page_session_is_not_an_api_token(world: World) -> None:
    """A stolen session cookie value cannot be replayed as a long-lived bearer token."""
    session = issue_token(world.engine, "officer", kind="session", hours=1)
    response = world.client.get("/api/v1/me", headers={"Authorization": f"Bearer {session}"})
    assert response.status_code == 401


def test_a_lone_surrogate_in_the_login_answers_422_in_vietnamese(world: World) -> None:
    for body in (
        b'{"username": "\\ud800", "password": "x"}',
        b'{"username": "admin_a", "password": "\\udfff\\ud800"}',
        b'{"\\ud800": 1, "username": "admin_a", "password": "x"}',
    ):
        response = world.client.post(
            "/api/v1/auth/token", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 422, response.text
        assert "Unicode" in response.json()["detail"]
    good = world.client.post(
        "/api/v1/auth/token", json={"username": "admin_a", "password": PASSWORD}
    )
    assert good.status_code == 200


@pytest.mark.parametrize(("base", "secure"), [("https://truong.example", True),
                                              ("http://truong.example", False)])  # fmt: skip
def test_the_session_cookie_is_secure_when_reached_over_https(
    sqlite_world: World, base: str, secure: bool
) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(sqlite_world.client.app, base_url=base)
    response = client.post(
        "/login", data={"username": "admin_a", "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("doisoat_session=") and "HttpOnly" in cookie
    assert ("Secure" in cookie) is secure
