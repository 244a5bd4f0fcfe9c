"""Profiles are data: a district adapts one to a new export version without touching code."""

from __future__ import annotations

import shutil

import pytest
import xlsxwriter
from conftest import NIGHT

from connectors import read_export
from connectors.profile import PROFILE_DIR, default_profiles, load_profile, profiles_from
from doisoat.errors import ConfigError, FileFormatError
from doisoat.model import SOURCES


def test_shipped_profiles_cover_every_source():
    assert {p.source for p in default_profiles()} == {"smas", "vnedu", "vietschool",
                                                      "quangich", "moet"}
    assert {p.source for p in default_profiles()} == set(SOURCES)


def test_a_file_read_as_one_source_is_refused_by_the_others(exported):
    xml = next(exported.rglob("QuangIch_*.xml"))
    read = read_export(xml, night=NIGHT, source="quangich")
    assert read.source == "quangich" and read.students.height > 0
    with pytest.raises(FileFormatError):
        read_export(xml, night=NIGHT, source="smas")


def test_a_broken_profile_is_a_config_error_naming_the_key(tmp_path):
    text = (PROFILE_DIR / "smas.toml").read_text(encoding="utf-8")
    bad = tmp_path / "smas.toml"
    bad.write_text(text.replace('kind = "grades_wide"', 'kind = "grades_sideways"'),
                   encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_profile(bad)
    assert "datasets" in str(caught.value) and "smas" in caught.value.message_vi


def _new_version_export(path):
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("DS 8A1")
    rows = [["SMAS 2026"], ["DANH SÁCH HỌC SINH LỚP 8A1"], [],
            ["STT", "Số danh bạ", "Mã định danh Bộ GD&ĐT", "Họ và tên", "Ngày sinh"],
            [1, "SM77", "7912345678", "Ngô Thị Yến", "02/03/2012"]]
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()


def test_a_new_export_version_needs_only_a_profile_edit(tmp_path):
    path = tmp_path / "SMAS_moi.xlsx"
    _new_version_export(path)
    with pytest.raises(FileFormatError) as caught:  # "Số danh bạ" names no known column
        read_export(path, night=NIGHT)
    assert "«Mã HS»" in caught.value.message_vi and "DS 8A1" in caught.value.message_vi
    adapted = tmp_path / "profiles"
    shutil.copytree(PROFILE_DIR, adapted)
    smas = adapted / "smas.toml"
    smas.write_text(smas.read_text(encoding="utf-8").replace(
        'local_id = ["Mã HS", "Mã học sinh", "Mã số HS", "MaHS"]',
        'local_id = ["Mã HS", "Mã học sinh", "Mã số HS", "MaHS", "Số danh bạ"]'),
        encoding="utf-8")
    read = read_export(path, night=NIGHT, profiles=profiles_from(adapted))
    assert read.students["local_id"].to_list() == ["SM77"]
    assert read.students["class_name"].to_list() == ["8A1"]
