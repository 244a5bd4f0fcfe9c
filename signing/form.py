"""Pieces of the Ministry's học bạ form shared by its pages: the administrative header, the
place-and-date line, the signature blocks, page numbers, marks as printed, transfer wording.

Pure functions of the transcript; ``signing.render`` lays the pages out with them.
"""

from __future__ import annotations

import datetime as dt

from doisoat.vn.provinces import province_name
from doisoat.vn.text import fold
from signing import messages as msg
from signing.canvas import A4, Canvas
from signing.model import SchoolYear, Transcript, Transfer

W, H = A4
MARGIN = 50.0
REORGANISED = dt.date(2025, 7, 1)  # provinces merged, district offices (Phòng) dissolved
CITIES = {"01", "31", "46", "48", "79", "92"}  # centrally run cities: «Thành phố …»
MARK_TEXT = {"D": "Đ", "CD": "CĐ"}
SIGN_BOX = (150.0, 34.0)  # width, height of a signature widget under a block


def vn_date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def mark(value: str | None) -> str:
    """A mark as the học bạ prints it: ratings spelled out, scores with a decimal comma."""
    text = MARK_TEXT.get(value or "", value or "")
    return text.replace(".", ",") if text[:1].isdigit() else text


def province(t: Transcript) -> tuple[str, bool] | None:
    """The province (as of the issue date) and whether it is a centrally run city."""
    if not t.province_code:
        return None
    when = "2025" if t.issued_on >= REORGANISED else "2024"
    name = province_name(t.province_code, when)
    if name is None:
        return None
    code = t.province_code.zfill(2)
    if when == "2025":
        from doisoat.vn.provinces import SUCCESSOR_2025

        code = SUCCESSOR_2025.get(code, code)
    return name, code in CITIES


def school_header(c: Canvas, t: Transcript, y: float) -> float:
    """The two-column heading of an administrative page: the Sở and the school on the left,
    the national motto on the right. Returns the y below it."""
    left_x = MARGIN + 105
    place = province(t)
    if place is not None:
        name, city = place
        body = f"SỞ GD&ĐT {'THÀNH PHỐ' if city else 'TỈNH'} {name.upper()}"
        c.text(left_x, y, body, 9, align="center")
    school = (t.issuing_school_name or t.issuing_school_code).upper()
    lines = c.wrap(school, 9, 225, bold=True)
    for i, line in enumerate(lines):
        c.text(left_x, y - 13 - 11 * i, line, 9, bold=True, align="center")
    under = y - 13 - 11 * (len(lines) - 1) - 5
    c.line(left_x - 35, under, left_x + 35, under)
    right_x = W - MARGIN - 125
    c.text(right_x, y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 9.5, bold=True, align="center")
    c.text(right_x, y - 13, "Độc lập - Tự do - Hạnh phúc", 10, bold=True, align="center")
    c.line(right_x - 72, y - 18, right_x + 72, y - 18)
    return min(under, y - 18) - 22


def place_and_date(t: Transcript) -> str:
    """«Hồ Chí Minh, ngày 12 tháng 4 năm 2026» with the zero padding of Nghị định 30/2020 (day
    below 10, months 1 and 2)."""
    place = province(t)
    where = ""
    if place is not None:
        where = ("TP. " if place[1] else "") + place[0]
    day = t.issued_on
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{where or '…'}, ngày {day.day:02d} tháng {month} năm {day.year}"


def sign_block(
    c: Canvas,
    x: float,
    y: float,
    title: str,
    *,
    note: str = "(Ký, ghi rõ họ tên)",
    field: str | None = None,
    name: str = "",
) -> float:
    """A signature block centred on ``x`` from the baseline ``y``: role, instruction, the
    widget the signature is drawn into, the printed name. Returns the y below it."""
    c.text(x, y, title, 10, bold=True, align="center")
    c.text(x, y - 12, note, 8, align="center")
    w, h = SIGN_BOX
    if field:
        c.place_field(field, x - w / 2, y - 18 - h, w, h)
    if name:
        c.text(x, y - 30 - h, name, 10, bold=True, align="center")
    return y - 34 - h


def page_numbers(pages: list[Canvas]) -> None:
    total = len(pages)
    for i, page in enumerate(pages, 1):
        page.text(W / 2, 22, f"Trang {i}/{total}", 8, align="center")


def school_phrase(name: str | None, code: str | None) -> str:
    """«Trường THCS Hai Bà Trưng», or «trường X» when the name does not say it is a school:
    never «trường Trường …»."""
    if name:
        return name if fold(name).startswith("truong") else f"trường {name}"
    return f"trường có mã {code}" if code else "trường khác"


def transfer_text(tr: Transfer, t: Transcript) -> str:
    """A move as the issuing school tells it (``build._moves`` put it in that school's view)."""
    date = vn_date(tr.date) or "…"
    other = school_phrase(tr.other_school_name, tr.other_school_code)
    if tr.school_code == t.issuing_school_code:
        wording = msg.TRANSFER_OUT if tr.direction == "out" else msg.TRANSFER_IN
        return wording.format(date=date, school=other)
    names = {y.school_code: y.school_name for y in t.years}
    here = school_phrase(names.get(tr.school_code), tr.school_code)
    origin, destination = (here, other) if tr.direction == "out" else (other, here)
    return msg.TRANSFER_OTHER.format(origin=origin, destination=destination, date=date)


def left_during(t: Transcript, yr: SchoolYear) -> Transfer | None:
    """The move that took the student away from this year's school during the year."""
    for tr in t.transfers:
        if tr.school_year != yr.school_year:
            continue
        if (tr.direction == "out" and tr.school_code == yr.school_code) or (
            tr.direction == "in" and tr.other_school_code == yr.school_code
        ):
            return tr
    return None


def cut_term(t: Transcript, yr: SchoolYear) -> str | None:
    """«II» (or «I») when the student left this school before the end of that term, which is
    why the later columns of the year page are blank."""
    if left_during(t, yr) is None:
        return None
    has_term2 = yr.outcome("2") is not None or any(s.term2 for s in yr.subjects)
    if has_term2:
        return None
    has_term1 = yr.outcome("1") is not None or any(s.term1 for s in yr.subjects)
    return "II" if has_term1 else "I"
