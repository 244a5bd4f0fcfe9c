"""Ordinary concurrency, with real processes: nobody dies of someone else's write.

* A night runs (``doisoat nightly``, its own process) on a SQLite store while 20 people log in
  and acknowledge conflicts through a real server (``doisoat serve`` on loopback): the night
  commits, and every request is answered — none with a 500 or ``database is locked``.
* Two ``doisoat ingest`` of one folder at once, on a new store: both finish, and each file is
  stored once (SQLite, and PostgreSQL when ``DOISOAT_TEST_DATABASE_URL`` names a server).
* The same file uploaded six times at once through the API is stored once; the others are
  told it is a duplicate.

Nothing here asserts a timing; the loops are bounded in count and time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import text

from doisoat import store
from doisoat.store.retry import ALREADY_STORED_VI

NIGHT_1, NIGHT_2 = dt.date(2026, 6, 10), dt.date(2026, 6, 11)
CLIENTS = 20
PACE = 0.5  # seconds between a client's requests: twenty people at work, not a load test
PASSWORD = "mat-khau-dai-du-12"
_CLI = [sys.executable, "-c", "from service.cli import main; main()"]
_BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("DOISOAT_TEST_DATABASE_URL") else [])


def _district(students: int, night: dt.date, out: Path) -> Path:
    from simulate import generate
    from simulate.exports import write_district

    write_district(generate(students, seed=11, night=night), out)
    return out


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[dt.date, Path]:
    """A small simulated district's export files, as sent on two nights."""
    base = tmp_path_factory.mktemp("exports")
    return {night: _district(700, night, base / night.isoformat())
            for night in (NIGHT_1, NIGHT_2)}


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DOISOAT_DATABASE_URL"}
    env["DOISOAT_CONFIG"] = str(tmp_path / "none.toml")  # the defaults, reports under tmp
    return env


def _cli(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([*_CLI, *args], cwd=tmp_path, env=_env(tmp_path), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(process: subprocess.Popen[str], timeout: float = 240) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new store's URL as a user gives it to ``--url``: a SQLite file, or a PostgreSQL
    schema of its own."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url, schema = request.getfixturevalue("pg_schema_url")
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


def _snapshots(url: str) -> list[tuple[str, str | None, str]]:
    engine = store.get_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(  # type: ignore[misc]
                "SELECT source, school_code, content_hash FROM source_snapshot")).all()]
    finally:
        engine.dispose()


# --- two imports of one folder at once -------------------------------------------------------


@pytest.mark.parametrize("store_url", _BACKENDS, indirect=True)
def test_two_ingests_of_one_folder_at_once_store_each_file_once(store_url, exports, tmp_path):
    folder = exports[NIGHT_1]
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    args = ["ingest", str(folder), "--url", store_url, "--night", NIGHT_1.isoformat(), "--json"]
    first, second = _cli(tmp_path, *args), _cli(tmp_path, *args)
    outcomes = [_finish(first), _finish(second)]

    for code, _out, err in outcomes:
        assert code == 0, err[-3000:]
        assert "Traceback" not in err and "database is locked" not in err, err[-3000:]
    summaries = [json.loads(out) for _, out, _ in outcomes]
    stored = Counter(entry["path"] for s in summaries for entry in s["files"]
                     if entry["status"] == "loaded")
    assert sorted(stored) == sorted(map(str, files)), "a file was left out"
    assert set(stored.values()) == {1}, f"a file was stored twice: {stored}"
    others = [entry for s in summaries for entry in s["files"] if entry["status"] != "loaded"]
    assert {entry["status"] for entry in others} <= {"skipped"}, others
    snapshots = _snapshots(store_url)
    assert len(snapshots) == len(files) == len(set(snapshots))


# --- the same upload six times at once -------------------------------------------------------


@dataclass
class Server:
    base: str
    log: Path

    def errors(self) -> str:
        """What the server wrote on stderr that tells of a failure."""
        text_ = self.log.read_text(encoding="utf-8", errors="replace")
        return text_ if ("Traceback" in text_ or "database is locked" in text_) else ""


@pytest.fixture
def server(tmp_path: Path, store_url: str) -> Iterator[Server]:
    """``doisoat serve`` on loopback over a new store, with district officers."""
    from service.api import add_user

    url = store_url
    engine = store.open_store(url)
    for i in range(CLIENTS):
        add_user(engine, f"can-bo-{i:02d}", PASSWORD, role="district_officer")
    engine.dispose()
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as err:
        process = subprocess.Popen([*_CLI, "serve", "--url", url, "--port", str(port)],
                                   cwd=tmp_path, env=_env(tmp_path), stdout=err, stderr=err)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(f"{base}/docs", timeout=2)
            break
        except httpx.TransportError:
            time.sleep(0.2)
    assert process.poll() is None, log.read_text()
    yield Server(base, log)
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _login(client: httpx.Client, user: str) -> httpx.Response:
    return client.post("/api/v1/auth/token", json={"username": user, "password": PASSWORD})


