"""Files that must be refused safely, each with a clear Vietnamese message naming the file."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import NIGHT

from connectors import ingest_paths, read_export
from connectors.tabular.readers import read_workbook
from connectors.tabular.safety import check_workbook_size
from doisoat import store
from doisoat.errors import FileFormatError

ROSTER_CSV = (
    "DANH SÁCH HỌC SINH\n\nMã số,Họ tên học sinh,Ngày sinh,Phái,Lớp\n"
    "VS1,Nguyễn Văn An,01/02/2013,Nam,7A1\nVS2,Trần Thị Bình,03/04/2013,Nữ,7A1\n"
)


def _refused(path: Path) -> FileFormatError:
    with pytest.raises(FileFormatError) as caught:
        read_export(path, night=NIGHT)
    error = caught.value
    assert path.name in error.message_vi or repr(path.name) in error.message_vi
    return error


def test_empty_file(tmp_path):
    path = tmp_path / "hocsinh.xlsx"
    path.write_bytes(b"")
    assert "0 byte" in _refused(path).message_vi


def test_truncated_workbook(tmp_path, exported):
    original = next(exported.rglob("SMAS_*.xlsx")).read_bytes()
    path = tmp_path / "SMAS_cut.xlsx"
    path.write_bytes(original[: len(original) // 2])
    assert "hỏng" in _refused(path).message_vi


def test_password_protected_workbook(tmp_path):
    # An encrypted OOXML file is an OLE2 compound file holding an 'EncryptedPackage' stream.
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = "EncryptedInfo".encode("utf-16-le") + b"\x00" * 50
    directory += "EncryptedPackage".encode("utf-16-le") + b"\x00" * 400
    path = tmp_path / "diem_lop6.xlsx"
    path.write_bytes(header + directory + b"\x00" * 2048)
    assert "mật khẩu" in _refused(path).message_vi


def test_zip_bomb(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    assert path.stat().st_size < 1024 * 1024
    assert "giải nén quá lớn" in _refused(path).message_vi


def test_xml_external_entity(tmp_path):
    path = tmp_path / "QuangIch_xxe.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        "<QuangIch><Truong><HocSinh><MaHS>&xxe;</MaHS><HoTen>A</HoTen></HocSinh>"
        "</Truong></QuangIch>", encoding="utf-8")
    assert "không an toàn" in _refused(path).message_vi


def test_xml_billion_laughs(tmp_path):
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{"&lol%s;" % ("" if i == 1 else i - 1) * 10}">' for i in range(1, 10))
    path = tmp_path / "QuangIch_lol.xml"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE r [{entities}]>'
                    "<QuangIch><HocSinh><MaHS>&lol9;</MaHS></HocSinh></QuangIch>")
    assert "không an toàn" in _refused(path).message_vi


def test_csv_with_binary_payload(tmp_path):
    path = tmp_path / "hocsinh_x.csv"
    path.write_bytes(ROSTER_CSV.encode("utf-8") + bytes(range(256)) * 4)
    assert "nhị phân" in _refused(path).message_vi


@pytest.mark.parametrize("name", ["hocsinh\u202excs.xlsx", "hoc\nsinh.csv"])
def test_file_name_tricks(tmp_path, name):
    path = tmp_path / name
    path.write_text(ROSTER_CSV, encoding="utf-8")
    assert "Tên tệp không hợp lệ" in _refused(path).message_vi


def test_parent_directory_in_path(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "hocsinh_ok.csv").write_text(ROSTER_CSV, encoding="utf-8")
    with pytest.raises(FileFormatError) as caught:
        read_export(tmp_path / "a" / ".." / "hocsinh_ok.csv", night=NIGHT)
    assert "«..»" in caught.value.message_vi


@pytest.mark.parametrize("typed", ["../exports", "../exports/79000009/hocsinh_79000009.csv",
                                   "./../exports/79000009"])
def test_a_relative_path_typed_on_the_command_line_is_not_a_path_trick(tmp_path, engine,
                                                                         monkeypatch, typed):
    """``doisoat ingest ../exports`` names a folder the way a person types it; «..» is a trick
    only inside a file's own name (an archive member, an upload), and is still refused there."""
    folder = tmp_path / "exports" / "79000009"
    folder.mkdir(parents=True)
    (folder / "hocsinh_79000009.csv").write_text(ROSTER_CSV, encoding="utf-8")
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    summary = ingest_paths([typed], engine=engine, night=NIGHT)
    assert [(Path(f.path).name, f.status) for f in summary.files] == [
        ("hocsinh_79000009.csv", "loaded")]
    assert "Tên tệp không hợp lệ" not in (summary.files[0].message_vi or "")
    assert store.read_table(engine, "student_record").height == 2


