"""The pages end to end in headless Chromium, against a real uvicorn server on loopback."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from tests.service.api.world import PASSWORD, SCHOOL_A, SCHOOL_B, World

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = pytest.mark.skipif(
    not shutil.which(CHROMIUM), reason="Debian's chromium is not installed (system-packages.txt)"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(sqlite_world: World) -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(
        sqlite_world.client.app, host="127.0.0.1", port=port, log_level="warning"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):  # wait until it listens (not a timing assertion)
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = b.new_context(locale="vi-VN")
        context.set_default_timeout(10_000)
        yield context
        b.close()


def _login(page, base: str, user: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_school_admin_works_through_the_worklist(server: str, browser) -> None:
    page = browser.new_page()
    page.goto(f"{server}/")
    assert page.url.endswith("/login")  # not signed in: sent to the login page
    _login(page, server, "admin_a", "sai mật khẩu")
    assert "không đúng" in page.locator(".error").inner_text()
    _login(page, server, "admin_a")
    assert page.locator("#who").inner_text() == "admin_a"
    assert page.locator("#open-total").inner_text() == "2"
    assert page.locator("#who-school").inner_text() == f"THCS Lê Lợi ({SCHOOL_A})"
    page.click(f"#by-school a:text-is('THCS Lê Lợi ({SCHOOL_A})')")
    assert page.locator("#school-name").inner_text() == f"THCS Lê Lợi ({SCHOOL_A})"
    assert page.locator("#total").inner_text() == "2"
    assert "Trần Thị Bích" not in page.content()
    page.select_option("select[name=severity]", "critical")
    page.click("text=Lọc")
    rows = page.locator("#worklist tbody tr")
    assert rows.count() == 1
    assert "Nguyễn Văn An" in rows.first.locator("td.student").inner_text()
    rows.first.locator("td.student a").click()
    assert "Mã định danh thuộc học sinh khác" in page.locator("h1").inner_text()
    differing = page.locator("#comparison tr.differs th").all_inner_texts()
    assert any("Mã định danh Bộ GD&ĐT" in t for t in differing)
    assert any("Ngày sinh" in t for t in differing)
    assert page.locator("#suggested-fix").inner_text().startswith("Sửa mã")
    page.fill("#ack-form textarea[name=reason]", "Đã báo nhà cung cấp SMAS")
    page.click("#ack-form button")
    assert page.locator("#status").inner_text() == "Đã xác nhận"
    assert "Đã báo nhà cung cấp SMAS" in page.locator("#history").inner_text()
    response = page.goto(f"{server}/conflicts/c-b-shared")
    assert response.status == 404
    response = page.goto(f"{server}/schools/{SCHOOL_B}/worklist")
    assert response.status == 403 and "trường mình" in page.content()
    page.goto(f"{server}/")
    page.click("text=Đăng xuất")
    page.goto(f"{server}/runs")
    assert page.url.endswith("/login")


def test_district_officer_sees_every_school_and_the_audit_trail(server: str, browser) -> None:
    admin = browser.new_page()
    _login(admin, server, "admin_b")
    admin.goto(f"{server}/conflicts/c-b-shared")
    admin.fill("#resolve-form textarea[name=reason]", "Đã cấp lại mã cho một học sinh")
    admin.click("#resolve-form button")
    assert admin.locator("#status").inner_text() == "Đã giải quyết"
    officer = browser.new_page()
    _login(officer, server, "officer")
    schools = officer.locator("#by-school tbody").inner_text()
    assert "THCS Lê Lợi" in schools and SCHOOL_B not in schools  # B has nothing open any more
    officer.click("text=Nhật ký thay đổi")
    trail = officer.locator("#audit").inner_text()
    assert "admin_b" in trail and "Đã cấp lại mã cho một học sinh" in trail
    officer.click("text=Lịch sử đối soát")
    assert officer.locator("h1").inner_text() == "Lịch sử đối soát"