@pytest.mark.parametrize("store_url", _BACKENDS, indirect=True)
def test_the_same_upload_six_times_at_once_is_stored_once(server, exports, store_url):
    smas = next(exports[NIGHT_1].rglob("SMAS_*.xlsx"))
    school = smas.parent.name
    body = smas.read_bytes()
    with httpx.Client(base_url=server.base, timeout=120) as client:
        token = _login(client, "can-bo-00").json()["token"]
    answers: list[httpx.Response] = []
    start = threading.Barrier(6)

    def upload() -> None:
        with httpx.Client(base_url=server.base, timeout=120) as client:
            start.wait()
            answers.append(client.post(
                "/api/v1/uploads", content=body,
                params={"school": school, "filename": smas.name, "ingest": "true",
                        "night": NIGHT_1.isoformat()},
                headers={"Authorization": f"Bearer {token}"}))

    threads = [threading.Thread(target=upload) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)

    assert [a.status_code for a in answers] == [201] * 6, [a.text[:300] for a in answers]
    files = [a.json()["ingest"]["files"][0] for a in answers]
    assert Counter(f["status"] for f in files) == {"loaded": 1, "skipped": 5}, files
    for told in (f for f in files if f["status"] == "skipped"):
        assert told["message_vi"] in {ALREADY_STORED_VI} | {
            "Tệp này đã được nhập trước đó (cùng nội dung); không nhập lại."}
    assert len(_snapshots(store_url)) == 1
    assert server.errors() == ""


# --- a night while twenty people log in and acknowledge --------------------------------------


@dataclass
class Client:
    user: str
    answers: Counter[int] = field(default_factory=Counter)
    acknowledged: int = 0
    failures: list[str] = field(default_factory=list)


def _work(server: Server, client: Client, ready: threading.Barrier, night_done: threading.Event
          ) -> None:
    """Log in, then acknowledge conflicts (and log in again now and then) at a person's pace
    until the night is over: at least a few rounds, at most 400."""
    with httpx.Client(base_url=server.base, timeout=180) as http:
        def said(response: httpx.Response) -> httpx.Response:
            client.answers[response.status_code] += 1
            if response.status_code >= 500:
                client.failures.append(response.text[:500])
            return response

        login = said(_login(http, client.user))
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        page = said(http.get("/api/v1/conflicts", params={"limit": 40}, headers=headers))
        ids = [item["conflict_id"] for item in page.json()["items"]]
        ready.wait()
        for round_ in range(400):
            if night_done.is_set() and round_ >= 3:
                return
            if round_ % 10 == 1:
                said(_login(http, client.user))
            else:
                cid = ids[(round_ + hash(client.user)) % len(ids)]
                answer = said(http.post(
                    f"/api/v1/conflicts/{cid}/acknowledge", headers=headers,
                    json={"reason": f"Trường đã biết, đang sửa ({client.user})"}))
                client.acknowledged += answer.status_code == 200
            night_done.wait(PACE)


def test_a_night_on_sqlite_commits_while_twenty_people_log_in_and_acknowledge(
        server, exports, tmp_path, store_url):
    url = store_url
    assert url.startswith("sqlite")
    code, _, err = _finish(_cli(tmp_path, "nightly", str(exports[NIGHT_1]), "--url", url,
                                "--night", NIGHT_1.isoformat()))
    assert code == 0, err[-3000:]

    clients = [Client(f"can-bo-{i:02d}") for i in range(CLIENTS)]
    ready, night_done = threading.Barrier(CLIENTS + 1), threading.Event()
    threads = [threading.Thread(target=_work, args=(server, c, ready, night_done))
               for c in clients]
    for thread in threads:
        thread.start()
    ready.wait(timeout=120)
    night = _cli(tmp_path, "nightly", str(exports[NIGHT_2]), "--url", url,
                 "--night", NIGHT_2.isoformat(), "--json")
    try:
        code, out, err = _finish(night)
    finally:
        night_done.set()
        for thread in threads:
            thread.join(240)

    assert code == 0, err[-3000:]
    assert "database is locked" not in err and "Traceback" not in err, err[-3000:]
    assert json.loads(out)["status"] == "committed"
    engine = store.get_engine(url)
    with engine.connect() as conn:
        runs = conn.execute(text("SELECT night, status FROM run ORDER BY id")).all()
    engine.dispose()
    assert [(str(n)[:10], s) for n, s in runs] == [
        (NIGHT_1.isoformat(), "committed"), (NIGHT_2.isoformat(), "committed")]
    for client in clients:
        assert not any(t.is_alive() for t in threads)
        assert client.failures == [], client.failures
        assert set(client.answers) <= {200, 409}, (client.user, client.answers)
        assert client.acknowledged > 0, client.user
    # a login during the night is answered like any other
    assert sum(c.answers[200] for c in clients) >= CLIENTS * 5
    assert server.errors() == ""
