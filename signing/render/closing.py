"""The last pages: the school's confirmation of the page count that the principal signs, and
the one-page study-record confirmation (hồ sơ xác nhận quá trình học tập)."""

from __future__ import annotations

from signing import messages as msg
from signing.canvas import Canvas
from signing.form import MARGIN, H, W, place_and_date, school_header, sign_block, vn_date
from signing.model import Transcript
from signing.plan import FIELD_PREFIX, Step
from signing.render.table import Column, table
from signing.render.words import GENDER_TEXT, PROMOTION_TEXT, labelled, result_text, signer_name


def closing(c: Canvas, t: Transcript, steps: dict[str, Step], pages: int) -> None:
    """The last page: the school confirms the number of pages, the principal signs it."""
    y = school_header(c, t, H - 55)
    c.text(W / 2, y - 10, "XÁC NHẬN CỦA NHÀ TRƯỜNG", 14, bold=True, align="center")
    years = [yr.school_year for yr in t.years]
    text = msg.CLOSING.format(
        pages=pages,
        name=t.student.full_name,
        code=t.student.identity_code,
        span=(
            f"năm học {years[0]}"
            if len(years) == 1
            else f"{len(years)} năm học, từ {years[0]} đến {years[-1]}"
            if years
            else "…"
        ),
    )
    y = c.paragraph(MARGIN, y - 45, text, 10.5, W - 2 * MARGIN, leading=1.5)
    x = W - MARGIN - 110
    c.text(x, y - 30, place_and_date(t), 10, align="center")
    principal = FIELD_PREFIX["principal"]
    sign_block(c, x, y - 48, "HIỆU TRƯỞNG", note="(Ký, ghi rõ họ tên và đóng dấu)",
               field=principal if principal in steps else None, name=signer_name(steps, principal))


def confirmation(c: Canvas, t: Transcript, steps: dict[str, Step]) -> None:
    """Hồ sơ xác nhận quá trình học tập: one page, signed by the principal."""
    s = t.student
    y = school_header(c, t, H - 55)
    c.text(W / 2, y - 10, "HỒ SƠ XÁC NHẬN QUÁ TRÌNH HỌC TẬP", 15, bold=True, align="center")
    c.text(W / 2, y - 28, f"Số: {t.number}", 10, align="center")
    y -= 60
    full = W - 2 * MARGIN
    c.text(MARGIN, y, f"{t.issuing_school_name or t.issuing_school_code} xác nhận:", 10)
    for label, value in [
        ("Học sinh:", s.full_name),
        ("Ngày sinh:", vn_date(s.dob)),
        ("Giới tính:", GENDER_TEXT.get(s.gender or "", "")),
        ("Mã định danh học sinh:", s.identity_code),
    ]:
        y -= 20
        labelled(c, MARGIN, y, label, value, full)
    y -= 30
    c.text(MARGIN, y, "đã học tập tại trường với kết quả như sau:", 10)
    cols = [
        Column(MARGIN, 70, "Năm học"),
        Column(MARGIN + 70, 45, "Lớp"),
        Column(MARGIN + 115, 160, "Trường"),
        Column(MARGIN + 275, 75, "Học tập"),
        Column(MARGIN + 350, 75, "Rèn luyện"),
        Column(MARGIN + 425, full - 425, "Lên lớp"),
    ]
    rows = []
    for yr in t.years:
        o = yr.outcome("year")
        rows.append([
            yr.school_year,
            yr.class_name,
            yr.school_name or yr.school_code,
            result_text(o.academic if o else None),
            result_text(o.conduct if o else None),
            PROMOTION_TEXT.get(yr.promotion or "", yr.promotion or ""),
        ])
    y, _ = table(c, y - 10, cols, rows, size=8)
    c.draw_xobject("DoisoatQR", MARGIN, 60, 1.0)
    x = W - 150
    c.text(x, min(y - 40, 250), place_and_date(t), 10, align="center")
    principal = FIELD_PREFIX["principal"]
    sign_block(c, x, min(y - 58, 232), "HIỆU TRƯỞNG", note="(Ký, ghi rõ họ tên và đóng dấu)",
               field=principal if principal in steps else None, name=signer_name(steps, principal))
