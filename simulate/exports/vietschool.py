"""Vietschool writer: two CSV files per school, in the school's own encoding.

Encodings, as installations differ: UTF-8 with a BOM, UTF-16, Windows-1258, or the whole file
in a legacy font (TCVN3 / VNI bytes, what an old .VnTime or VNI-Times program saved) when the
school's ``export_text`` says so. Roster ``hocsinh_<school>.csv`` and grades ``diem_<school>.csv``
(long, regular scores in one cell separated by ';'), both with title lines above the header.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from functools import lru_cache
from pathlib import Path

from doisoat import vn
from simulate.exports.common import (
    GENDER_LABELS,
    RATING_LABELS,
    STATUS_LABELS,
    SchoolSlice,
    ddmmyyyy,
    regular_list,
    score_text,
    subject_name,
)

ROSTER = ["STT", "Mã số", "Mã Bộ", "Họ tên học sinh", "Ngày sinh", "Phái", "Dân tộc",
          "Nơi sinh", "CCCD", "Lớp", "Khối", "Tình trạng", "Ngày chuyển", "Trường chuyển"]
GRADES = ["Mã số", "Họ tên học sinh", "Môn", "HK", "Điểm TX", "Điểm GK", "Điểm CK", "TBM",
          "Đánh giá"]
_TERMS = {"1": "1", "2": "2", "year": "CN"}
_ENCODINGS = ("utf-8-sig", "utf-16", "cp1258")


def encoding_of(part: SchoolSlice) -> str:
    mode = part.school.get("export_text") or "unicode"
    if mode in {"tcvn3", "vni"}:
        return mode
    return _ENCODINGS[int(part.school.get("serial") or 0) % len(_ENCODINGS)]


def write(part: SchoolSlice, folder: Path) -> list[Path]:
    encoding = encoding_of(part)
    roster = io.StringIO()
    out = csv.writer(roster, lineterminator="\r\n")
    for line in part.title_rows("DANH SÁCH HỌC SINH"):
        out.writerow([line])
    out.writerow([])
    out.writerow(ROSTER)
    for i, rec in enumerate(part.records.iter_rows(named=True), start=1):
        out.writerow([i, rec["local_id"], rec["moet_code"] or "", rec["full_name"],
                      ddmmyyyy(rec["dob"]), GENDER_LABELS.get(rec["gender"] or "", ""),
                      rec["ethnicity"] or "", rec["birthplace"] or "", rec["personal_id"] or "",
                      rec["class_name"] or "", rec["grade"] or "",
                      STATUS_LABELS.get(rec["status"], ""), ddmmyyyy(rec["status_date"]),
                      rec["transfer_school_code"] or ""])
    out.writerow([])
    out.writerow([f"Tổng số: {part.records.height}"])
    paths = [_save(folder / f"hocsinh_{part.code}.csv", roster.getvalue(), encoding)]
    if part.subject_results.height:
        grades = io.StringIO()
        out = csv.writer(grades, lineterminator="\r\n")
        for line in part.title_rows("BẢNG ĐIỂM"):
            out.writerow([line])
        out.writerow(GRADES)
        names = dict(zip(part.records["record_id"].to_list(),
                         zip(part.records["local_id"].to_list(),
                             part.records["full_name"].to_list(), strict=True), strict=True))
        for rec in part.subject_results.iter_rows(named=True):
            local_id, full_name = names[rec["record_id"]]
            out.writerow([local_id, full_name, subject_name(rec["subject"]), _TERMS[rec["term"]],
                          ";".join(score_text(v) for v in regular_list(rec["regular_scores"])),
                          score_text(rec["midterm"]), score_text(rec["final"]),
                          score_text(rec["average"]),
                          RATING_LABELS.get(rec["rating"] or "", rec["rating"] or "")])
        paths.append(_save(folder / f"diem_{part.code}.csv", grades.getvalue(), encoding))
    return paths


def _save(path: Path, text: str, encoding: str) -> Path:
    if encoding == "tcvn3":
        data = _cp1252_bytes(vn.encode_tcvn3(text))
    elif encoding == "vni":
        data = _cp1252_bytes(vn.encode_vni(text))
    elif encoding == "cp1258":
        data = encode_cp1258(text)
    else:
        data = text.replace("Ð", "Đ").encode(encoding) if encoding == "utf-16" else \
            text.encode(encoding)
    path.write_bytes(data)
    return path


def _cp1252_bytes(text: str) -> bytes:
    from doisoat.vn.legacy import CP1252_ENCODE

    return bytes(CP1252_ENCODE.get(ch, 0x3F) for ch in text)


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 bytes: base letters precomposed where the code page has them, tones apart."""
    text = unicodedata.normalize("NFC", text.replace("Ð", "Đ"))
    try:
        return text.encode("cp1258")
    except UnicodeEncodeError:
        pass
    return b"".join(_char_cp1258(ch) for ch in text)


@lru_cache(maxsize=4096)
def _char_cp1258(letter: str) -> bytes:
    out = bytearray()
    for ch in letter:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], list(decomposed[1:])
        # keep circumflex/breve/horn on the base when the code page has that letter (NFD puts
        # a dot below before them, so try every mark, not only the first)
        changed = True
        while changed:
            changed = False
            for mark in marks:
                composed = unicodedata.normalize("NFC", base + mark)
                if _encodable(composed):
                    base = composed
                    marks.remove(mark)
                    changed = True
                    break
        out += (base + "".join(marks)).encode("cp1258", errors="replace")
    return bytes(out)


def _encodable(text: str) -> bool:
    try:
        text.encode("cp1258")
        return len(text) == 1
    except UnicodeEncodeError:
        return False
