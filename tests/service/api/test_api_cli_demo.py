"""``doisoat user add`` and ``doisoat serve`` over a store made the way ``make demo`` makes it."""

from __future__ import annotations

import re

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from doisoat import store
from service.api import create_app
from service.cli import serve


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    serve.register(app)
    app.command("noop")(lambda: None)  # a second command keeps typer's sub-command layout
    return app


def test_user_add_creates_a_user_whose_token_works(cli, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    store.open_store(url)
    runner = CliRunner()
    bad = runner.invoke(cli, ["user", "add", "x", "--role", "king", "--url", url])
    assert bad.exit_code == 2 and "Vai trò không hợp lệ" in bad.output
    no_school = runner.invoke(cli, ["user", "add", "x", "--role", "school_admin", "--url", url])
    assert no_school.exit_code == 2 and "cần mã trường" in no_school.output
    ok = runner.invoke(
        cli,
        ["user", "add", "hieutruong", "--role", "principal", "--school", "79000001",
         "--url", url, "--token"],
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    password = re.search(r"password: (\S+)", ok.output).group(1)
    token = re.search(r"token: (\S+)", ok.output).group(1)
    client = TestClient(create_app(store.get_engine(url), var_dir=tmp_path))
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me == {"username": "hieutruong", "role": "principal", "school_code": "79000001"}
    login = client.post("/api/v1/auth/token", json={"username": "hieutruong", "password": password})
    assert login.status_code == 200


def test_serve_works_on_a_demo_store(tmp_path, capsys) -> None:
    """Simulate and load as ``make demo`` does, into a store without the account tables (as one
    made without Alembic before they existed: no ``alembic_version`` either); then the pages,
    the accounts and a run work."""
    from simulate import generate
    from simulate.load import load_district

    engine = store.get_engine(f"sqlite:///{tmp_path / 'doisoat.db'}")
    store.upgrade(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE api_token")
        conn.exec_driver_sql("DROP TABLE app_user")
        conn.exec_driver_sql("DROP TABLE alembic_version")
    load_district(engine, generate(300, seed=3))
    client = TestClient(create_app(engine, var_dir=tmp_path))
    serve._demo_users(engine)
    printed = capsys.readouterr().out
    password = re.search(r"demo / (\S+)", printed).group(1)

    token = client.post(
        "/api/v1/auth/token", json={"username": "demo", "password": password}
    ).json()["token"]
    officer = {"Authorization": f"Bearer {token}"}
    started = client.post("/api/v1/runs", json={"night": "2025-03-10"}, headers=officer)
    assert started.status_code == 202
    run = client.get("/api/v1/runs", headers=officer).json()[0]
    assert (run["night"], run["status"]) == ("2025-03-10", "committed"), run
    assert client.get(f"/api/v1/runs/{run['id']}", headers=officer).json()["summary"]
    report = client.get("/api/v1/reports/2025-03-10/html", headers=officer)
    assert report.status_code == 200 and "<html" in report.text.lower()
    schools = [s["school_code"] for s in client.get("/api/v1/schools", headers=officer).json()]
    everything = client.get("/api/v1/conflicts?limit=500", headers=officer).json()
    assert everything["total"] > 0

    first = schools[0]
    own_password = re.search(rf"admin-{first} / (\S+)", printed).group(1)
    login = client.post(
        "/login", data={"username": f"admin-{first}", "password": own_password},
        follow_redirects=False,
    )  # fmt: skip
    assert login.status_code == 303
    page = client.get(f"/schools/{first}/worklist")
    mine = [c for c in everything["items"] if c["school_code"] == first]
    assert f'<b id="total">{len(mine)}</b>' in page.text
    detail = client.get(f"/conflicts/{mine[0]['conflict_id']}")
    assert detail.status_code == 200 and "So sánh từng trường thông tin" in detail.text
    others = [c for c in everything["items"] if c["school_code"] != first]
    if others:
        assert client.get(f"/conflicts/{others[0]['conflict_id']}").status_code == 404


def test_demo_users_each_get_their_own_password(tmp_path, capsys) -> None:
    """One printed password per account: knowing one school's password opens no other."""
    from doisoat.model import School

    engine = store.get_engine(f"sqlite:///{tmp_path / 'doisoat.db'}")
    store.upgrade(engine)
    codes = ["79000001", "79000002", "79000003"]
    with engine.begin() as conn:
        for code in codes:
            conn.execute(School.__table__.insert().values(
                school_code=code, name=f"THCS {code}", level="thcs", province_code="79",
                vendor="smas",
            ))  # fmt: skip
    serve._demo_users(engine)
    printed = dict(re.findall(r"^\s*(\S+) / (\S+)", capsys.readouterr().out, flags=re.M))
    assert set(printed) == {"demo", *(f"admin-{code}" for code in codes)}
    assert len(set(printed.values())) == len(printed)  # no two accounts share one
    client = TestClient(create_app(engine, var_dir=tmp_path))
    login = "/api/v1/auth/token"
    for user, password in printed.items():
        assert client.post(login, json={"username": user, "password": password}).status_code == 200
    other = printed["admin-79000002"]
    refused = client.post(login, json={"username": "admin-79000001", "password": other})
    assert refused.status_code == 401
