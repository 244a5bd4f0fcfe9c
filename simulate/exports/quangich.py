"""Quảng Ích writer: one XML document per school (UTF-8), fields as child elements.

Schools whose ``export_text`` is ``mojibake`` hold names that went through UTF-8 read as
cp1252 somewhere upstream; the document itself is well-formed UTF-8.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from simulate.exports.common import (
    RESULT_LABELS,
    SchoolSlice,
    regular_list,
    score_text,
    subject_name,
)

STATUS_CODES = {"studying": "DangHoc", "transferred_out": "ChuyenDi",
                "transferred_in": "ChuyenDen", "dropped_out": "ThoiHoc",
                "graduated": "TotNghiep", "repeating": "LuuBan"}
GENDER = {"M": "Nam", "F": "Nữ"}
FIELDS = [("MaHS", "local_id"), ("MaDinhDanh", "moet_code"), ("HoTen", "full_name"),
          ("NgaySinh", "dob"), ("GioiTinh", "gender"), ("DanToc", "ethnicity"),
          ("NoiSinh", "birthplace"), ("SoDinhDanhCaNhan", "personal_id"),
          ("HoTenCha", "father_name"), ("HoTenMe", "mother_name"), ("Lop", "class_name"),
          ("Khoi", "grade"), ("TrangThai", "status"), ("NgayChuyen", "status_date"),
          ("TruongChuyen", "transfer_school_code")]


def _text(name: str, value: object) -> str:
    if value is None or value == "":
        return ""
    if name == "gender":
        return GENDER.get(str(value), "")
    if name == "status":
        return STATUS_CODES.get(str(value), "")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write(part: SchoolSlice, folder: Path) -> Path:
    path = folder / f"QuangIch_{part.code}.xml"
    subjects: dict[str, list[dict]] = {}
    for rec in part.subject_results.iter_rows(named=True):
        subjects.setdefault(rec["record_id"], []).append(rec)
    terms: dict[str, list[dict]] = {}
    for rec in part.term_results.iter_rows(named=True):
        terms.setdefault(rec["record_id"], []).append(rec)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<QuangIch phienBan="3.2">\n')
        out.write(f"  <Truong MaTruong={quoteattr(part.code)} "
                  f"TenTruong={quoteattr(part.school['name'])} "
                  f"NamHoc={quoteattr(part.school_year)}>\n")
        for rec in part.records.sort("class_name", "local_id").iter_rows(named=True):
            out.write("    <HocSinh>\n")
            for tag, name in FIELDS:
                value = _text(name, rec.get(name))
                out.write(f"      <{tag}>{escape(value)}</{tag}>\n" if value
                          else f"      <{tag}/>\n")
            for res in subjects.get(rec["record_id"], []):
                attrs = {"Mon": subject_name(res["subject"]), "HocKy": res["term"],
                         "TX": ";".join(score_text(v) for v in regular_list(res["regular_scores"])),
                         "GK": score_text(res["midterm"]), "CK": score_text(res["final"]),
                         "TBM": score_text(res["average"]), "DanhGia": res["rating"] or ""}
                out.write("      <Diem " + " ".join(f"{k}={quoteattr(v)}"
                                                    for k, v in attrs.items() if v) + "/>\n")
            for res in terms.get(rec["record_id"], []):
                attrs = {"HocKy": res["term"],
                         "HocLuc": RESULT_LABELS.get(res["academic"] or "", res["academic"] or ""),
                         "HanhKiem": RESULT_LABELS.get(res["conduct"] or "", res["conduct"] or ""),
                         "NghiCP": _num(res["absent_excused"]),
                         "NghiKP": _num(res["absent_unexcused"]),
                         "LenLop": res["promotion"] or "", "DanhHieu": res["title"] or "",
                         "NhanXetGVCN": res.get("homeroom_comment") or ""}
                out.write("      <KetQua " + " ".join(f"{k}={quoteattr(v)}"
                                                      for k, v in attrs.items() if v) + "/>\n")
            out.write("    </HocSinh>\n")
        out.write("  </Truong>\n</QuangIch>\n")
    return path


def _num(value: object) -> str:
    return "" if value is None else str(int(value))
