"""One rule for what a school may read of another school's data, whatever it opens: the conflict's
web page, the Excel worklist and the CSV hide the same fields and show the same fields (the rule
lives once, in :mod:`reports.withhold`), and every one of them names schools «name (code)».

The world: Nguyễn Văn An studies at school A (class 7A1, code 7976010101). School B also holds
him, spelt «Nguyễn Văn Ăn», in its class 7B9, with its local number and a code of its own; and
B's Trần Thị Bích shares a code with a student of A. On every backend of ``engine``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest
from sqlalchemy import text
from sqlmodel import Session

from doisoat.model import Conflict, StudentRecord
from reports import write_night_report
from tests.service.api.test_api_worklist_page import _sign_in, _text
from tests.service.api.world import NIGHT, SCHOOL_A, SCHOOL_B, World

OWN = {"name": "Nguyễn Văn An", "code": "7976010101", "class": "7A1"}
OTHER_SCHOOL = f"THCS Nguyễn Du ({SCHOOL_B})"
# What school B holds and school A must read nowhere.
B_ONLY = ("smas:9:B-AN", "B-LOCAL-AN", "7B9", "Nguyễn Văn Ăn", "7976029999", "Trần Thị Bích",
          "7976020299", "smas:1:B1", "B-LOCAL-77")  # fmt: skip
WITHHELD = "(dữ liệu của trường khác)"


@pytest.fixture
def night(world: World, tmp_path) -> World:
    with Session(world.engine) as session:
        session.add(StudentRecord(
            record_id="smas:9:B-AN", source="smas", snapshot_id=9, school_code=SCHOOL_B,
            local_id="B-LOCAL-AN", moet_code="7976029999", full_name="Nguyễn Văn Ăn",
            family_name="Nguyễn", middle_name="Văn", given_name="Ăn", dob=dt.date(2012, 5, 1),
            gender="M", school_year="2024-2025", grade=7, class_name="7B9",
            status="transferred_in", transfer_school_code=SCHOOL_A,
        ))  # fmt: skip
        session.add(Conflict(
            conflict_id="c-a-dual", type="DUAL_ENROLLMENT", severity="critical",
            school_code=SCHOOL_A, record_ids='["smas:1:A1", "smas:9:B-AN"]',
            evidence=json.dumps({"receiving_school": SCHOOL_B, "records": [
                {"record_id": "smas:1:A1", "school_code": SCHOOL_A, "class_name": "7A1",
                 "local_id": "A1", "status": "studying", "full_name": "Nguyễn Văn An"},
                {"record_id": "smas:9:B-AN", "school_code": SCHOOL_B, "class_name": "7B9",
                 "local_id": "B-LOCAL-AN", "status": "transferred_in",
                 "full_name": "Nguyễn Văn Ăn", "moet_code": "7976029999"}]},
                ensure_ascii=False),
            message_vi=(f"Học sinh Nguyễn Văn An (lớp 7A1, trường {SCHOOL_A}) đang có tên ở 2 "
                        f"trường: {SCHOOL_A}, {SCHOOL_B} (ở trường {SCHOOL_B}: Nguyễn Văn Ăn, "
                        "lớp 7B9, mã 7976029999, hồ sơ smas:9:B-AN)."),
            suggested_fix=(f"Trường {SCHOOL_A} thực hiện «Chuyển đi» cho học sinh Nguyễn Văn An "
                           f"(trường {SCHOOL_B} đã tiếp nhận)."),
            status="new", first_seen=NIGHT, last_seen=NIGHT,
        ))  # fmt: skip
        session.add(Conflict(
            conflict_id="c-a-shared", type="ID_SHARED", severity="high", school_code=SCHOOL_A,
            record_ids='["smas:1:A1", "smas:1:B1"]',
            evidence=json.dumps({"students": ["Nguyễn Văn An", "Trần Thị Bích"],
                                 "code": "7976020299"}, ensure_ascii=False),  # fmt: skip
            message_vi="Mã 7976020299 dùng chung với Trần Thị Bích (hồ sơ smas:1:B1)",
            suggested_fix="Kiểm tra lại mã", status="new", first_seen=NIGHT, last_seen=NIGHT,
        ))  # fmt: skip
        session.commit()
    with world.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO run (night, started_at, status, summary) "
                 "VALUES (:n, :s, 'committed', '{}')"),
            {"n": NIGHT, "s": NIGHT},
        )  # fmt: skip
    write_night_report(world.engine, NIGHT, tmp_path / "var" / "reports" / NIGHT.isoformat())
    return world


def _page(world: World, conflict_id: str) -> dict[str, str]:
    page = world.client.get(f"/conflicts/{conflict_id}")
    assert page.status_code == 200
    return {k: _text(page.text, k) for k in ("message", "suggested-fix", "other-schools",
                                             "comparison", "evidence")} | {"all": page.text}


def _excel_rows(world: World) -> dict[str, dict[str, str]]:
    answer = world.client.get(f"/api/v1/worklists/{NIGHT.isoformat()}/{SCHOOL_A}",
                              headers=world.as_("admin_a"))  # fmt: skip
    assert answer.status_code == 200, answer.text
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    rows: dict[str, dict[str, str]] = {}
    for sheet in book.worksheets:
        values = list(sheet.iter_rows(values_only=True))
        if len(values) < 4 or values[2][0] != "STT":
            continue
        head = [str(h) for h in values[2]]
        for row in values[3:]:
            cells = dict(zip(head, row, strict=False))
            if cells.get("Mã vấn đề"):
                rows[str(cells["Mã vấn đề"])] = {k: "" if v is None else str(v)
                                                 for k, v in cells.items()}  # fmt: skip
    return rows


def _csv_rows(world: World) -> dict[str, dict[str, str]]:
    answer = world.client.get("/api/v1/conflicts.csv", headers=world.as_("admin_a"))
    assert answer.status_code == 200
    reader = csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff")))
    return {r["Mã vấn đề"]: r for r in reader}


def test_the_page_the_excel_file_and_the_csv_hide_and_show_the_same(night: World) -> None:
    _sign_in(night, "admin_a")
    page = _page(night, "c-a-dual")
    excel = _excel_rows(night)["c-a-dual"]
    csv_row = _csv_rows(night)["c-a-dual"]
    outputs = {
        "page": page["all"],
        "excel": "\n".join(excel.values()),
        "csv": "\n".join(csv_row.values()),
    }
    for where, words in outputs.items():
        for secret in B_ONLY:
            assert secret not in words, (where, secret)
        for shown in (OWN["name"], OWN["code"], OWN["class"], OTHER_SCHOOL):
            assert shown in words, (where, shown)
    # the same message, the same fix, read the same way in all three
    messages = {page["message"], excel["Nội dung"], csv_row["Nội dung"]}
    fixes = {page["suggested-fix"], excel["Đề xuất xử lý"], csv_row["Đề xuất xử lý"]}
    assert len(messages) == 1 and len(fixes) == 1, (messages, fixes)
    (message,) = messages
    assert WITHHELD in message and "(hồ sơ của trường khác)" in message
    assert f"trường THCS Lê Lợi ({SCHOOL_A})" in message and OTHER_SCHOOL in message
    assert OTHER_SCHOOL in page["other-schools"]
    assert OTHER_SCHOOL in excel["Trường liên quan"] and OTHER_SCHOOL in csv_row["Trường liên quan"]
    # the own student's fields, as the Excel file and the CSV put them in columns
    assert (excel["Họ và tên"], excel["Lớp"], excel["Mã định danh"]) == (
        OWN["name"], OWN["class"], OWN["code"])  # fmt: skip
    assert (csv_row["Họ và tên"], csv_row["Lớp"], csv_row["Mã định danh"]) == (
        OWN["name"], OWN["class"], OWN["code"])  # fmt: skip
    # what the page's evidence says of B's record (where the student is), the file says too
    assert "Chuyển đến" in page["evidence"] and "Chuyển đến" in excel["Bằng chứng"]


def test_another_schools_different_student_reads_the_same_everywhere(night: World) -> None:
    _sign_in(night, "admin_a")
    page = _page(night, "c-a-shared")
    excel = _excel_rows(night)["c-a-shared"]
    csv_row = _csv_rows(night)["c-a-shared"]
    api = night.client.get("/api/v1/conflicts/c-a-shared", headers=night.as_("admin_a")).json()
    said = {page["message"], excel["Nội dung"], csv_row["Nội dung"], api["message_vi"]}
    assert said == {"Mã (học sinh trường khác) dùng chung với (học sinh trường khác) "
                    "(hồ sơ (hồ sơ của trường khác))"}  # fmt: skip
    for words in (page["all"], "\n".join(excel.values()), "\n".join(csv_row.values())):
        assert "Nguyễn Văn An" in words  # the school's own student of the shared code
        for secret in B_ONLY:
            assert secret not in words, secret


def test_the_district_reads_everything_with_its_schools_named(night: World) -> None:
    answer = night.client.get("/api/v1/conflicts.csv", headers=night.as_("officer"))
    row = {r["Mã vấn đề"]: r for r in csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff")))}
    message = row["c-a-dual"]["Nội dung"]
    assert "Nguyễn Văn Ăn" in message and "smas:9:B-AN" in message  # nothing withheld
    assert f"trường THCS Lê Lợi ({SCHOOL_A})" in message and OTHER_SCHOOL in message
    assert f"trường {SCHOOL_B}" not in message
