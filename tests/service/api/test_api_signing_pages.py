"""The transcripts page in headless Chromium: a teacher signs with an uploaded certificate file,
a wrong passphrase is said in Vietnamese, the principal waits for the teachers, another school
is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

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
