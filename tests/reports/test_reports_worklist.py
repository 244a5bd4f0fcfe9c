"""School worklists: what a school administrator opens in Excel."""

from __future__ import annotations

import datetime as dt
import json

import night_factory as factory
import openpyxl
import polars as pl

from reports import ReportInputs, build_report, worklist_items, write_report, write_worklists
from reports.catalog import TYPE_FAMILY
from reports.messages import FAMILIES, SUMMARY_SHEET, WORKLIST_COLUMNS

HEADER = 3  # 1-based row of the column headers


def _rows(sheet) -> list[tuple]:
    return [r for r in sheet.iter_rows(min_row=HEADER + 1, values_only=True) if r[0] is not None]


def test_one_workbook_per_school_with_a_sheet_per_family(night_inputs, tmp_path):
    files = write_report(night_inputs, tmp_path)
    assert sorted(p.name for p in files.worklists) == ["79001.xlsx", "79002.xlsx", "79003.xlsx"]
    opened = factory.conflicts().filter(pl.col("status") != "resolved")
    for path in files.worklists:
        book = openpyxl.load_workbook(path)
        assert book.sheetnames[0] == SUMMARY_SHEET
        for family in ("identity", "duplicates", "transfers", "grades"):
            assert FAMILIES[family] in book.sheetnames
        school = opened.filter(pl.col("school_code") == path.stem)
        seen = []
        for family, label in FAMILIES.items():
            if label not in book.sheetnames:
                continue
            sheet = book[label]
            header = [c.value for c in sheet[HEADER]]
            assert header == list(WORKLIST_COLUMNS)
            assert sheet.freeze_panes == "F4"  # headers and the student's name stay in view
            rows = _rows(sheet)
            assert sheet.auto_filter.ref == f"A{HEADER}:R{HEADER + len(rows)}"
            for row in rows:
                conflict_id = row[WORKLIST_COLUMNS.index("Mã vấn đề")]
                kind = school.filter(pl.col("conflict_id") == conflict_id)["type"].item()
                assert TYPE_FAMILY[kind] == family
                seen.append(conflict_id)
        assert sorted(seen) == sorted(school["conflict_id"].to_list())
    identity = openpyxl.load_workbook(tmp_path / "worklists" / "79001.xlsx")[FAMILIES["identity"]]
    statuses = {r[2]: r[3] for r in _rows(identity)}
    assert (
        statuses["Mã định danh thuộc học sinh khác"]
        == "✔ Đã xác nhận — đã ghi nhận bởi Cô Lan (Phòng GDĐT)"
    )


def test_students_are_listed_in_vietnamese_roster_order(tmp_path):
    names = [
        ("Đỗ", "Văn", "Đức"),
        ("Lê", "Thị", "Ánh"),
        ("Phạm", "Văn", "Anh"),
        ("Trần", "Minh", "Ơn"),
        ("Ngô", "Thị", "Oanh"),
        ("Bùi", "Hải", "An"),
        ("Vũ", "Thị", "Ân"),
        ("Lý", "Văn", "Dũng"),
    ]
    people = pl.DataFrame(
        [
            dict(
                record_id=f"smas:2:{i}",
                source="smas",
                school_code="79001",
                moet_code=None,
                family_name=f,
                middle_name=m,
                given_name=g,
                full_name=f"{f} {m} {g}",
                dob=dt.date(2012, 1, 1),
                class_name="6A",
            )
            for i, (f, m, g) in enumerate(names)
        ]
    )
    conflicts = pl.DataFrame(
        [
            dict(
                conflict_id=f"ID_MISSING-{i}",
                type="ID_MISSING",
                severity="medium",
                school_code="79001",
                record_ids=json.dumps([f"smas:2:{i}"]),
                evidence="{}",
                suggested_fix="",
                message_vi="",
                status="new",
                first_seen=factory.NIGHT,
                last_seen=factory.NIGHT,
            )
            for i in range(len(names))
        ]
    )
    inputs = ReportInputs(
        night=factory.NIGHT, conflicts=conflicts, schools=factory.SCHOOLS, people=people
    )
    items = worklist_items(inputs)
    write_worklists(tmp_path, build_report(inputs), items, factory.NIGHT)
    sheet = openpyxl.load_workbook(tmp_path / "worklists" / "79001.xlsx")[FAMILIES["identity"]]
    shown = [r[WORKLIST_COLUMNS.index("Họ và tên")] for r in _rows(sheet)]
    assert shown == [
        "Bùi Hải An",
        "Phạm Văn Anh",
        "Lê Thị Ánh",
        "Vũ Thị Ân",
        "Lý Văn Dũng",
        "Đỗ Văn Đức",
        "Ngô Thị Oanh",
        "Trần Minh Ơn",
    ]


