"""Files that must be refused safely, each with a clear Vietnamese message naming the file."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import NIGHT

from connectors import ingest_paths, read_export
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
