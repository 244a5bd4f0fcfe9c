"""Uploads (path tricks, size, XXE), formula injection, SQL injection in filters, CSRF."""

from __future__ import annotations

import io
import shutil
import zipfile

import pytest

from tests.service.api.test_api_pages import CHROMIUM, browser, server  # noqa: F401
from tests.service.api.world import SCHOOL_A, SCHOOL_B, World

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<r><hoc_sinh>&x;</hoc_sinh></r>"""


def _upload(world: World, name: str, data: bytes, school: str = SCHOOL_A, user: str = "admin_a"):
    return world.client.post(
        "/api/v1/uploads",
        params={"school": school, "filename": name},
        content=data,
        headers={**world.as_(user), "content-type": "application/octet-stream"},
    )


def _stored(world: World) -> list[str]:
    root = world.client.app.state.files.upload_dir
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_good_upload_is_stored_under_the_school(sqlite_world: World) -> None:
    response = _upload(sqlite_world, "danh sách lớp 7A1.csv", "STT,Họ tên\n1,An\n".encode())
    assert response.status_code == 201
    root = sqlite_world.client.app.state.files.upload_dir
    (path,) = (root / SCHOOL_A).iterdir()
    assert path.name.endswith("danh sách lớp 7A1.csv")
    assert path.read_bytes().startswith(b"STT")


@pytest.mark.parametrize(
    "name",
    ["../../evil.csv", "..\\..\\evil.csv", "/etc/cron.d/evil.csv", "a/../../b.csv",
     "evil\x00.csv", "evil\u202ecsv.exe", "..", "evil.exe", "report.html"],
)  # fmt: skip
def test_path_tricks_and_wrong_kinds_are_refused(sqlite_world: World, tmp_path, name) -> None:
    response = _upload(sqlite_world, name, b"1,2\n")
    assert response.status_code == 422
    assert "tệp" in response.json()["detail"].lower()
    assert _stored(sqlite_world) == []
    assert not (tmp_path / "evil.csv").exists()


def test_oversize_uploads_are_refused_and_not_kept(sqlite_world: World) -> None:
    big = b"x," * 5000  # the fixture's limit is 4096 bytes
    response = _upload(sqlite_world, "big.csv", big)
    assert response.status_code == 413
    assert "quá lớn" in response.json()["detail"]

    def chunks():  # no Content-Length: the limit holds while streaming
        for _ in range(10):
            yield b"y" * 1000

    streamed = sqlite_world.client.post(
        "/api/v1/uploads", params={"school": SCHOOL_A, "filename": "s.csv"},
        content=chunks(), headers=sqlite_world.as_("admin_a"),
    )  # fmt: skip
    assert streamed.status_code == 413
    assert _stored(sqlite_world) == []


def test_xxe_is_refused_in_xml_and_inside_xlsx(sqlite_world: World) -> None:
    response = _upload(sqlite_world, "csdl.xml", XXE)
    assert response.status_code == 422
    assert "DTD" in response.json()["detail"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", XXE)
        archive.writestr("xl/workbook.xml", b"<workbook/>")
    response = _upload(sqlite_world, "smas.xlsx", buffer.getvalue())
    assert response.status_code == 422
    assert _stored(sqlite_world) == []


def test_school_admin_uploads_only_for_own_school_and_teachers_not_at_all(
    sqlite_world: World,
) -> None:
    assert _upload(sqlite_world, "b.csv", b"1\n", school=SCHOOL_B).status_code == 403
    assert _upload(sqlite_world, "a.csv", b"1\n", user="teacher_a").status_code == 403
    assert (
        _upload(sqlite_world, "b.csv", b"1\n", school=SCHOOL_B, user="officer").status_code == 201
    )


def test_csv_export_neutralises_formulas(sqlite_world: World) -> None:
    response = sqlite_world.client.get("/api/v1/conflicts.csv", headers=sqlite_world.as_("admin_a"))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text and '"=HYPERLINK' not in text


@pytest.mark.parametrize(
    "query",
    ["school=79760101' OR '1'='1", "type=ID_SHARED' OR 1=1 --", "severity=high;DROP TABLE conflict",
     "status=new' UNION SELECT * FROM app_user --", "school=%27%3B%20DROP%20TABLE%20conflict%3B--"],
)  # fmt: skip
def test_sql_injection_in_filters_is_refused(sqlite_world: World, query) -> None:
    response = sqlite_world.client.get(
        f"/api/v1/conflicts?{query}", headers=sqlite_world.as_("admin_a")
    )
    assert response.status_code == 422
    assert "argon2" not in response.text
    after = sqlite_world.client.get("/api/v1/conflicts", headers=sqlite_world.as_("officer"))
    assert after.json()["total"] == 4


def test_injection_in_a_path_id_finds_nothing(sqlite_world: World) -> None:
    response = sqlite_world.client.get(
        "/api/v1/conflicts/x' OR '1'='1", headers=sqlite_world.as_("admin_a")
    )
    assert response.status_code == 404


def test_a_nul_character_in_an_id_finds_nothing_on_every_database(world: World) -> None:
    """PostgreSQL refuses NUL in text: the service answers 404, not an internal error."""
    for path in ("/api/v1/students/smas:1:A1%00", "/api/v1/conflicts/c-a%00"):
        response = world.client.get(path, headers=world.as_("officer"))
        assert response.status_code == 404, (path, response.text)
    response = world.client.get("/api/v1/conflicts?school=7976%000101",
                                headers=world.as_("officer"))
    assert response.status_code == 422 and "NUL" in response.json()["detail"]


def test_page_forms_need_the_csrf_token(sqlite_world: World) -> None:
    from service.api.auth import csrf_token, issue_token

    session = issue_token(sqlite_world.engine, "admin_a", kind="session", hours=1)
    client = sqlite_world.client
    client.cookies.set("doisoat_session", session)
    forged = client.post("/conflicts/c-a-mismatch/acknowledge", data={"reason": "giả mạo"})
    assert forged.status_code == 403
    real = client.post(
        "/conflicts/c-a-mismatch/acknowledge",
        data={"reason": "thật", "csrf": csrf_token(session)},
        follow_redirects=False,
    )
    assert real.status_code == 303
    page = client.get("/conflicts/c-a-mismatch")
    assert "Đã xác nhận" in page.text and "giả mạo" not in page.text


def test_verifying_something_that_is_not_a_pdf_says_so(sqlite_world: World) -> None:
    pytest.importorskip("signing")
    response = sqlite_world.client.post(
        "/api/v1/transcripts/verify", content=b"not a pdf at all",
        headers=sqlite_world.as_("teacher_a"),
    )  # fmt: skip
    assert response.status_code == 422
    assert "Không đọc được tệp PDF" in response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/audit?offset=9223372036854775808", "/api/v1/runs/9223372036854775808",
     "/api/v1/conflicts?offset=99999999999999999999", "/api/v1/students?limit=-1"],
)  # fmt: skip
def test_out_of_range_numbers_are_refused_not_crashing(sqlite_world: World, path) -> None:
    response = sqlite_world.client.get(path, headers=sqlite_world.as_("officer"))
    assert response.status_code == 422


def _session(world: World, user: str) -> str:
    """Sign ``user`` in on the world's client as the pages do; the form token."""
    from service.api.auth import csrf_token, issue_token

    session = issue_token(world.engine, user, kind="session", hours=1)
    world.client.cookies.set("doisoat_session", session)
    return csrf_token(session)


