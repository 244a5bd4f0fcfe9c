"""The school's Excel worklist as a school administrator uses it: reads their own students (and
nothing of another school's), answers in the file, and uploads it back."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import openpyxl
import pytest

from doisoat.errors import FileFormatError, PermissionDenied
from reports import ReportInputs, read_answers, write_report
from reports.messages import (
    ANSWER_HEADER,
    GUIDE_SHEET,
    NOTE_HEADER,
    WORKLIST_ANSWERS,
    WORKLIST_COLUMNS,
)
from reports.worklist_format import answer_code

NIGHT = dt.date(2026, 6, 10)
COL = {name: i for i, name in enumerate(WORKLIST_COLUMNS)}
SCHOOLS = [
    {"school_code": "79001", "name": "THCS Nguyễn Du", "level": "thcs", "vendor": "smas"},
    {"school_code": "79002", "name": "THCS Lê Lợi", "level": "thcs", "vendor": "vnedu"},
]
# The same girl at two schools: 79001 holds her as «Trần Thị Ánh», class 6A1, code 7900000001;
# 79002 spells her «Trần Thi Anh», class 7B9, and gave her a code of its own.
PEOPLE = [
    dict(record_id="smas:2:HS01", source="smas", school_code="79001", moet_code="7900000001",
         family_name="Trần", middle_name="Thị", given_name="Ánh", full_name="Trần Thị Ánh",
         dob=dt.date(2012, 6, 18), class_name="6A1"),
    dict(record_id="vnedu:3:Q77", source="vnedu", school_code="79002", moet_code="7955555555",
         family_name="Trần", middle_name="Thi", given_name="Anh", full_name="Trần Thi Anh",
         dob=dt.date(2012, 6, 19), class_name="7B9"),
    dict(record_id="moet:1:7900000001", source="moet", school_code="79001",
         moet_code="7900000001", family_name="Trần", middle_name="Thị", given_name="Ánh",
         full_name="Trần Thị Ánh", dob=dt.date(2012, 6, 18), class_name="6A1"),
]  # fmt: skip
OTHER_SCHOOLS_DATA = ("vnedu:3:Q77", "Trần Thi Anh", "7B9", "7955555555", "19/06/2012", "Q77")


def _conflict(cid, kind, severity, school, ids, evidence, message, fix, status="new", **extra):
    return dict(
        conflict_id=cid, type=kind, severity=severity, school_code=school,
        record_ids=json.dumps(ids), evidence=json.dumps(evidence, ensure_ascii=False),
        message_vi=message, suggested_fix=fix, status=status,
        first_seen=NIGHT - dt.timedelta(days=2), last_seen=NIGHT, **extra,
    )  # fmt: skip


def _students(n: int) -> list[dict]:
    names = [("Lê", "Văn", "Đức", "6A2"), ("Phạm", "Thu", "An", "6A10"),
             ("Võ", "Thị", "Bích", "6A2"), ("Đỗ", "Minh", "An", "6A2")]  # fmt: skip
    return [
        dict(record_id=f"smas:2:S{i}", source="smas", school_code="79001",
             moet_code=f"79000100{i:02d}", family_name=f, middle_name=m, given_name=g,
             full_name=f"{f} {m} {g}",
             dob=dt.date(2012, 1, i + 1), class_name=c)
        for i, (f, m, g, c) in enumerate(names[:n])
    ]  # fmt: skip


def _inputs() -> ReportInputs:
    import polars as pl

    records = PEOPLE + _students(4)
    dual = _conflict(
        "DUAL-1", "DUAL_ENROLLMENT", "critical", "79001", ["smas:2:HS01", "vnedu:3:Q77"],
        {"schools": ["79001", "79002"], "sending_school": "79001", "receiving_school": "79002",
         "records": [{k: str(p[k]) for k in ("record_id", "school_code", "full_name", "class_name",
                                              "moet_code", "dob")} for p in PEOPLE[:2]]},
        "Học sinh Trần Thị Ánh đang có tên ở 2 trường cùng lúc: 79001, 79002 "
        "(vnedu:3:Q77, Trần Thi Anh, lớp 7B9).",
        "Trường 79001 thực hiện «Chuyển đi» cho học sinh Trần Thị Ánh (trường 79002 đã tiếp nhận).",
    )  # fmt: skip
    rows = [dual]
    # The rest sort by class (6A2 before 6A10), then severity, then the Vietnamese name order.
    for i, (kind, sev) in enumerate(
        [("ID_MISSING", "medium"), ("ID_MISMATCH", "critical"), ("DEMOGRAPHIC_DRIFT", "low"),
         ("ID_INVALID", "high")]
    ):  # fmt: skip
        rows.append(_conflict(f"C-{i}", kind, sev, "79001", [f"smas:2:S{i}"],
                              {"dob": {"vendor": "2012-03-04", "registry": "2012-04-03"}},
                              f"Vấn đề {i}", "Sửa theo CSDL ngành"))  # fmt: skip
    rows.append(
        _conflict("ACK-1", "ID_NOT_IN_REGISTRY", "high", "79001", ["smas:2:S0"], {},
                  "Mã không có trong CSDL ngành", "Kiểm tra mã", status="acknowledged",
                  acknowledged_by="co.lan", acknowledged_reason="Đã gửi Sở")  # fmt: skip
    )
    return ReportInputs(
        night=NIGHT,
        conflicts=pl.DataFrame(rows),
        schools=pl.DataFrame(SCHOOLS),
        people=pl.DataFrame(records),
    )


@pytest.fixture
def worklist(tmp_path) -> Path:
    write_report(_inputs(), tmp_path)
    return tmp_path / "worklists" / "79001.xlsx"


def _data_rows(sheet) -> list[tuple]:
    return [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0] is not None]


def _all_text(path: Path) -> str:
    book = openpyxl.load_workbook(path)
    return "\n".join(
        str(v) for name in book.sheetnames for row in book[name].iter_rows(values_only=True)
        for v in row if v is not None
    )  # fmt: skip


def test_the_school_reads_its_own_student_and_nothing_of_the_other_school(worklist):
    sheet = openpyxl.load_workbook(worklist)["Chuyển trường"]
    (row,) = _data_rows(sheet)
    assert row[COL["Họ và tên"]] == "Trần Thị Ánh"
    assert row[COL["Lớp"]] == "6A1"
    assert row[COL["Mã định danh"]] == "7900000001"
    assert row[COL["Ngày sinh"]] == dt.datetime(2012, 6, 18)
    assert row[COL["Mã hồ sơ"]] == "smas:2:HS01"
    assert row[COL["Trường liên quan"]].startswith("THCS Lê Lợi (79002)")
    assert "Phòng GDĐT" in row[COL["Trường liên quan"]]
    assert "Trần Thị Ánh" in row[COL["Đề xuất xử lý"]]
    assert "THCS Lê Lợi (79002)" in row[COL["Đề xuất xử lý"]]
    assert "THCS Nguyễn Du (79001)" in row[COL["Bằng chứng"]]
    text = _all_text(worklist)
    assert "Trần Thị Ánh" in text
    for secret in OTHER_SCHOOLS_DATA:
        assert secret not in text, secret
    # The other school's hidden data is said to be withheld, not silently dropped.
    assert "(dữ liệu của trường khác)" in row[COL["Nội dung"]]
    # Schools read by name in the message as on the pages, never as a bare code.
    message = row[COL["Nội dung"]]
    assert "THCS Nguyễn Du (79001), THCS Lê Lợi (79002)" in message
    assert not re.search(r"(?<!\()\b7900[12]\b", message), message


def test_rows_by_class_then_severity_then_vietnamese_name(worklist):
    rows = _data_rows(openpyxl.load_workbook(worklist)["Mã định danh"])
    order = [(r[COL["Lớp"]], r[COL["Mức độ"]], r[COL["Họ và tên"]]) for r in rows]
    assert order == [
        ("6A2", "Cao", "Đỗ Minh An"),  # An before Đức: by given name first
        ("6A2", "Cao", "Lê Văn Đức"),  # the acknowledged one stays, marked
        ("6A2", "Trung bình", "Lê Văn Đức"),
        ("6A2", "Thấp", "Võ Thị Bích"),
        ("6A10", "Nghiêm trọng", "Phạm Thu An"),  # 6A10 after 6A2, whatever its severity
    ]
    acknowledged = [r for r in rows if r[COL["Mã vấn đề"]] == "ACK-1"][0]
    assert acknowledged[COL["Tình trạng"]].startswith("✔ Đã xác nhận")
    assert "co.lan" in acknowledged[COL["Tình trạng"]]


def test_guide_drop_down_and_printing(worklist):
    book = openpyxl.load_workbook(worklist)
    assert GUIDE_SHEET in book.sheetnames
    guide = "\n".join(str(r[0]) for r in book[GUIDE_SHEET].iter_rows(values_only=True) if r[0])
    assert "Đúng — giữ nguyên (ghi lý do)" in guide and "tải lên" in guide.lower()
    assert book["_doisoat"].sheet_state == "veryHidden"
    sheet = book["Mã định danh"]
    header = [c.value for c in sheet[3]]
    assert header[-2:] == [ANSWER_HEADER, NOTE_HEADER]
    (validation,) = sheet.data_validations.dataValidation
    assert validation.type == "list"
    # Excel reads a list validation's quoted formula as items split on every comma: each item
    # a person sees in the drop-down must be one whole answer, and one the upload understands.
    assert validation.formula1.startswith('"') and validation.formula1.endswith('"')
    items = validation.formula1[1:-1].split(",")
    assert items == list(WORKLIST_ANSWERS)
    assert "Đúng — giữ nguyên (ghi lý do)" in items
    assert "Không đúng — đề nghị Phòng xem lại" in items
    assert all(answer_code(item) is not None for item in items)
    answer_letter = openpyxl.utils.get_column_letter(COL[ANSWER_HEADER] + 1)
    assert str(validation.sqref) == f"{answer_letter}4:{answer_letter}8"
    assert sheet.page_setup.orientation == "landscape"
    # one page wide (Excel leaves out fitToWidth's default, 1), as many pages long as it takes
    assert (sheet.page_setup.fitToWidth or 1) == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$3"


def _answer(path: Path, out: Path, answers: dict[str, tuple[str, str]], edit=None) -> Path:
    book = openpyxl.load_workbook(path)
    for name in book.sheetnames:
        sheet = book[name]
        for row in sheet.iter_rows(min_row=4):
            cid = row[COL["Mã vấn đề"]].value if len(row) > COL["Mã vấn đề"] else None
            if cid in answers:
                row[COL[ANSWER_HEADER]].value, row[COL[NOTE_HEADER]].value = answers[cid]
                if edit:
                    edit(cid, row)
    book.save(out)
    return out


def test_answers_read_back_from_the_uploaded_file(worklist, tmp_path):
    answered = _answer(worklist, tmp_path / "answered.xlsx", {
        "C-0": ("Đã sửa trong phần mềm", ""),
        "C-1": ("Đúng — giữ nguyên (ghi lý do)", "Học sinh dùng mã cũ theo xác nhận của Sở"),
        "C-2": ("", "Phụ huynh sẽ mang giấy khai sinh"),
        # the words of a worklist sent out before the drop-down lost its commas still count
        "C-3": ("Không đúng, đề nghị Phòng xem lại", "Học sinh đã chuyển đi từ tháng 3"),
        "ACK-1": ("  đúng, giữ nguyên (ghi lý do) ", "Đã gửi Sở"),
    })  # fmt: skip
    read = read_answers(answered, school_code="79001", night=NIGHT)
    got = {a.conflict_id: (a.action, a.answer, a.note) for a in read.answers}
    assert got == {
        "C-0": ("note", "fixed", ""),
        "C-1": ("acknowledge", "acknowledge", "Học sinh dùng mã cũ theo xác nhận của Sở"),
        "C-2": ("note", None, "Phụ huynh sẽ mang giấy khai sinh"),
        "C-3": ("note", "disputed", "Học sinh đã chuyển đi từ tháng 3"),
        "ACK-1": ("acknowledge", "acknowledge", "Đã gửi Sở"),
    }
    # an earlier file's words are recorded as today's drop-down says them
    words = {a.conflict_id: a.answer_label for a in read.answers}
    assert words["ACK-1"] == "Đúng — giữ nguyên (ghi lý do)"
    assert words["C-3"] == "Không đúng — đề nghị Phòng xem lại"
    assert read.refused == [] and read.rows_read == 5


def test_another_schools_or_nights_worklist_is_refused_whole(worklist):
    with pytest.raises(PermissionDenied) as other:
        read_answers(worklist, school_code="79002")
    assert "79001" in other.value.message_vi
    assert "không phải của trường bạn" in other.value.message_vi
    with pytest.raises(PermissionDenied) as night:
        read_answers(worklist, school_code="79001", night=NIGHT + dt.timedelta(days=1))
    assert "10/06/2026" in night.value.message_vi
    with pytest.raises(FileFormatError):
        read_answers(b"not a workbook", school_code="79001")


def test_altered_rows_are_refused_alone_with_the_reason(worklist, tmp_path):
    def edit(cid, row):
        if cid == "C-0":
            row[COL["Họ và tên"]].value = "Người Khác"
        if cid == "C-3":
            row[COL["Mã vấn đề"]].value = "DUAL-1"  # an answer moved onto another conflict

    answered = _answer(worklist, tmp_path / "edited.xlsx", {
        "C-0": ("Đã sửa trong phần mềm", ""),
        "C-1": ("Đúng — giữ nguyên (ghi lý do)", ""),  # no reason
        "C-2": ("Tôi tự nghĩ ra", ""),
        "C-3": ("Đang xử lý", ""),
        "ACK-1": ("Đang xử lý", "Đã gọi Sở"),
    }, edit)  # fmt: skip
    read = read_answers(answered, school_code="79001", night=NIGHT)
    assert [a.conflict_id for a in read.answers] == ["ACK-1"]
    said = {r.conflict_id: r.message_vi for r in read.refused}
    assert "đã bị sửa" in said["C-0"]
    assert "phải ghi lý do" in said["C-1"]
    assert "không có trong danh sách chọn" in said["C-2"]
    assert "mã bị sửa" in said["DUAL-1"]  # a conflict of another sheet: refused
    assert all(r.message_vi.startswith(f"Dòng {r.row}:") for r in read.refused)


def test_the_other_school_is_named_with_whom_to_reach_when_the_store_knows(tmp_path):
    inputs = _inputs()
    inputs.contacts = {"79002": ["Cô Hạnh"]}
    write_report(inputs, tmp_path)
    sheet = openpyxl.load_workbook(tmp_path / "worklists" / "79001.xlsx")["Chuyển trường"]
    (row,) = _data_rows(sheet)
    assert row[COL["Trường liên quan"]] == (
        "THCS Lê Lợi (79002)\nLiên hệ THCS Lê Lợi (79002): Cô Hạnh (quản trị trường)."
    )


def test_the_schools_csv_follows_the_same_rule_and_reads_in_vietnamese():
    import csv
    import io

    from reports import conflicts_csv

    inputs = _inputs()
    records = {r["record_id"]: r for r in inputs.people.iter_rows(named=True)}
    names = {s["school_code"]: s["name"] for s in SCHOOLS}
    text = conflicts_csv(inputs.conflicts.to_dicts(), names, records, school="79001")
    rows = {r["Mã vấn đề"]: r for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}
    dual = rows["DUAL-1"]
    assert dual["Họ và tên"] == "Trần Thị Ánh" and dual["Lớp"] == "6A1"
    assert dual["Ngày sinh"] == "18/06/2012" and dual["Mã định danh"] == "7900000001"
    assert dual["Loại vấn đề"] == "Đang học ở hai trường" and dual["Mức độ"] == "Nghiêm trọng"
    assert dual["Trường liên quan"].startswith("THCS Lê Lợi (79002). Liên hệ")
    for secret in OTHER_SCHOOLS_DATA:
        assert secret not in text, secret
    # the district's CSV (no school) keeps everything
    district = conflicts_csv(inputs.conflicts.to_dicts(), names, records)
    assert "Trần Thi Anh" in district