def test_header_not_found_names_what_was_expected(tmp_path):
    path = tmp_path / "hocsinh_79000009.csv"
    path.write_text("DANH SÁCH\nCột A,Cột B\n1,2\n", encoding="utf-8")
    error = _refused(path)
    assert "tiêu đề" in error.message_vi and "«Mã số»" in error.message_vi


def test_bad_files_are_refused_and_good_ones_still_load(tmp_path, engine):
    folder = tmp_path / "79000009"
    folder.mkdir()
    (folder / "hocsinh_79000009.csv").write_text(ROSTER_CSV, encoding="utf-8")
    (folder / "rong.xlsx").write_bytes(b"")
    (folder / "hong.csv").write_bytes(b"\x00\x01\x02binary")
    summary = ingest_paths([tmp_path], engine=engine, night=NIGHT)
    assert [f.status for f in summary.files].count("loaded") == 1
    refused = {Path(f.path).name: f.message_vi for f in summary.refused}
    assert set(refused) == {"rong.xlsx", "hong.csv"}
    assert all("rong.xlsx" in m or "hong.csv" in m for m in refused.values())
    assert store.read_table(engine, "student_record").height == 2
    assert "2 tệp bị từ chối" in summary.message_vi()


# --- workbooks whose sheets would not fit in memory ------------------------------------------
#
# Each is a few kilobytes; read as it is, each makes the Excel reader ask for gigabytes to
# hundreds of gigabytes and the process is killed (exit 134), taking a web server or a nightly
# batch with it. Each must be refused, named, before the reader sees it.

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def hostile_workbook(path: Path, sheets: list[tuple[str, str]], shared: str | None = None
                     ) -> Path:
    """A minimal xlsx: ``sheets`` are (name, the XML inside <worksheet>)."""
    kinds = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1))
    rels = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" '
                   f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
    if shared is not None:
        rels += f'<Relationship Id="rIdS" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    names = "".join(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
                    for i, (name, _) in enumerate(sheets, 1))
    package = "http://schemas.openxmlformats.org/package/2006"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", f'<Types xmlns="{package}/content-types">'
                         '<Default Extension="xml" ContentType="application/xml"/>'
                         '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
                         'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                         f"{kinds}</Types>")
        archive.writestr("_rels/.rels", f'<Relationships xmlns="{package}/relationships">'
                         f'<Relationship Id="rId1" Type="{_REL}/officeDocument" '
                         'Target="xl/workbook.xml"/></Relationships>')
        archive.writestr("xl/_rels/workbook.xml.rels",
                         f'<Relationships xmlns="{package}/relationships">{rels}</Relationships>')
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
                         f"<sheets>{names}</sheets></workbook>")
        for i, (_, body) in enumerate(sheets, 1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml",
                             f'<worksheet xmlns="{_MAIN}">{body}</worksheet>')
        if shared is not None:
            archive.writestr("xl/sharedStrings.xml", shared)
    assert path.stat().st_size < 16 * 1024
    return path


def sheet_xml(dimension: str | None, cells: list[str]) -> str:
    """A sheet with a text cell at each of ``cells`` (A1 references)."""
    rows: dict[int, list[str]] = {}
    for ref in cells:
        rows.setdefault(int(re.sub("[A-Z]", "", ref)), []).append(ref)
    body = "".join(
        f'<row r="{number}">' + "".join(
            f'<c r="{ref}" t="inlineStr"><is><t>Mã số</t></is></c>' for ref in refs) + "</row>"
        for number, refs in sorted(rows.items()))
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f"{declared}<sheetData>{body}</sheetData>"


def _sparse_bomb(path: Path) -> Path:
    return hostile_workbook(path, [("Danh sách", sheet_xml("A1:XFD1048576",
                                                           ["A1", "XFD1048576"]))])