def test_values_that_look_like_formulas_stay_text(tmp_path):
    hostile = ['=HYPERLINK("http://evil","x")', "+84901234567", "-1+1", "@SUM(A1)"]
    people = pl.DataFrame(
        [
            dict(
                record_id="smas:2:0",
                source="smas",
                school_code="79001",
                moet_code="=1+1",
                family_name="=cmd|' /C calc'!A0",
                middle_name="",
                given_name="@An",
                full_name="=cmd|' /C calc'!A0 @An",
                dob=None,
                class_name="+6A",
            )
        ]
    )
    conflicts = pl.DataFrame(
        [
            dict(
                conflict_id=f"ID_INVALID-{i}",
                type="ID_INVALID",
                severity="high",
                school_code="79001",
                record_ids='["smas:2:0"]',
                evidence=json.dumps(value),
                suggested_fix=value,
                message_vi=value,
                status="new",
                first_seen=factory.NIGHT,
                last_seen=factory.NIGHT,
            )
            for i, value in enumerate(hostile)
        ]
    )
    inputs = ReportInputs(
        night=factory.NIGHT, conflicts=conflicts, schools=factory.SCHOOLS, people=people
    )
    write_worklists(tmp_path, build_report(inputs), worklist_items(inputs), factory.NIGHT)
    sheet = openpyxl.load_workbook(tmp_path / "worklists" / "79001.xlsx")[FAMILIES["identity"]]
    column = {name: i + 1 for i, name in enumerate(WORKLIST_COLUMNS)}
    messages_seen = []
    for row in range(HEADER + 1, HEADER + 1 + len(hostile)):
        for name in ("Họ và tên", "Lớp", "Mã định danh", "Nội dung", "Bằng chứng", "Đề xuất xử lý"):
            cell = sheet.cell(row=row, column=column[name])
            assert cell.data_type == "s", (name, cell.value)
        messages_seen.append(sheet.cell(row=row, column=column["Nội dung"]).value)
        assert sheet.cell(row=row, column=column["Mã định danh"]).value == "=1+1"
        assert sheet.cell(row=row, column=column["Lớp"]).value == "+6A"
    assert sorted(messages_seen) == sorted(hostile)


def test_workbooks_written_in_parallel_are_the_same(night_inputs, tmp_path, monkeypatch):
    import reports.worklist as worklist

    items = worklist_items(night_inputs)
    report = build_report(night_inputs)
    alone = write_worklists(tmp_path / "one", report, items, factory.NIGHT, workers=1)
    monkeypatch.setattr(worklist, "PARALLEL_FROM", 1)
    shared = write_worklists(tmp_path / "two", report, items, factory.NIGHT, workers=2)
    assert [p.name for p in alone] == [p.name for p in shared]
    for a, b in zip(alone, shared, strict=True):
        book_a, book_b = openpyxl.load_workbook(a), openpyxl.load_workbook(b)
        assert book_a.sheetnames == book_b.sheetnames
        for name in book_a.sheetnames:
            values_a = list(book_a[name].iter_rows(values_only=True))
            assert values_a == list(book_b[name].iter_rows(values_only=True))
            assert len(values_a) > HEADER
