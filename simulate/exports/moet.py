"""Sector-database (CSDL ngành) writer: the student list a school downloads, one per school.

.xlsx (one school in four gets the older .xls download), one sheet per class, three title
rows and a blank row, the header on row 5 with non-breaking spaces as observed, footer rows.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import xlsxwriter
import xlwt

from simulate.exports.common import GENDER_LABELS, STATUS_LABELS, SchoolSlice, classes, ddmmyyyy

HEADER = ["STT", "Mã định danh Bộ GD&ĐT", "Họ tên", "Ngày sinh", "Giới tính", "Dân tộc",
          "Trạng thái", "SĐT liên hệ", "Nơi sinh chi tiết", "Tổ/thôn Hộ khẩu thường trú",
          "Tỉnh thành quê quán", "Tên cha", "Nghề nghiệp cha", "Tên mẹ", "Nghề nghiệp mẹ",
          "Lớp học", "Khối học", "Số định danh cá nhân", "Ngày chuyển", "Trường chuyển đến/đi"]


def _rows(part: SchoolSlice, class_name: str) -> tuple[list[str], list[list[object]]]:
    rows = part.registry.filter(pl.col("class_name") == class_name)
    title = [f"SỞ GIÁO DỤC VÀ ĐÀO TẠO {part.school.get('province_code', '')}",
             f"Mã trường: {part.code}", f"DANH SÁCH HỌC SINH LỚP {class_name}"]
    data = []
    for i, rec in enumerate(rows.iter_rows(named=True), start=1):
        data.append([i, rec["moet_code"] or "", rec["full_name"], ddmmyyyy(rec["dob"]),
                     GENDER_LABELS.get(rec["gender"] or "", ""), rec["ethnicity"] or "",
                     STATUS_LABELS.get(rec["status"], ""), "", rec["birthplace"] or "", "", "",
                     rec["father_name"] or "", "", rec["mother_name"] or "", "",
                     rec["class_name"] or "", str(rec["grade"] or ""), rec["personal_id"] or "",
                     ddmmyyyy(rec["status_date"]), rec["transfer_school_code"] or ""])
    return title, data


def write(part: SchoolSlice, folder: Path) -> Path | None:
    if part.registry.height == 0:
        return None
    legacy = int(part.school.get("serial") or 0) % 4 == 3
    path = folder / f"CSDL_{part.code}.{'xls' if legacy else 'xlsx'}"
    header = [h.replace(" ", "\xa0", 1) for h in HEADER]
    if legacy:
        book = xlwt.Workbook(encoding="utf-8")
        for class_name in classes(part.registry):
            sheet = book.add_sheet(class_name[:31])
            title, data = _rows(part, class_name)
            for r, text in enumerate(title):
                sheet.write(r, 0, text)
            for c, text in enumerate(header):
                sheet.write(4, c, text)
            for r, row in enumerate(data, start=5):
                for c, value in enumerate(row):
                    sheet.write(r, c, value)
            sheet.write(len(data) + 7, 2, "Người lập biểu")
        book.save(str(path))
        return path
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    for class_name in classes(part.registry):
        sheet = book.add_worksheet(class_name[:31])
        title, data = _rows(part, class_name)
        for r, text in enumerate(title):
            sheet.write_string(r, 0, text)
        sheet.write_row(4, 0, header)
        for r, row in enumerate(data, start=5):
            for c, value in enumerate(row):
                if isinstance(value, int):
                    sheet.write_number(r, c, value)
                elif value:
                    sheet.write_string(r, c, value)
        sheet.write_string(len(data) + 7, 2, "Người lập biểu")
        sheet.write_string(len(data) + 7, 12, "Hiệu trưởng")
    book.close()
    return path