HOSTILE = {
    "sparse_bomb": (_sparse_bomb, "Danh sách", "quá lớn"),
    "lying_dimension": (lambda path: hostile_workbook(
        path, [("Lớp 6A1", sheet_xml("A1:A1", ["A1", "XFD30000"]))]), "Lớp 6A1", "quá lớn"),
    "no_dimension_far_cell": (lambda path: hostile_workbook(
        path, [("Lớp 7A1", sheet_xml(None, ["A1", "AZ1000000"]))]), "Lớp 7A1", "quá lớn"),
    "many_big_sheets": (lambda path: hostile_workbook(
        path, [(f"Lớp {i}", sheet_xml("A1:BH300000", ["A1", "BH300000"]))
               for i in range(40)]), "Lớp 2", "cả tệp"),
    "cells_without_references": (lambda path: hostile_workbook(
        path, [("Điểm", "<sheetData>" + "".join(
            f'<row r="{r}">' + "<c><v>1</v></c>" * 3000 + "</row>" for r in (1, 2))
            + '<row r="40000"><c r="A40000"><v>1</v></c></row></sheetData>')]),
        "Điểm", "quá lớn"),
    "huge_shared_strings_count": (lambda path: hostile_workbook(
        path, [("Danh sách", sheet_xml("A1:A1", ["A1"]))],
        shared=f'<sst xmlns="{_MAIN}" count="2000000000" uniqueCount="2000000000">'
               "<si><t>a</t></si></sst>"), None, "chuỗi văn bản"),
}

# The child's own peak: VmHWM belongs to its address space, made anew by exec (getrusage's
# ru_maxrss is not: Linux carries the forking parent's peak across exec, here pytest's).
_READ_IN_A_CHILD = """
import re, sys
from pathlib import Path
from connectors import read_export
from doisoat.errors import FileFormatError
try:
    read_export(Path(sys.argv[1]))
except FileFormatError as exc:
    print(exc.message_vi)
status = Path("/proc/self/status").read_text()
print(int(re.search(r"VmHWM:\\s+(\\d+) kB", status)[1]) // 1024)
"""


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_workbook_too_big_to_hold_is_refused_in_bounded_memory(tmp_path, kind):
    build, sheet, words = HOSTILE[kind]
    path = build(tmp_path / f"{kind}.xlsx")
    error = _refused(path)
    assert words in error.message_vi and "từ chối" in error.message_vi
    if sheet:
        assert f"trang tính «{sheet}»" in error.message_vi
    # Read again in a process of its own: it must live, and stay small.
    child = subprocess.run([sys.executable, "-c", _READ_IN_A_CHILD, str(path)],
                           capture_output=True, text=True, timeout=120,
                           cwd=Path(__file__).resolve().parents[2])
    assert child.returncode == 0, child.stderr[-2000:]
    message, peak_mib = child.stdout.strip().rsplit("\n", 1)
    assert message == error.message_vi
    assert int(peak_mib) < 500


def test_a_formatted_range_declared_whole_is_not_a_bomb(tmp_path):
    """Excel declares the range a user once formatted (whole columns: A1:Z1048576) while the
    sheet names a few hundred cells: the reader fills only those, so the file is read."""
    cells = [f"{column}{row}" for row in range(1, 301) for column in "AB"]
    path = hostile_workbook(tmp_path / "formatted.xlsx",
                            [("Lớp 6A1", sheet_xml("A1:Z1048576", cells))])
    check_workbook_size(path)  # no refusal
    (sheet,) = read_workbook(path)
    assert len(sheet.rows) == 300


def test_a_sheet_bomb_in_a_folder_is_refused_and_the_rest_loads(tmp_path, engine):
    folder = tmp_path / "79000009"
    folder.mkdir()
    (folder / "hocsinh_79000009.csv").write_text(ROSTER_CSV, encoding="utf-8")
    _sparse_bomb(folder / "DanhSach_79000009.xlsx")
    summary = ingest_paths([tmp_path], engine=engine, night=NIGHT)
    assert sorted(f.status for f in summary.files) == ["loaded", "refused"]
    assert "DanhSach_79000009.xlsx" in summary.refused[0].message_vi
    assert "quá lớn" in summary.refused[0].message_vi
    assert store.read_table(engine, "student_record").height == 2
    assert summary.rows_read == summary.rows_accepted + summary.rows_quarantined == 2


