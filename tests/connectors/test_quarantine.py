"""Bad rows are quarantined with their reason and provenance; rows read = accepted + quarantined."""

from __future__ import annotations

import json

import xlsxwriter
from conftest import NIGHT

from connectors import ingest_paths, read_export
from doisoat import store


def _smas_workbook(path):
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("DS 7A2")
    rows = [
        ["SỞ GIÁO DỤC VÀ ĐÀO TẠO THÀNH PHỐ HỒ CHÍ MINH"],
        ["Mã trường: 79000042"],
        ["DANH SÁCH HỌC SINH LỚP 7A2"],
        ["Năm học 2025-2026"],
        [],
        ["STT", "MÃ HS", "Mã\u00a0định danh Bộ GD&ĐT", "HO VA TEN", "NS", "GT", "Trạng thái"],
        [1, "SM1", "7901234567", "Nguyễn Văn An", "01/02/2013", "Nam", "Đang học"],
        [2, "", "7901234568", "Trần Thị Bình", "03/04/2013", "Nữ", "Đang học"],
        [3, "SM3", "7901234569", "", "05/06/2013", "Nam", "Đang học"],
        [4, "SM1", "7901234570", "Lê Văn Cường", "07/08/2013", "Nam", "Đang học"],
        [5, "SM5", 7901234571, "Phạm Thị Dung", "09/10/2013", "Nữ", "Nghỉ phép dài"],
        [6, "SM6", "", "Hoàng Văn Em", "31/02/2013", "Nam", "Thôi học"],
        [],
        ["Tổng số: 6 học sinh"],
        ["", "Người lập biểu", "", "", "Hiệu trưởng"],
    ]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()


def test_bad_rows_are_quarantined_with_reason_and_place(tmp_path):
    path = tmp_path / "SMAS_79000042.xlsx"
    _smas_workbook(path)
    read = read_export(path, night=NIGHT)
    assert read.source == "smas"
    assert read.rows_read == 6
    assert read.rows_accepted + read.rows_quarantined == read.rows_read
    reasons = {q.src_row: q for q in read.quarantined}
    assert sorted(reasons) == [8, 9, 10, 11]
    assert reasons[8].reason == "row_no_local_id" and "MÃ HS" in reasons[8].reason_vi
    assert reasons[9].reason == "row_no_name"
    assert reasons[10].reason == "row_duplicate_local_id" and "dòng 7" in reasons[10].reason_vi
    assert reasons[11].reason == "row_bad_status" and "Nghỉ phép dài" in reasons[11].reason_vi
    assert all(q.src_sheet == "DS 7A2" and q.src_file == path.name for q in reasons.values())
    assert json.loads(reasons[9].raw)["MÃ HS"] == "SM3"
    accepted = read.students.sort("local_id")
    assert accepted["local_id"].to_list() == ["SM1", "SM6"]
    # an impossible date is kept as given, not guessed, and the record is not lost
    em = accepted.row(1, named=True)
    assert em["dob"] is None and em["dob_raw"] == "31/02/2013" and em["status"] == "dropped_out"
    assert accepted["school_code"].to_list() == ["79000042", "79000042"]


def test_bad_grade_rows_are_quarantined(tmp_path, engine):
    folder = tmp_path / "79000043"
    folder.mkdir()
    (folder / "hocsinh_79000043.csv").write_text(
        "Mã số;Họ tên học sinh;Ngày sinh;Phái;Lớp\n"
        "VS1;Nguyễn Văn An;01/02/2013;Nam;7A1\n", encoding="utf-8-sig")
    (folder / "diem_79000043.csv").write_text(
        "Mã số;Môn;HK;Điểm TX;Điểm GK;Điểm CK;TBM\n"
        "VS1;Toán;1;8;7,5;9;8,3\n"
        "VS1;Ngữ văn;1;8;11;9;8\n"
        "VS1;Múa rối;1;8;7;9;8\n"
        "VS9;Toán;1;8;7;9;8\n", encoding="utf-8-sig")
    summary = ingest_paths([folder], engine=engine, night=NIGHT)
    grades = next(f for f in summary.files if "diem" in f.path)
    assert (grades.rows_read, grades.rows_accepted, grades.rows_quarantined) == (4, 1, 3)
    assert summary.rows_read == summary.rows_accepted + summary.rows_quarantined == 5
    stored = store.read_table(engine, "quarantined_row").sort("src_row")
    assert stored["reason"].to_list() == ["row_bad_score", "row_unknown_subject",
                                          "row_unknown_student"]
    assert "11" in stored["reason_vi"][0] and "Múa rối" in stored["reason_vi"][1]
    subjects = store.read_table(engine, "subject_result")
    assert subjects.height == 1 and subjects["average"][0] == 8.3
    assert json.loads(subjects["regular_scores"][0]) == [8.0]


