"""The cover (number, QR code) and page 1: identity, the study record, transfers, the photo box
with the school's seal across it and the principal's block beside it."""

from __future__ import annotations

from signing.canvas import Canvas
from signing.form import (
    MARGIN,
    H,
    W,
    left_during,
    place_and_date,
    school_header,
    sign_block,
    transfer_text,
    vn_date,
)
from signing.model import Transcript
from signing.plan import FIELD_PREFIX, Step
from signing.render.table import Column, table
from signing.render.words import (
    GENDER_TEXT,
    LEVEL_TEXT,
    PHOTO,
    QR_SIZE,
    labelled,
    principal_note,
    signer_name,
)


def cover(c: Canvas, t: Transcript) -> None:
    c.rect(MARGIN - 10, 40, W - 2 * MARGIN + 20, H - 80, 1.5)
    c.text(W / 2, H - 80, "BỘ GIÁO DỤC VÀ ĐÀO TẠO", 12, bold=True, align="center")
    c.line(W / 2 - 60, H - 86, W / 2 + 60, H - 86)
    y = H - 230
    c.text(W / 2, y, "HỌC BẠ", 40, bold=True, align="center")
    c.text(W / 2, y - 35, LEVEL_TEXT[t.level], 18, bold=True, align="center")
    y -= 110
    width = W - 2 * MARGIN - 80
    labelled(c, MARGIN + 40, y, "Họ và tên học sinh:", t.student.full_name, width)
    school = t.issuing_school_name or t.issuing_school_code
    labelled(c, MARGIN + 40, y - 28, "Trường:", school, width)
    labelled(c, MARGIN + 40, y - 56, "Mã định danh học sinh:", t.student.identity_code, width)
    c.draw_xobject("DoisoatQR", W / 2 - QR_SIZE / 2, 200, 1.0)
    c.text(
        W / 2, 188, "Mã QR: số học bạ và mã băm SHA-256 của dữ liệu XML đính kèm", 8, align="center"
    )
    c.text(W / 2, 130, f"Số: {t.number}", 14, bold=True, align="center")
    c.text(W / 2, 116, "(mã định danh học sinh trên CSDL ngành)", 8, align="center")
    c.text(W / 2, 70, f"Cấp ngày {vn_date(t.issued_on)}", 9, align="center")


def personal(c: Canvas, t: Transcript, steps: dict[str, Step], last_page: int) -> None:
    s = t.student
    y = school_header(c, t, H - 55)
    c.text(W / 2, y - 6, "HỌC BẠ", 18, bold=True, align="center")
    y -= 40
    full = W - 2 * MARGIN
    half = full * 0.6
    pairs = [
        (("Họ và tên:", s.full_name), ("Giới tính:", GENDER_TEXT.get(s.gender or "", ""))),
        (("Ngày sinh:", vn_date(s.dob)), ("Dân tộc:", s.ethnicity or "")),
    ]
    for (l1, v1), (l2, v2) in pairs:
        labelled(c, MARGIN, y, l1, v1, half - 10)
        labelled(c, MARGIN + half, y, l2, v2, full - half)
        y -= 22
    for label, value in [
        ("Nơi sinh:", s.birthplace or ""),
        ("Số định danh cá nhân:", s.personal_id or ""),
        ("Mã định danh học sinh:", s.identity_code),
        ("Họ và tên cha:", s.father_name or ""),
        ("Họ và tên mẹ:", s.mother_name or ""),
    ]:
        labelled(c, MARGIN, y, label, value, full)
        y -= 22
    y -= 12
    c.text(W / 2, y, "QUÁ TRÌNH HỌC TẬP", 12, bold=True, align="center")
    cols = [
        Column(MARGIN, 80, "Năm học"),
        Column(MARGIN + 80, 50, "Lớp"),
        Column(MARGIN + 130, 220, "Tên trường"),
        Column(MARGIN + 350, full - 350, "Ghi chú"),
    ]
    rows = []
    for yr in t.years:
        move = left_during(t, yr)
        note = f"Chuyển đi ngày {vn_date(move.date)}" if move and move.date else ""
        rows.append([yr.school_year, yr.class_name, yr.school_name or yr.school_code, note])
    y, _ = table(c, y - 8, cols, rows)
    if t.transfers:
        y -= 18
        c.text(MARGIN, y, "Chuyển trường:", 10, bold=True)
        for tr in t.transfers:
            y = c.paragraph(MARGIN + 10, y - 14, transfer_text(tr, t), 9.5, full - 10) + 9.5 * 1.3
    top = min(y - 30, 300.0)
    _photo_and_principal(c, t, steps, top, last_page)


def _photo_and_principal(
    c: Canvas, t: Transcript, steps: dict[str, Step], top: float, last_page: int
) -> None:
    """The photo box with the seal across its corner; the principal's block beside it."""
    pw, ph = PHOTO
    px = MARGIN + 25
    c.rect(px, top - ph, pw, ph)
    c.text(px + pw / 2, top - ph / 2 + 4, "Ảnh", 9, align="center")
    c.text(px + pw / 2, top - ph / 2 - 8, "3 x 4", 9, align="center")
    seal = FIELD_PREFIX["seal"]
    if seal in steps:
        c.place_field(seal, px + pw / 2, top - ph - 18, 150, 44)
    x = W - MARGIN - 110
    c.text(x, top, place_and_date(t), 10, align="center")
    sign_block(c, x, top - 18, "HIỆU TRƯỞNG", note=principal_note(steps, last_page),
               name=signer_name(steps, FIELD_PREFIX["principal"]))