# --- legacy workbooks (BIFF .xls) -------------------------------------------------------------
#
# The reader sets aside room for the rectangle a sheet's DIMENSIONS record declares: a 5 KB
# .xls declaring four billion rows aborted the process (signal 6) before anything could be
# caught. Built with xlwt (as vnEdu's exports are) and patched where a hostile writer would lie.


def _xls(path: Path, sheets: dict[str, list[tuple[int, int]]], text: str = "Mã số"
         ) -> bytearray:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for name, cells in sheets.items():
        sheet = book.add_sheet(name)
        for row, column in cells:
            sheet.write(row, column, text)
    book.save(str(path))
    return bytearray(path.read_bytes())


def _patched(path: Path, data: bytearray, find: bytes, offset: int, value: bytes) -> Path:
    at = data.find(find)
    assert at >= 0, "the record to patch is not where xlwt writes it"
    data[at + offset: at + offset + len(value)] = value
    path.write_bytes(bytes(data))
    assert path.stat().st_size < 16 * 1024
    return path


def _xls_declared_rows(path: Path) -> Path:
    """DIMENSIONS (BIFF8: first row, last row + 1 as 32-bit numbers) says 4,294,967,295."""
    data = _xls(path, {"Danh sách": [(0, 0), (1, 1)]})
    return _patched(path, data, struct.pack("<HH", 0x0200, 14), 8,
                    struct.pack("<I", 0xFFFFFFFF))


def _xls_far_cell(path: Path) -> Path:
    """A cell at row 65,536 and column 65,536 (BIFF8 has 256 columns)."""
    data = _xls(path, {"Lớp 6A1": [(0, 0), (3, 200)]})
    return _patched(path, data, struct.pack("<HHHH", 0x00FD, 10, 3, 200), 4,
                    struct.pack("<HH", 0xFFFF, 0xFFFF))


def _xls_many_sheets(path: Path) -> Path:
    """Four sheets each as large as BIFF8 allows (65,536 × 256): 2.9 GB once read."""
    _xls(path, {f"Lớp {i}": [(0, 0), (65535, 255)] for i in range(4)})
    return path


def _xls_shared_strings(path: Path) -> Path:
    """The shared strings (SST: total, unique, then one string «a») say four billion."""
    data = _xls(path, {"Danh sách": [(0, 0)]}, text="a")
    return _patched(path, data, struct.pack("<HH", 0x00FC, 8 + 4), 4,
                    struct.pack("<II", 4_000_000_000, 4_000_000_000))


HOSTILE_XLS = {
    "declared_rows": (_xls_declared_rows, "Danh sách", "quá lớn"),
    "far_cell": (_xls_far_cell, "Lớp 6A1", "quá lớn"),
    "many_big_sheets": (_xls_many_sheets, "Lớp 2", "cả tệp"),
    "huge_shared_strings_count": (_xls_shared_strings, None, "chuỗi văn bản"),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_XLS))
def test_a_legacy_workbook_too_big_to_hold_is_refused_in_bounded_memory(tmp_path, kind):
    build, sheet, words = HOSTILE_XLS[kind]
    path = build(tmp_path / f"{kind}.xls")
    error = _refused(path)
    assert words in error.message_vi and "từ chối" in error.message_vi
    if sheet:
        assert f"trang tính «{sheet}»" in error.message_vi
    child = subprocess.run([sys.executable, "-c", _READ_IN_A_CHILD, str(path)],
                           capture_output=True, text=True, timeout=120,
                           cwd=Path(__file__).resolve().parents[2])
    assert child.returncode == 0, child.stderr[-2000:]
    message, peak_mib = child.stdout.strip().rsplit("\n", 1)
    assert message == error.message_vi
    assert int(peak_mib) < 500


def test_a_legacy_workbook_of_a_school_is_measured_and_read(tmp_path, exported):
    """vnEdu's real .xls files pass the measure unchanged."""
    path = next(exported.rglob("*.xls"))
    read = read_export(path, night=NIGHT)
    assert read.rows_read > 0