def test_each_bad_grade_cell_is_named_for_its_field(tmp_path):
    """A bad term, a bad absence count and a bad score each say which field is wrong: the school
    must not read «Điểm … (cần số từ 0 đến 10)» for a term or an absence count."""
    path = tmp_path / "QuangIch_79000044.xml"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>'
        '<QuangIch><Truong MaTruong="79000044" NamHoc="2025-2026"><HocSinh>'
        "<MaHS>QI1</MaHS><HoTen>Nguyễn Văn An</HoTen><NgaySinh>01/02/2013</NgaySinh>"
        "<MaDinhDanh>7901234567</MaDinhDanh>"
        '<Diem Mon="Toán" HocKy="1" TX="8" GK="7" CK="9" TBM="8,2"/>'
        '<Diem Mon="Ngữ văn" HocKy="HK3" TX="8" GK="7" CK="9" TBM="8"/>'
        '<Diem Mon="Tiếng Anh" HocKy="1" TX="8" GK="12" CK="9" TBM="8"/>'
        '<KetQua HocKy="1" HocLuc="T" HanhKiem="T" NghiCP="hai" NghiKP="0"/>'
        "</HocSinh></Truong></QuangIch>", encoding="utf-8")
    read = read_export(path, night=NIGHT)
    assert read.source == "quangich"
    assert read.rows_accepted + read.rows_quarantined == read.rows_read
    by_column = {q.column: q for q in read.quarantined}
    assert sorted(by_column) == ["GK", "HocKy", "NghiCP"]
    term, absent, score = by_column["HocKy"], by_column["NghiCP"], by_column["GK"]
    assert term.reason == "row_bad_term"
    assert term.reason_vi.startswith("Học kỳ «HK3»") and "HocKy" in term.reason_vi
    assert "1, 2 hoặc cả năm" in term.reason_vi
    assert absent.reason == "row_bad_absence"
    assert absent.reason_vi.startswith("Số buổi nghỉ «hai»") and "NghiCP" in absent.reason_vi
    assert "số nguyên không âm" in absent.reason_vi
    assert score.reason == "row_bad_score"
    assert score.reason_vi.startswith("Điểm «12»") and "GK" in score.reason_vi
    assert not any("Điểm" in q.reason_vi for q in (term, absent))


def test_a_grade_level_that_is_not_a_whole_number_from_1_to_12_is_quarantined(tmp_path):
    """The «Khối» column once kept the leading digits of its cell: «1e9» became khối 1 and «6.5»
    khối 6, silently. Each is a typing error to show the school, naming the column."""
    path = tmp_path / "hocsinh_79000045.csv"
    path.write_text(
        "Mã số;Họ tên học sinh;Ngày sinh;Phái;Lớp;Khối\n"
        "VS1;Nguyễn Văn An;01/02/2013;Nam;7A1;1e9\n"
        "VS2;Trần Thị Bình;03/04/2013;Nữ;7A1;6.5\n"
        "VS3;Lê Văn Cường;05/06/2013;Nam;7A1;7\n"
        "VS4;Phạm Thị Dung;07/08/2013;Nữ;12.6;\n", encoding="utf-8-sig")
    read = read_export(path, night=NIGHT)
    assert read.rows_accepted + read.rows_quarantined == read.rows_read == 4
    bad = {q.src_row: q for q in read.quarantined}
    assert sorted(bad) == [2, 3]
    for row, value in ((2, "1e9"), (3, "6.5")):
        assert bad[row].reason == "row_bad_grade" and bad[row].column == "Khối"
        assert f"«{value}»" in bad[row].reason_vi and "Khối" in bad[row].reason_vi
        assert "số nguyên từ 1 đến 12" in bad[row].reason_vi
    accepted = read.students.sort("local_id")
    assert accepted["local_id"].to_list() == ["VS3", "VS4"]
    assert accepted["grade"].to_list() == [7, 12]  # a class name «12.6» still gives khối 12