@pytest.mark.parametrize(
    "path",
    ["/audit?page=1e20", "/audit?page=100000000000000000000", "/audit?page=99999999999999999",
     f"/schools/{SCHOOL_A}/worklist?page=100000000000000000000"],
)  # fmt: skip
def test_absurd_page_numbers_answer_422_in_vietnamese(world: World, path: str) -> None:
    _session(world, "officer")
    response = world.client.get(path)
    assert response.status_code == 422, response.text
    assert "text/html" in response.headers["content-type"]
    assert "không hợp lệ" in response.text and "số trang" in response.text


LONE_SURROGATE = b'"\\ud800"'


def test_a_lone_surrogate_in_json_answers_422_in_vietnamese(world: World) -> None:
    """``"\\ud800"`` is valid JSON but no text: no database stores it. Refused up front."""
    body = b'{"left": ' + LONE_SURROGATE + b', "right": "moet:2:A1", "decision": "same", ' \
        b'"reason": "kh\\u1edbp"}'
    for raw in (body, body.replace(b"\\ud800", "\ud800".encode("utf-8", "surrogatepass"))):
        response = world.client.post(
            "/api/v1/links", content=raw,
            headers={**world.as_("officer"), "content-type": "application/json"},
        )  # fmt: skip
        assert response.status_code == 422, response.text
        assert "Unicode" in response.json()["detail"]
    fine = world.client.post(
        "/api/v1/conflicts/c-a-mismatch/acknowledge", json={"reason": "đã biết \U0001f44d"},
        headers=world.as_("officer"),
    )  # fmt: skip
    assert fine.status_code == 200, fine.text  # a real pair (an emoji) is text like any other


