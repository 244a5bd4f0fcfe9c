"""The school's loop through the API: download the Excel worklist, answer two rows, upload it
back; each answer lands on its conflict, audited. Another school's file, or an altered row, is
refused in Vietnamese. On every backend of the ``engine`` fixture (SQLite and PostgreSQL)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import text
from world import B_MARKERS, NIGHT, SCHOOL_A, SCHOOL_B

from reports import write_night_report
from reports.messages import ANSWER_HEADER, NOTE_HEADER, WORKLIST_COLUMNS

COL = {name: i for i, name in enumerate(WORKLIST_COLUMNS)}
URL = f"/api/v1/worklists/{NIGHT.isoformat()}/{{school}}/answers"


@pytest.fixture
def night(world, tmp_path):
    with world.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO run (night, started_at, status, summary) "
                 "VALUES (:n, :s, 'committed', '{}')"),
            {"n": NIGHT, "s": NIGHT},
        )  # fmt: skip
    write_night_report(world.engine, NIGHT, tmp_path / "var" / "reports" / NIGHT.isoformat())
    return world


def _download(world, user: str, school: str) -> bytes:
    url = f"/api/v1/worklists/{NIGHT.isoformat()}/{school}"
    answer = world.client.get(url, headers=world.as_(user))
    assert answer.status_code == 200, answer.text
    return answer.content


def _answer(data: bytes, answers: dict[str, tuple[str, str]], rename: str | None = None) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=4):
            if len(row) > COL["Mã vấn đề"] and row[COL["Mã vấn đề"]].value in answers:
                cid = row[COL["Mã vấn đề"]].value
                row[COL[ANSWER_HEADER]].value, row[COL[NOTE_HEADER]].value = answers[cid]
                if rename:
                    row[COL["Họ và tên"]].value = rename
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(world, user: str, school: str, data: bytes):
    return world.client.post(
        URL.format(school=school),
        headers=world.as_(user),
        files={"file": ("danh-sach-viec.xlsx", data, "application/octet-stream")},
    )


def test_the_worklist_a_school_downloads_shows_its_student_and_nothing_of_another(night):
    data = _download(night, "admin_a", SCHOOL_A)
    book = openpyxl.load_workbook(io.BytesIO(data))
    text_ = "\n".join(
        str(v) for s in book.worksheets for r in s.iter_rows(values_only=True) for v in r if v
    )
    assert "Nguyễn Văn An" in text_  # their own student, by name
    for marker in (*B_MARKERS, "smas:1:B1"):
        assert marker not in text_


def test_answers_uploaded_back_become_audited_acknowledgements_and_notes(night):
    data = _answer(_download(night, "admin_a", SCHOOL_A), {
        "c-a-mismatch": ("Đúng — giữ nguyên (ghi lý do)", "Mã cũ theo quyết định của Sở"),
        "c-a-drift": ("Đã sửa trong phần mềm", "Đã sửa ngày sinh"),
    })  # fmt: skip
    answer = _upload(night, "admin_a", SCHOOL_A, data)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["acknowledged"], body["noted"], body["refused"]) == (1, 1, [])
    acknowledged = night.client.get("/api/v1/conflicts/c-a-mismatch", headers=night.as_("admin_a"))
    detail = acknowledged.json()
    assert detail["status"] == "acknowledged" and detail["acknowledged_by"] == "admin_a"
    assert "Mã cũ theo quyết định của Sở" in detail["acknowledged_reason"]
    noted = night.client.get("/api/v1/conflicts/c-a-drift", headers=night.as_("admin_a")).json()
    assert noted["status"] == "new"  # a note changes no status: the next night says
    (event,) = [e for e in noted["history"] if e["action"] == "conflict.noted"]
    assert event["actor"] == "admin_a" and event["reason"] == "Đã sửa ngày sinh"
    log = night.client.get("/api/v1/audit", headers=night.as_("officer")).json()
    assert any(e["action"] == "worklist.uploaded" for e in log)


def test_another_schools_file_is_refused_in_vietnamese(night):
    data = _answer(_download(night, "admin_a", SCHOOL_A), {"c-a-drift": ("Đang xử lý", "")})
    refused = _upload(night, "admin_b", SCHOOL_B, data)
    assert refused.status_code == 403
    assert "không phải của trường bạn" in refused.json()["detail"]
    assert _upload(night, "admin_b", SCHOOL_A, data).status_code == 403  # not their school
    assert _upload(night, "teacher_a", SCHOOL_A, data).status_code == 403  # not their role
    unsigned = night.client.post(URL.format(school=SCHOOL_A), files={"file": ("a.xlsx", data)})
    assert unsigned.status_code == 401


def test_an_altered_row_is_refused_and_changes_nothing(night):
    data = _answer(
        _download(night, "admin_a", SCHOOL_A),
        {"c-a-mismatch": ("Đúng — giữ nguyên (ghi lý do)", "lý do")},
        rename="Người Khác",
    )
    body = _upload(night, "admin_a", SCHOOL_A, data).json()
    assert body["acknowledged"] == 0 and body["noted"] == 0
    (refusal,) = body["refused"]
    assert refusal["conflict_id"] == "c-a-mismatch" and "đã bị sửa" in refusal["message_vi"]
    detail = night.client.get("/api/v1/conflicts/c-a-mismatch", headers=night.as_("admin_a"))
    assert detail.json()["status"] == "new"


def test_a_file_that_is_not_a_worklist_is_refused(night):
    answer = _upload(night, "admin_a", SCHOOL_A, b"PK\x03\x04 not really a workbook")
    assert answer.status_code in (400, 422)
    assert "danh sách việc" in answer.json()["detail"] or "tệp" in answer.json()["detail"].lower()


def test_the_csv_a_school_downloads_reads_in_vietnamese_with_its_own_students(night):
    import csv

    answer = night.client.get("/api/v1/conflicts.csv", headers=night.as_("admin_a"))
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    by_id = {r["Mã vấn đề"]: r for r in rows}
    mismatch = by_id["c-a-mismatch"]
    assert mismatch["Loại vấn đề"] == "Mã định danh thuộc học sinh khác"
    assert mismatch["Mức độ"] == "Nghiêm trọng" and mismatch["Tình trạng"] == "Mới"
    assert mismatch["Họ và tên"] == "Nguyễn Văn An" and mismatch["Ngày sinh"] == "01/05/2012"
    assert mismatch["Trường"] == f"THCS Lê Lợi ({SCHOOL_A})"
    assert mismatch["Phát hiện từ"] == NIGHT.strftime("%d/%m/%Y")
    assert "Mã định danh › Phần mềm: 7976010101" in mismatch["Bằng chứng"]
    for marker in (*B_MARKERS, "smas:1:B1"):
        assert marker not in answer.text
    for code in (",critical,", ",new,", "2025-03-10", "moet_code", "conflict_id"):
        assert code not in answer.text
