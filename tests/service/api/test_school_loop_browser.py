"""The school's loop, walked in Chromium on the demo district: a school administrator finds their
own student of a «studying at two schools» problem by name, reads the evidence in Vietnamese,
downloads the school's Excel worklist, answers two rows, uploads it back and sees the answers on
the page. And what the same administrator can open never shows another school's records."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator

import openpyxl
import pytest
from fastapi.testclient import TestClient

from doisoat.conflict_types import label_of
from reports.messages import ANSWER_HEADER, NOTE_HEADER, WORKLIST_ANSWERS, WORKLIST_COLUMNS
from tests.service.api.demo_district import (
    Demo,
    build_demo,
    chromium,
    login,
    needs_chromium,
    serve,
)

DUAL = "DUAL_ENROLLMENT"
ACKNOWLEDGE = "Đúng — giữ nguyên (ghi lý do)"
FIXED = "Đã sửa trong phần mềm"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[Demo]:
    """3 000 students: enough for three schools and students held at two of them at once."""
    built = build_demo(tmp_path_factory.mktemp("demo"), 3000)
    yield built
    built.engine.dispose()


def _dual(demo: Demo) -> dict:
    """A DUAL_ENROLLMENT problem: its school, its own student (the school's vendor record), and
    the other school's records of that student."""
    row = demo.rows(
        "SELECT conflict_id, school_code, record_ids FROM conflict WHERE type = :t "
        "ORDER BY conflict_id LIMIT 1", t=DUAL,
    )[0]  # fmt: skip
    ids = json.loads(row["record_ids"])
    records = [
        demo.rows("SELECT * FROM student_record WHERE record_id = :r", r=rid)[0] for rid in ids
    ]
    own = [r for r in records if r["school_code"] == row["school_code"] and r["source"] != "moet"]
    others = [r for r in records if r["school_code"] != row["school_code"]]
    assert own and others
    return {"id": row["conflict_id"], "school": row["school_code"], "student": own[0],
            "others": others}  # fmt: skip


def _school_name(demo: Demo, code: str) -> str:
    return str(demo.scalar("SELECT name FROM school WHERE school_code = :c", c=code))


def _drop_down(sheet) -> list[str]:
    """The answers Excel offers in the sheet's drop-down: its list's items split on commas."""
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    return lists[0].formula1.strip('"').split(",") if lists else []


def _answer_two_rows(path, dual_id: str, tmp_path) -> tuple[str, str]:
    """Answer the DUAL_ENROLLMENT row («yes, keep it», with a reason) and one other row («fixed
    in the software»), as a school would in Excel: picked from the drop-down, which offers each
    answer whole; the id of that other row."""
    book = openpyxl.load_workbook(path)
    header = 3
    answer_col = WORKLIST_COLUMNS.index(ANSWER_HEADER) + 1
    note_col = WORKLIST_COLUMNS.index(NOTE_HEADER) + 1
    id_col = WORKLIST_COLUMNS.index("Mã vấn đề") + 1
    other = None
    answered = set()
    for sheet in book.worksheets:
        if sheet.cell(header, 1).value != WORKLIST_COLUMNS[0]:
            continue
        offered = _drop_down(sheet)
        if not offered:  # a sheet with nothing to answer
            continue
        assert ACKNOWLEDGE in offered and FIXED in offered, offered
        assert set(offered) == set(WORKLIST_ANSWERS)
        for row in range(header + 1, sheet.max_row + 1):
            cid = sheet.cell(row, id_col).value
            if not isinstance(cid, str) or not cid:
                continue
            if cid == dual_id:
                sheet.cell(row, answer_col).value = ACKNOWLEDGE
                sheet.cell(row, note_col).value = "Học sinh đã chuyển đi, chờ trường kia xác nhận"
                answered.add(cid)
            elif other is None and not cid.startswith(("DUAL", "TRANSFER")):
                sheet.cell(row, answer_col).value = FIXED
                sheet.cell(row, note_col).value = "Đã sửa trong SMAS ngày 11/06"
                other = cid
                answered.add(cid)
    assert dual_id in answered and other is not None
    target = tmp_path / "da-tra-loi.xlsx"
    book.save(target)
    return str(target), other


@needs_chromium
def test_a_school_administrator_closes_the_loop(demo: Demo, tmp_path) -> None:
    dual = _dual(demo)
    school, student = dual["school"], dual["student"]
    other_school = dual["others"][0]["school_code"]
    with serve(demo) as base, chromium() as browser:
        page = browser.new_page()
        login(page, base, demo.admin(school))
        page.click("header nav >> text=Danh sách cần xử lý")
        assert page.locator("#school-name").inner_text() == (
            f"{_school_name(demo, school)} ({school})"
        )

        # finds their own student by name
        page.fill("#search", student["full_name"])
        page.click("form.filters button[type=submit]")
        row = page.locator("#worklist tbody tr", has_text=label_of(DUAL)).first
        assert student["full_name"] in row.locator("td.student").inner_text()
        assert row.locator("td").nth(3).inner_text() == student["class_name"]
        fix = row.locator("td.fix-cell").inner_text()
        assert student["full_name"] in fix and "(học sinh trường khác)" not in fix
        row.locator("td.student a").click()

        # reads the evidence in Vietnamese, their student in full, the other school by name
        assert label_of(DUAL) in page.locator("h1").inner_text()
        assert student["full_name"] in page.locator("#message").inner_text()
        comparison = page.locator("#comparison").inner_text()
        for value in (student["full_name"], student["class_name"], student["moet_code"]):
            assert value in comparison
        assert "SMAS" in comparison or "Quảng Ích" in comparison or "vnEdu" in comparison
        evidence = page.locator("#evidence").inner_text()
        named = f"{_school_name(demo, other_school)} ({other_school})"
        assert "Trường tiếp nhận" in evidence and named in evidence
        assert "Đang học" in evidence and "Chuyển đến" in evidence
        for raw in ("transferred_in", "studying", "receiving_school", "{'", "moet"):
            assert raw not in evidence, raw
        assert named in page.locator("#other-schools").inner_text()
        html = page.content()
        for record in dual["others"]:
            assert record["record_id"] not in html
            if record["local_id"] != record["moet_code"]:
                assert record["local_id"] not in html

        # downloads the school's Excel worklist from its page
        page.click("p.crumbs a")  # back to the school's list
        with page.expect_download() as download:
            page.click("#excel-link")
        path = tmp_path / "worklist.xlsx"
        download.value.save_as(path)
        answered, other_id = _answer_two_rows(path, dual["id"], tmp_path)

        # uploads it back, and sees the answers
        page.set_input_files("#answers-form input[type=file]", answered)
        page.click("#answers-form button[type=submit]")
        assert "Đã ghi nhận 2 câu trả lời" in page.locator("#answers-done").inner_text()
        page.fill("#search", student["full_name"])
        page.click("form.filters button[type=submit]")
        row = page.locator("#worklist tbody tr", has_text=label_of(DUAL)).first
        status = row.locator("td").nth(6).inner_text()
        assert "Đã xác nhận" in status
        assert "Học sinh đã chuyển đi, chờ trường kia xác nhận" in status
        assert _answer_shown(page, base, school, other_id)


def _answer_shown(page, base: str, school: str, conflict_id: str) -> bool:
    """The «fixed» answer on the row of ``conflict_id``, on whichever page of the list it is."""
    for number in range(1, 20):
        page.goto(f"{base}/schools/{school}/worklist?page={number}")
        row = page.locator("#worklist tbody tr", has=page.locator(
            f"a[href='/conflicts/{conflict_id}']"))  # fmt: skip
        if row.count():
            return f"Trường trả lời: {FIXED}: Đã sửa trong SMAS ngày 11/06" in row.inner_text()
    return False


def _markers(demo: Demo, school: str) -> set[str]:
    """What another school holds that this school must never read: its records' ids and local
    ids, and its students' names and codes, unless the same student is this school's too (a
    transfer) or the value is also one of this school's own."""
    records = demo.rows("SELECT * FROM student_record")
    mine = [r for r in records if r["school_code"] == school]
    # every value this school's own records hold (a parent may share a name with a student
    # elsewhere): reading it is reading one's own data
    own_values = {str(v) for r in mine for v in r.values() if v not in (None, "")}
    own_people = {(r["full_name"], str(r["dob"])) for r in mine}
    out: set[str] = set()
    for r in records:
        if r["school_code"] == school:
            continue
        out.add(r["record_id"])
        if (r["full_name"], str(r["dob"])) in own_people:  # the same student, transferred
            wanted = [] if r["local_id"] == r["moet_code"] else [r["local_id"]]
        else:
            wanted = [r["local_id"], r["full_name"], r["moet_code"]]
        out.update(v for v in wanted if v and v not in own_values)
    return out


def _excel_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(
        str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
        for cell in row if cell is not None
    )  # fmt: skip


def test_a_school_administrator_reads_only_their_own_students(demo: Demo) -> None:
    """Every page, list, CSV and Excel file the administrator of the school with students held
    at two schools can open: none holds another school's records or students, and their own
    students' names are there."""
    from service.api import create_app
    from service.api.auth import issue_token

    school = _dual(demo)["school"]
    client = TestClient(create_app(demo.engine, var_dir=demo.var_dir))
    client.cookies.set("doisoat_session", issue_token(demo.engine, demo.admin(school),
                                                      kind="session", hours=1))  # fmt: skip
    conflicts = demo.rows(
        "SELECT conflict_id FROM conflict WHERE school_code = :s ORDER BY conflict_id", s=school
    )
    night = demo.night.isoformat()
    opened = {
        "/": client.get("/"),
        "/runs": client.get("/runs"),
        "/conflicts": client.get("/conflicts?status="),
        "csv": client.get("/api/v1/conflicts.csv?status=open"),
        "json": client.get("/api/v1/conflicts?limit=500"),
    }
    for number in range(1, 10):
        opened[f"worklist {number}"] = client.get(
            f"/schools/{school}/worklist?status=&page={number}"
        )
    for c in conflicts:
        opened[c["conflict_id"]] = client.get(f"/conflicts/{c['conflict_id']}")
        opened["api " + c["conflict_id"]] = client.get(f"/api/v1/conflicts/{c['conflict_id']}")
    texts = {}
    for name, response in opened.items():
        assert response.status_code == 200, (name, response.status_code)
        texts[name] = response.text
    excel = client.get(f"/api/v1/worklists/{night}/{school}")
    assert excel.status_code == 200
    texts["excel"] = _excel_text(excel.content)

    markers = _markers(demo, school)
    assert markers  # the district has other schools, with students of their own
    for name, body in texts.items():
        # whole words: «Nguyễn Đức Du» of another school is not in «Nguyễn Đức Duyệt»
        leaked = sorted(m for m in markers if m in body and re.search(
            rf"(?<!\w){re.escape(m)}(?!\w)", body))  # fmt: skip
        assert not leaked, (name, leaked[:5])
    own_names = {
        r["full_name"] for r in demo.rows(
            "SELECT s.full_name FROM student_record s WHERE s.school_code = :s AND s.source <> "
            "'moet'", s=school)
    }  # fmt: skip
    on_the_lists = "".join(v for k, v in texts.items() if k.startswith("worklist"))
    shown = {n for n in own_names if n in on_the_lists}
    assert len(shown) >= len(conflicts) // 3, "the school's own students are named on its list"
    assert _dual(demo)["student"]["full_name"] in on_the_lists
