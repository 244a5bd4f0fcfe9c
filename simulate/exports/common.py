"""What every vendor writer shares: the school's slice of the district, damaged text, labels.

Records hold clean NFC text; a writer damages it the way the school's real software would:
the school's ``export_text`` (tcvn3, vni, mojibake) and each record's TEXT_NFD / TEXT_D_ETH
problem, so that the import has something to repair.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import dataclass

import polars as pl

from doisoat import vn
from doisoat.model import REGISTRY_SOURCE
from simulate.district import District

NAME_FIELDS = ("family_name", "middle_name", "given_name", "full_name", "father_name",
               "mother_name")

STATUS_LABELS = {
    "studying": "Đang học",
    "transferred_in": "Chuyển đến kỳ 2",
    "transferred_out": "Chuyển đi",
    "dropped_out": "Thôi học",
    "graduated": "Đã tốt nghiệp",
    "repeating": "Lưu ban",
}
RESULT_LABELS = {"T": "Tốt", "K": "Khá", "D": "Đạt", "CD": "Chưa đạt", "G": "Giỏi",
                 "TB": "Trung bình", "Y": "Yếu", "Kem": "Kém"}
RATING_LABELS = {"D": "Đ", "CD": "CĐ"}
TERM_LABELS = {"1": "HK1", "2": "HK2", "year": "CN"}
GENDER_LABELS = {"M": "Nam", "F": "Nữ"}


@dataclass
class SchoolSlice:
    """One school's data as its vendor (and the registry) hold it."""

    school: dict
    records: pl.DataFrame  # the vendor's records of this school, text already damaged
    registry: pl.DataFrame  # the registry's records of this school
    subject_results: pl.DataFrame
    term_results: pl.DataFrame
    school_year: str

    @property
    def code(self) -> str:
        return self.school["school_code"]

    @property
    def vendor(self) -> str:
        return self.school["vendor"]

    def title_rows(self, heading: str) -> list[str]:
        province = self.school.get("province_name") or self.school.get("province_code") or ""
        return [
            f"SỞ GIÁO DỤC VÀ ĐÀO TẠO {province}".strip().upper(),
            str(self.school["name"]).upper(),
            f"Mã trường: {self.code}",
            heading,
            f"Năm học {self.school_year}",
        ]


def damage(text: str | None, mode: str) -> str | None:
    """``text`` as a school's software with text problem ``mode`` writes it."""
    if not text:
        return text
    if mode == "TEXT_NFD":
        return unicodedata.normalize("NFD", text)
    if mode == "TEXT_D_ETH":
        return text.replace("Đ", "Ð")
    if mode == "mojibake":
        return vn.encode_mojibake(text)
    if mode == "tcvn3":
        return vn.encode_tcvn3(text)
    if mode == "vni":
        return vn.encode_vni(text)
    return text


def school_slices(district: District, *, with_grades: bool = True) -> list[SchoolSlice]:
    """Every school's slice, vendor text damage applied to name fields."""
    records = district.records
    text_problems = district.problems.filter(pl.col("problem").str.starts_with("TEXT_"))
    marks = dict(zip(text_problems["record_id"].to_list(), text_problems["problem"].to_list(),
                     strict=True))
    if with_grades:
        subjects, terms = district.subject_results, district.term_results
    else:
        subjects = pl.DataFrame(schema={"record_id": pl.String})
        terms = pl.DataFrame(schema={"record_id": pl.String})
    slices = []
    vendor_records = records.filter(pl.col("source") != REGISTRY_SOURCE)
    registry = records.filter(pl.col("source") == REGISTRY_SOURCE)
    for school in district.schools.iter_rows(named=True):
        code = school["school_code"]
        mine = vendor_records.filter(
            (pl.col("school_code") == code) & (pl.col("source") == school["vendor"])
        )
        export_text = school.get("export_text") or "unicode"
        if export_text in {"tcvn3", "vni"}:
            pass  # the whole file is written in the legacy font (see vietschool.py)
        elif marks or export_text == "mojibake":
            mine = _damage_names(mine, marks, export_text if export_text == "mojibake" else None)
        ids = mine["record_id"]
        slices.append(SchoolSlice(
            school=school,
            records=mine,
            registry=registry.filter(pl.col("school_code") == code),
            subject_results=subjects.filter(pl.col("record_id").is_in(ids.implode()))
            if subjects.height else subjects,
            term_results=terms.filter(pl.col("record_id").is_in(ids.implode()))
            if terms.height else terms,
            school_year=district.school_year,
        ))
    return slices


def _damage_names(frame: pl.DataFrame, marks: dict[str, str], school_mode: str | None
                  ) -> pl.DataFrame:
    ids = frame["record_id"].to_list()
    columns = []
    for name in NAME_FIELDS:
        if name not in frame.columns:
            continue
        values = frame[name].to_list()
        out = []
        for rid, value in zip(ids, values, strict=True):
            mode = marks.get(rid)
            if mode in {"TEXT_NFD", "TEXT_D_ETH"} and not school_mode:
                value = damage(value, mode)
            if school_mode:
                value = damage(value, school_mode)
            out.append(value)
        columns.append(pl.Series(name, out, dtype=pl.String))
    return frame.with_columns(columns)


def ddmmyyyy(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def regular_list(value: object) -> list[float]:
    if value is None:
        return []
    if isinstance(value, str):
        return [float(v) for v in json.loads(value) if v is not None]
    return [float(v) for v in value if v is not None]


def subject_name(code: str) -> str:
    info = vn.SUBJECTS.get(code)
    return getattr(info, "name_vi", None) or getattr(info, "name", None) or code


def score_text(value: float | None, decimal_comma: bool = False) -> str:
    if value is None:
        return ""
    text = f"{value:g}"
    return text.replace(".", ",") if decimal_comma else text


def classes(records: pl.DataFrame) -> list[str]:
    names = records["class_name"].drop_nulls().unique().to_list()
    return sorted(names, key=lambda c: (len(c), c))
