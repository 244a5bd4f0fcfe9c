"""vnEdu writer: one legacy .xls (BIFF8, via xlwt) per school.

Roster sheets per class with title rows and a two-row merged header ("Họ và tên" over
"Họ đệm" | "Tên"); long grade sheets per class (a row per student, subject and term) with
ĐĐGtx1…, ĐĐGgk, ĐĐGck, ĐTBm and scores written with a decimal comma, as text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import xlwt

from simulate.exports.common import (
    GENDER_LABELS,
    RATING_LABELS,
    STATUS_LABELS,
    SchoolSlice,
    classes,
    ddmmyyyy,
    regular_list,
    score_text,
    subject_name,
)

ROSTER = ["STT", "Mã học sinh", "Mã định danh", None, None, "Ngày sinh", "Giới tính",
          "Dân tộc", "Nơi sinh", "Số định danh cá nhân", "Họ tên bố", "Họ tên mẹ", "Trạng thái",
          "Ngày chuyển", "Trường chuyển đến/đi"]
TERM_WORDS = {"1": "Học kỳ I", "2": "Học kỳ II", "year": "Cả năm"}
MAX_ROWS = 65_000


def write(part: SchoolSlice, folder: Path) -> Path:
    path = folder / f"vnEdu_{part.code}_{dt.date.today():%Y%m%d}.xls"
    book = xlwt.Workbook(encoding="utf-8")
    bold = xlwt.easyxf("font: bold on")
    head = xlwt.easyxf("font: bold on; borders: left thin, right thin, top thin, bottom thin; "
                       "align: horiz center")
    for class_name in classes(part.records):
        rows = part.records.filter(pl.col("class_name") == class_name)
        sheet = book.add_sheet(f"Lop {class_name}"[:31])
        r = _titles(sheet, bold, part.title_rows(f"DANH SÁCH HỌC SINH LỚP {class_name}"))
        for c, text in enumerate(ROSTER):
            if text is None:
                continue
            sheet.write_merge(r, r + 1, c, c, text, head)
        sheet.write_merge(r, r, 3, 4, "Họ và tên", head)
        sheet.write(r + 1, 3, "Họ đệm", head)
        sheet.write(r + 1, 4, "Tên", head)
        for i, rec in enumerate(rows.iter_rows(named=True), start=1):
            family_middle = " ".join(p for p in (rec["family_name"], rec["middle_name"]) if p)
            values = [i, rec["local_id"], rec["moet_code"] or "", family_middle,
                      rec["given_name"] or "", ddmmyyyy(rec["dob"]),
                      GENDER_LABELS.get(rec["gender"] or "", ""), rec["ethnicity"] or "",
                      rec["birthplace"] or "", rec["personal_id"] or "",
                      rec["father_name"] or "", rec["mother_name"] or "",
                      _status(rec), ddmmyyyy(rec["status_date"]),
                      rec["transfer_school_code"] or ""]
            for c, value in enumerate(values):
                sheet.write(r + 1 + i, c, value)
        end = r + 2 + rows.height + 1
        sheet.write(end, 0, f"Tổng số học sinh: {rows.height}")
        sheet.write(end + 2, 9, "Hiệu trưởng")
    if part.subject_results.height:
        _grades(book, bold, head, part)
    book.save(str(path))
    return path


def _status(rec: dict) -> str:
    if rec["status"] == "transferred_out":
        return "Đã chuyển trường"
    return STATUS_LABELS.get(rec["status"], "")


def _titles(sheet, style, rows: list[str]) -> int:
    sheet.write(0, 0, "vnEdu - Hệ thống quản lý giáo dục")
    for r, text in enumerate(rows, start=1):
        sheet.write(r, 0, text, style)
    return len(rows) + 2


def _grades(book, bold, head, part: SchoolSlice) -> None:
    results = part.subject_results.join(
        part.records.select("record_id", "local_id", "full_name", "class_name"), on="record_id"
    ).sort("class_name", "local_id", "term", "subject")
    width = max((len(regular_list(v)) for v in results["regular_scores"].to_list()), default=0)
    width = max(width, 1)
    header = (["STT", "Mã học sinh", "Họ và tên", "Môn học", "Học kỳ"]
              + [f"ĐĐGtx{i}" for i in range(1, width + 1)]
              + ["ĐĐGgk", "ĐĐGck", "ĐTBm", "Mức đạt"])
    for class_name in classes(results):
        block = results.filter(pl.col("class_name") == class_name)
        for part_no, start in enumerate(range(0, block.height, MAX_ROWS)):
            chunk = block.slice(start, MAX_ROWS)
            suffix = f" ({part_no + 1})" if part_no else ""
            sheet = book.add_sheet(f"Diem {class_name}{suffix}"[:31])
            r = _titles(sheet, bold, part.title_rows(f"BẢNG ĐIỂM LỚP {class_name}"))
            for c, text in enumerate(header):
                sheet.write(r, c, text, head)
            for i, rec in enumerate(chunk.iter_rows(named=True), start=1):
                regular = regular_list(rec["regular_scores"])
                values = [i, rec["local_id"], rec["full_name"] or "", subject_name(rec["subject"]),
                          TERM_WORDS[rec["term"]]]
                values += [score_text(regular[k] if k < len(regular) else None, True)
                           for k in range(width)]
                values += [score_text(rec["midterm"], True), score_text(rec["final"], True),
                           score_text(rec["average"], True),
                           RATING_LABELS.get(rec["rating"] or "", rec["rating"] or "")]
                for c, value in enumerate(values):
                    if value != "":
                        sheet.write(r + i, c, value)