def test_pages_and_answers_carry_security_headers(sqlite_world: World) -> None:
    _session(sqlite_world, "admin_a")
    client = sqlite_world.client
    for path, headers in (
        ("/login", {}), ("/", {}), ("/conflicts/c-a-mismatch", {}),
        ("/api/v1/students/smas:1:A1", sqlite_world.as_("admin_a")),
        ("/api/v1/conflicts/c-b-shared", sqlite_world.as_("admin_a")),  # a 404 too
    ):  # fmt: skip
        response = client.get(path, headers=headers)
        csp = response.headers.get("content-security-policy", "")
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
        assert response.headers.get("x-frame-options") == "DENY", path
        assert response.headers.get("x-content-type-options") == "nosniff", path
        assert response.headers.get("referrer-policy") == "no-referrer", path
        assert "no-store" in response.headers.get("cache-control", ""), path


def test_the_night_report_keeps_its_inline_styles_but_runs_no_script(sqlite_world: World) -> None:
    folder = sqlite_world.client.app.state.files.reports_dir / "2025-03-10"
    folder.mkdir(parents=True)
    (folder / "report.html").write_text("<html><style>b{color:red}</style><b>Báo cáo</b></html>")
    report = sqlite_world.client.get(
        "/api/v1/reports/2025-03-10/html", headers=sqlite_world.as_("officer")
    )
    assert report.status_code == 200
    csp = report.headers["content-security-policy"]
    assert "style-src 'self' 'unsafe-inline'" in csp and "script-src 'self';" in csp
    assert "no-store" in report.headers["cache-control"]
    assert report.headers["x-content-type-options"] == "nosniff"
    style = sqlite_world.client.get("/static/style.css")
    assert style.status_code == 200 and "no-store" not in style.headers.get("cache-control", "")


def test_the_docs_page_allows_exactly_its_own_inline_script(sqlite_world: World) -> None:
    import base64
    import hashlib
    import re

    page = sqlite_world.client.get("/docs")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    scripts = re.findall(r"<script>(.*?)</script>", page.text, flags=re.S)
    assert scripts
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert page.headers["x-frame-options"] == "DENY"


def test_api_writes_with_the_session_cookie_need_the_csrf_token(sqlite_world: World) -> None:
    """A page's cookie reaches the JSON API too: a write made with it alone could be forged by
    another site, so it needs the page's form token in ``X-CSRF-Token``; a bearer token needs
    none (no browser sends it by itself)."""
    client = sqlite_world.client
    csrf = _session(sqlite_world, "admin_a")
    url = "/api/v1/conflicts/c-a-mismatch/acknowledge"
    forged = client.post(url, json={"reason": "giả mạo"})
    assert forged.status_code == 403
    assert forged.json()["detail"] == "Phiên làm việc đã hết hạn, vui lòng tải lại trang."
    wrong = client.post(url, json={"reason": "giả mạo"}, headers={"X-CSRF-Token": "x" * 64})
    assert wrong.status_code == 403
    assert client.get("/api/v1/conflicts/c-a-mismatch").json()["status"] == "new"
    assert client.get("/api/v1/me").status_code == 200  # reading needs no form token
    real = client.post(url, json={"reason": "thật"}, headers={"X-CSRF-Token": csrf})
    assert real.status_code == 200, real.text
    client.cookies.clear()
    bearer = client.post(
        "/api/v1/conflicts/c-a-mismatch/resolve", json={"reason": "đã sửa"},
        headers=sqlite_world.as_("admin_a"),
    )  # fmt: skip
    assert bearer.status_code == 200, bearer.text


@pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed")
def test_the_docs_page_works_under_its_policy_in_the_browser(
    server: str,  # noqa: F811
    browser,  # noqa: F811
) -> None:
    """Swagger UI, served from the app itself, runs with the policy on (its inline start-up
    script draws ``.swagger-ui``), and the browser reports no blocked script, style or image."""
    page = browser.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{server}/docs")
    page.wait_for_selector("#swagger-ui .swagger-ui")
    page.wait_for_load_state("networkidle")
    assert blocked == []
    # and it shows the API: the OpenAPI 3.1 document is read, its operations listed
    page.wait_for_selector(".opblock-summary-path", timeout=10_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/conflicts" in path for path in paths), paths
    assert "Unable to render this definition" not in page.content()
