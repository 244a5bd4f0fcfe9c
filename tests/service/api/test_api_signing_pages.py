"""The transcripts page in headless Chromium: a teacher signs with an uploaded certificate file,
a wrong passphrase is said in Vietnamese, the principal waits for the teachers, another school
is refused."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.service.api.test_api_pages import _login, browser, pytestmark, server  # noqa: F401
from tests.service.api.test_api_signing import NAME, PASSPHRASE, p12, school_with_transcript
from tests.service.api.world import SCHOOL_A, World


@pytest.fixture
def transcript(sqlite_world: World) -> Path:
    return school_with_transcript(sqlite_world) / NAME


def _upload(page, label: str, passphrase: str) -> None:
    form = page.locator(f"section[data-name='{NAME}'] form.sign-form")
    form.locator("input[name=pkcs12]").set_input_files(
        {"name": f"{label}.p12", "mimeType": "application/x-pkcs12", "buffer": p12(label)}
    )
    form.locator("input[name=passphrase]").fill(passphrase)
    form.locator("button[type=submit]").click()


def test_a_teacher_signs_from_the_transcripts_page(server: str, browser, transcript: Path) -> None:  # noqa: F811
    unsigned = transcript.read_bytes()
    page = browser.new_page()
    _login(page, server, "teacher_a")
    page.click("header nav a:text-is('Học bạ')")
    assert page.url.endswith(f"/schools/{SCHOOL_A}/transcripts")
    rows = page.locator(f"section[data-name='{NAME}'] table.signatures tbody tr")
    assert rows.count() == 6 and page.locator("tr.signed").count() == 0
    options = page.locator("select[name=field] option").all_inner_texts()
    assert "Giáo viên bộ môn: Toán, Ngữ văn" in options and "Hiệu trưởng" not in options

    page.select_option("select[name=field]", "GVBM_teacher1")
    _upload(page, "teacher1", "sai mật khẩu")
    assert "sai mật khẩu" in page.locator("#error").inner_text()
    assert transcript.read_bytes() == unsigned

    page.select_option("select[name=field]", "GVBM_teacher1")
    _upload(page, "teacher1", PASSPHRASE)
    assert "Đã ký ô «Giáo viên bộ môn: Toán, Ngữ văn»" in page.locator("#notice").inner_text()
    assert page.locator("tr[data-field=GVBM_teacher1]").get_attribute("class") == "signed"
    assert page.locator("tr.signed").count() == 1
    assert transcript.read_bytes() != unsigned

    principal = browser.new_page()
    _login(principal, server, "principal_a")
    principal.goto(f"{server}/schools/{SCHOOL_A}/transcripts")
    assert "Bạn không có ô nào cần ký" in principal.content()  # the teachers have not finished

    other = browser.new_page()
    _login(other, server, "teacher_b")
    other.goto(f"{server}/schools/{SCHOOL_A}/transcripts")
    assert "chỉ được xem dữ liệu của trường mình" in other.locator(".error").inner_text()
    assert NAME not in other.content()


@pytest.fixture
def school_class(sqlite_world: World):
    from tests.service.api.test_api_class_signing import _accounts, issue_class

    _accounts(sqlite_world, register=False)
    return issue_class(sqlite_world)


def _sign_class(page, label: str, passphrase: str = PASSPHRASE) -> None:
    form = page.locator("section[data-class='9A1'] form.sign-class")
    form.locator("input[name=pkcs12]").set_input_files(
        {"name": f"{label}.p12", "mimeType": "application/x-pkcs12", "buffer": p12(label)}
    )
    form.locator("input[name=passphrase]").fill(passphrase)
    form.locator("button[type=submit]").click()


class _Gate:
    """Holds the class's signing job before each of its two signatures until released, so the
    page is seen while the job runs (no sleeping, no racing the poll)."""

    def __init__(self, monkeypatch) -> None:
        from service import transcripts

        self.first, self.go = threading.Event(), threading.Event()
        self.second, self.go_on = threading.Event(), threading.Event()
        real, calls = transcripts.sign_one, []

        def gated(*args, **kwargs):
            calls.append(1)
            reached, release = (self.first, self.go) if len(calls) == 1 else (
                self.second, self.go_on)
            reached.set()
            release.wait(30)
            return real(*args, **kwargs)

        monkeypatch.setattr(transcripts, "sign_one", gated)


def test_a_teacher_registers_a_certificate_then_signs_the_whole_class(
    server: str,  # noqa: F811
    browser,  # noqa: F811
    school_class,
    monkeypatch,
) -> None:
    page = browser.new_page()
    _login(page, server, "teacher1")
    page.click("header nav a:text-is('Học bạ')")
    # students by name and class, fields by role in words, no field codes
    assert "Nguyễn Thị Ánh Tuyết" in page.content() and "Lớp 9A1" in page.content()
    assert "GVBM_teacher1" not in page.locator("main").inner_text()
    assert page.locator("#no-certificate").count() == 1
    assert page.locator("section[data-class='9A1'] .progress").get_attribute("data-done") == "0"

    _sign_class(page, "teacher1")  # not registered yet: refused, nothing signed
    assert "chưa đăng ký chứng thư số" in page.locator("#error").inner_text()
    assert all(b"/ByteRange" not in p.read_bytes() for p in school_class)

    page.click("header nav a:text-is('Chứng thư số của tôi')")
    page.locator("form.cert-form input[name=certificate]").set_input_files(
        {"name": "gv.p12", "mimeType": "application/x-pkcs12", "buffer": p12("teacher1")}
    )
    page.locator("form.cert-form input[name=passphrase]").fill(PASSPHRASE)
    page.locator("form.cert-form button[type=submit]").click()
    assert "Đã đăng ký chứng thư số" in page.locator("#notice").inner_text()
    assert page.locator("table.certificates tbody tr").count() == 1

    page.click("header nav a:text-is('Học bạ')")
    _sign_class(page, "teacher2")  # a colleague's file: refused
    assert "không phải chứng thư đã đăng ký" in page.locator("#error").inner_text()
    gate = _Gate(monkeypatch)
    _sign_class(page, "teacher1")
    # the class is signed in the background: the page follows it, then shows the results
    assert gate.first.wait(30)
    message = page.locator("#job-message")
    expect(message).to_have_text(re.compile(r"^Đang ký 1/2 — .+ \(9A1\)…$"))
    assert page.locator("section[data-class='9A1'] form").count() == 0  # no second start
    gate.go.set()  # the first signature is done; the job now waits before the second
    assert gate.second.wait(30)
    expect(message).to_have_text(re.compile(r"^Đang ký 2/2 — .+ \(9A1\)…$"))
    second = message.inner_text()
    gate.go_on.set()
    expect(message).to_have_text("Đã ký 2/2 ô của lớp 9A1.")
    results = page.locator("#job-results li")
    assert results.count() == 2
    assert results.nth(1).locator("b").inner_text() in second
    assert "đã ký: Giáo viên bộ môn: Toán, Ngữ văn" in results.nth(0).inner_text()
    progress = page.locator("section[data-class='9A1'] .progress")
    assert (progress.get_attribute("data-done"), progress.get_attribute("data-total")) == ("2", "2")
    assert page.locator("tr[data-field=GVBM_teacher1].signed").count() == 2
    assert page.locator("tr[data-field=GVBM_teacher2].signed").count() == 0


def test_the_public_verification_page_needs_no_login(server: str, browser) -> None:  # noqa: F811
    page = browser.new_page()
    page.goto(f"{server}/verify")
    assert "Xác minh học bạ" in page.locator("h1").inner_text()
    page.fill("input[name=number]", "7900000000/THCS")
    page.fill("input[name=sha256]", "0" * 64)
    page.click("form.verify-form button[type=submit]")
    assert "Không tìm thấy học bạ số 7900000000/THCS" in page.locator("#error").inner_text()
