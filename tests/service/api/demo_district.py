"""The demo district the browser walks use: simulated schools' export files through a whole night
(connectors, linkage, conflict rules, report and worklists) into a new SQLite store, one account
per school and a district officer, the app served by uvicorn on loopback, and Debian's Chromium.
"""

from __future__ import annotations

import dataclasses
import functools
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PASSWORD = "mật-khẩu-huyện-mẫu-2026"
OFFICER = "canbo"

needs_chromium = pytest.mark.skipif(
    not shutil.which(CHROMIUM), reason="Debian's chromium is not installed (system-packages.txt)"
)


@dataclass
class Demo:
    engine: Engine
    var_dir: Path
    night: object  # the simulated night (a date)
    schools: list[str]

    def admin(self, school: str) -> str:
        return f"admin-{school}"

    def scalar(self, sql: str, **params: object) -> object:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params: object) -> list:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).mappings().all()


def build_demo(folder: Path, students: int, seed: int = 1) -> Demo:
    from doisoat import store
    from service.api import add_user
    from service.config import load_settings
    from service.night.pipeline import run_nightly
    from simulate import generate, load_school_directory, write_district

    district = generate(students, seed=seed)
    exports = folder / "exports"
    write_district(district, exports)
    engine = store.open_store(f"sqlite:///{folder / 'store.db'}")
    load_school_directory(engine, district)
    var_dir = folder / "var"
    settings = dataclasses.replace(load_settings(), reports_dir=var_dir / "reports")
    outcome = run_nightly(engine, night=district.night, settings=settings, inbox=[exports])
    assert outcome.status == "committed", outcome
    schools = sorted(district.schools["school_code"].to_list())
    _with_known_password(add_user)(engine, OFFICER, role="district_officer",
                                   full_name="Nguyễn Thị Cán Bộ")  # fmt: skip
    for code in schools:
        _with_known_password(add_user)(engine, f"admin-{code}", role="school_admin",
                                       school_code=code, full_name=f"Quản trị {code}")  # fmt: skip
    return Demo(engine, var_dir, district.night, schools)


def _with_known_password(add_user):
    """``add_user`` with the test password, hashed once (argon2 is slow on purpose)."""
    from doisoat.model import UserAccount

    def add(engine: Engine, username: str, **kw) -> None:
        add_user(engine, username, "x" * 16, **kw)
        with engine.begin() as conn:
            conn.execute(
                UserAccount.__table__.update()
                .where(UserAccount.__table__.c.username == username)
                .values(password_hash=_hash())
            )

    return add


@functools.cache
def _hash() -> str:
    from service.api.auth import hash_password

    return hash_password(PASSWORD)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(demo: Demo) -> Iterator[str]:
    """The app over the demo store, on a loopback port, for as long as the block runs."""
    import uvicorn

    from service.api import create_app

    app = create_app(demo.engine, var_dir=demo.var_dir)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(400):  # wait until it listens (not a timing assertion)
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(30)


@contextmanager
def chromium(**context_kw) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(locale="vi-VN", accept_downloads=True, **context_kw)
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            browser.close()


def login(page, base: str, user: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/")
