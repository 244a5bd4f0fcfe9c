"""SMAS writer: one .xlsx per school, a roster sheet per class, wide grade sheets, transfers.

See ``connectors/profiles/smas.toml`` for the layout the connector expects. Header wording
varies by school (full, upper case without diacritics, abbreviated) as it does between SMAS
versions; one school in three writes dates as real Excel dates, the others as text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import xlsxwriter

from simulate.exports.common import (
    GENDER_LABELS,
    RATING_LABELS,
    RESULT_LABELS,
    STATUS_LABELS,
    SchoolSlice,
    classes,
    ddmmyyyy,
    regular_list,
    subject_name,
)

HEADERS = [
    # full, upper case without diacritics, abbreviated
    ("STT", "STT", "STT"),
    ("Mã học sinh", "MA HOC SINH", "Mã HS"),
    ("Mã định danh Bộ GD&ĐT", "MA DINH DANH BO GD&DT", "Mã định danh"),
    ("Họ và tên", "HO VA TEN", "Họ tên"),
    ("Ngày sinh", "NGAY SINH", "NS"),
    ("Giới tính", "GIOI TINH", "GT"),
    ("Dân tộc", "DAN TOC", "DT"),
    ("Nơi sinh", "NOI SINH", "Nơi sinh"),
    ("Số định danh cá nhân", "SO DINH DANH CA NHAN", "Số CCCD"),
    ("Họ tên cha", "HO TEN CHA", "Tên cha"),
    ("Họ tên mẹ", "HO TEN ME", "Tên mẹ"),
    ("Ghi chú nội bộ", "GHI CHU NOI BO", "Ghi chú nội bộ"),  # hidden
    ("", "", ""),  # empty column
    ("Trạng thái", "TRANG THAI", "Tình trạng"),
    ("Ngày thay đổi trạng thái", "NGAY THAY DOI", "Ngày thay đổi"),
]
_PEOPLE = ["Dân tộc", "Nơi sinh", "Số định danh cá nhân", "Họ tên cha", "Họ tên mẹ"]
TRANSFER_OUT = ["STT", "Mã HS", "Mã định danh Bộ GD&ĐT", "Họ và tên", "Ngày sinh", "Giới tính",
                "Lớp", "Ngày chuyển đi", "Mã trường chuyển đến", *_PEOPLE]
TRANSFER_IN = ["STT", "Mã HS", "Mã định danh Bộ GD&ĐT", "Họ và tên", "Ngày sinh", "Giới tính",
               "Lớp", "Ngày chuyển đến", "Mã trường chuyển đi", *_PEOPLE]
TERM_TITLES = {"1": ("HK1", "HỌC KỲ I"), "2": ("HK2", "HỌC KỲ II"), "year": ("CN", "CẢ NĂM")}
TERM_COLUMNS = [("academic", "KQHT"), ("conduct", "KQRL"), ("absent_excused", "Nghỉ CP"),
                ("absent_unexcused", "Nghỉ KP"), ("promotion", "Lên lớp"),
                ("title", "Danh hiệu"), ("homeroom_comment", "Nhận xét của GVCN")]


def write(part: SchoolSlice, folder: Path) -> Path:
    path = folder / f"SMAS_{part.code}_{dt.date.today():%Y%m%d}.xlsx"
    variant = int(part.school.get("serial") or 0) % 3
    book = xlsxwriter.Workbook(str(path))
    fmt = {
        "title": book.add_format({"bold": True}),
        "head": book.add_format({"bold": True, "border": 1, "align": "center", "text_wrap": True}),
        "date": book.add_format({"num_format": "dd/mm/yyyy"}),
    }
    records = part.records
    roster = records.filter(~pl.col("status").is_in(["transferred_out", "transferred_in"]))
    for class_name in classes(roster):
        _roster_sheet(book, fmt, part, roster.filter(pl.col("class_name") == class_name),
                      class_name, variant)
    if part.subject_results.height:
        _grade_sheets(book, fmt, part)
    for status, title, headers in (
        ("transferred_out", "DANH SÁCH HỌC SINH CHUYỂN ĐI", TRANSFER_OUT),
        ("transferred_in", "DANH SÁCH HỌC SINH CHUYỂN ĐẾN", TRANSFER_IN),
    ):
        rows = records.filter(pl.col("status") == status)
        sheet = book.add_worksheet("Chuyển đi" if status == "transferred_out" else "Chuyển đến")
        r = _titles(sheet, fmt, part.title_rows(title))
        sheet.write_row(r, 0, headers, fmt["head"])
        for i, rec in enumerate(rows.iter_rows(named=True), start=1):
            sheet.write_row(r + i, 0, [
                i, rec["local_id"], rec["moet_code"] or "", rec["full_name"], ddmmyyyy(rec["dob"]),
                GENDER_LABELS.get(rec["gender"] or "", ""), rec["class_name"] or "",
                ddmmyyyy(rec["status_date"]), rec["transfer_school_code"] or "",
                rec["ethnicity"] or "", rec["birthplace"] or "", rec["personal_id"] or "",
                rec["father_name"] or "", rec["mother_name"] or "",
            ])
    book.close()
    return path


def _titles(sheet, fmt, rows: list[str]) -> int:
    for r, text in enumerate(rows):
        sheet.write_string(r, 0, text, fmt["title"])
    return len(rows) + 1


def _roster_sheet(book, fmt, part: SchoolSlice, rows: pl.DataFrame, class_name: str,
                  variant: int) -> None:
    sheet = book.add_worksheet(f"DS {class_name}"[:31])
    r = _titles(sheet, fmt, part.title_rows(f"DANH SÁCH HỌC SINH LỚP {class_name}"))
    sheet.write_row(r, 0, [h[variant] for h in HEADERS], fmt["head"])
    sheet.set_column(11, 11, None, None, {"hidden": True})
    for i, rec in enumerate(rows.iter_rows(named=True), start=1):
        row = r + i
        code = rec["moet_code"] or ""
        values = [
            i, rec["local_id"], code, rec["full_name"], None,
            GENDER_LABELS.get(rec["gender"] or "", ""), rec["ethnicity"] or "",
            rec["birthplace"] or "", rec["personal_id"] or "", rec["father_name"] or "",
            rec["mother_name"] or "", f"nội bộ {i}", "", STATUS_LABELS.get(rec["status"], ""),
            ddmmyyyy(rec["status_date"]),
        ]
        for c, value in enumerate(values):
            if c == 4:
                if variant == 0 and rec["dob"] is not None:
                    sheet.write_datetime(row, c, dt.datetime.combine(rec["dob"], dt.time()),
                                         fmt["date"])
                else:
                    sheet.write_string(row, c, ddmmyyyy(rec["dob"]))
            elif c == 2 and variant == 1 and code.isdigit() and not code.startswith("0"):
                sheet.write_number(row, c, int(code))  # Excel turned the code into a number
            elif isinstance(value, int):
                sheet.write_number(row, c, value)
            elif value:
                sheet.write_string(row, c, value)
    end = r + rows.height + 2
    sheet.write_string(end, 0, f"Tổng số: {rows.height} học sinh")
    sheet.write_string(end + 2, 1, "Người lập biểu")
    sheet.write_string(end + 2, 8, "Hiệu trưởng")


def _grade_sheets(book, fmt, part: SchoolSlice) -> None:
    results = part.subject_results.join(
        part.records.select("record_id", "local_id", "moet_code", "full_name", "class_name",
                            "status"), on="record_id")
    terms = part.term_results.join(part.records.select("record_id", "class_name"), on="record_id")
    for class_name in classes(results):
        in_class = results.filter(pl.col("class_name") == class_name)
        for term in ("1", "2", "year"):
            block = in_class.filter(pl.col("term") == term)
            if block.height:
                _grade_sheet(book, fmt, part, class_name, term, block,
                             terms.filter((pl.col("class_name") == class_name)
                                          & (pl.col("term") == term)))


def _grade_sheet(book, fmt, part, class_name, term, block: pl.DataFrame,
                 terms: pl.DataFrame) -> None:
    short, long = TERM_TITLES[term]
    sheet = book.add_worksheet(f"Điểm {class_name} {short}"[:31])
    r = _titles(sheet, fmt, part.title_rows(f"BẢNG ĐIỂM {long} LỚP {class_name}"))
    layout: list[tuple[str, list[str]]] = []
    for subject in sorted(block["subject"].unique().to_list()):
        rows = block.filter(pl.col("subject") == subject)
        comps: list[str] = []
        if rows["rating"].drop_nulls().len() and rows["average"].drop_nulls().len() == 0:
            comps = ["ĐG"]
        else:
            width = max((len(regular_list(v)) for v in rows["regular_scores"].to_list()),
                        default=0)
            comps = [f"TX{i}" for i in range(1, width + 1)]
            if rows["midterm"].drop_nulls().len():
                comps.append("GK")
            if rows["final"].drop_nulls().len():
                comps.append("CK")
            comps.append("TBm")
        layout.append((subject, comps))
    fixed = ["STT", "Mã HS", "Mã định danh Bộ GD&ĐT", "Họ và tên"]
    for c, text in enumerate(fixed):
        sheet.merge_range(r, c, r + 1, c, text, fmt["head"])
    c = len(fixed)
    for subject, comps in layout:
        if len(comps) > 1:
            sheet.merge_range(r, c, r, c + len(comps) - 1, subject_name(subject), fmt["head"])
        else:
            sheet.write_string(r, c, subject_name(subject), fmt["head"])
        c += len(comps)
    term_start = c
    # the homeroom teacher writes the comment once, for the whole year
    term_columns = [col for col in TERM_COLUMNS if term == "year" or col[0] != "homeroom_comment"]
    for i, (_, label) in enumerate(term_columns):
        sheet.merge_range(r, term_start + i, r + 1, term_start + i, label, fmt["head"])
    c = len(fixed)
    for _subject, comps in layout:
        for comp in comps:
            sheet.write_string(r + 1, c, comp, fmt["head"])
            c += 1
    by_record = {}
    for rec in block.iter_rows(named=True):
        by_record.setdefault(rec["record_id"], {})[rec["subject"]] = rec
    term_of = {t["record_id"]: t for t in terms.iter_rows(named=True)}
    students = block.select("record_id", "local_id", "moet_code", "full_name").unique(
        "record_id", keep="first").sort("local_id")
    for i, st in enumerate(students.iter_rows(named=True), start=1):
        row = r + 1 + i
        sheet.write_number(row, 0, i)
        sheet.write_string(row, 1, st["local_id"])
        if st["moet_code"]:
            sheet.write_string(row, 2, st["moet_code"])
        sheet.write_string(row, 3, st["full_name"] or "")
        c = len(fixed)
        subjects = by_record.get(st["record_id"], {})
        for subject, comps in layout:
            res = subjects.get(subject)
            regular = regular_list(res["regular_scores"]) if res else []
            for comp in comps:
                value: object = None
                if res is not None:
                    if comp.startswith("TX"):
                        k = int(comp[2:]) - 1
                        value = regular[k] if k < len(regular) else None
                    elif comp == "GK":
                        value = res["midterm"]
                    elif comp == "CK":
                        value = res["final"]
                    elif comp == "TBm":
                        value = res["average"]
                    else:
                        value = RATING_LABELS.get(res["rating"] or "", res["rating"])
                if isinstance(value, float):
                    sheet.write_number(row, c, value)
                elif value:
                    sheet.write_string(row, c, str(value))
                c += 1
        t = term_of.get(st["record_id"])
        if t:
            for k, (name, _) in enumerate(term_columns):
                value = t.get(name)
                if name in {"academic", "conduct"}:
                    value = RESULT_LABELS.get(value or "", value)
                if value is not None and value != "":
                    if isinstance(value, int | float):
                        sheet.write_number(row, term_start + k, value)
                    else:
                        sheet.write_string(row, term_start + k, str(value))
