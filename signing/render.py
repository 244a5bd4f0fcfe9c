"""Page layout of the học bạ: cover, personal page, one page per school year (and the
study-record confirmation on one page). Pure: a transcript in, canvases out.
"""

from __future__ import annotations

import datetime as dt

from doisoat.errors import SigningError
from signing import messages as msg
from signing.canvas import A4, Canvas
from signing.model import SchoolYear, Transcript

W, H = A4
MARGIN = 50.0

MARK_TEXT = {"D": "Đ", "CD": "CĐ"}
RESULT_TEXT = {
    "T": "Tốt",
    "K": "Khá",
    "D": "Đạt",
    "CD": "Chưa đạt",
    "G": "Giỏi",
    "TB": "Trung bình",
    "Y": "Yếu",
    "Kem": "Kém",
}
PROMOTION_TEXT = {
    "promoted": "Được lên lớp",
    "not_promoted": "Không được lên lớp",
    "retained": "Ở lại lớp",
    "repeat": "Ở lại lớp",
    "graduated": "Hoàn thành chương trình",
    "summer_review": "Rèn luyện / kiểm tra lại trong hè",
}
TITLE_TEXT = {"XS": "Học sinh Xuất sắc", "G": "Học sinh Giỏi"}
GENDER_TEXT = {"M": "Nam", "F": "Nữ"}
LEVEL_TEXT = {"THCS": "TRUNG HỌC CƠ SỞ", "THPT": "TRUNG HỌC PHỔ THÔNG"}
QR_SIZE = 110.0


def vn_date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _mark(value: str | None) -> str:
    return MARK_TEXT.get(value or "", value or "")


def _result(value: str | None) -> str:
    return RESULT_TEXT.get(value or "", value or "")


def _motto(c: Canvas, y: float) -> float:
    c.text(W / 2, y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, bold=True, align="center")
    c.text(W / 2, y - 16, "Độc lập - Tự do - Hạnh phúc", 12, bold=True, align="center")
    c.line(W / 2 - 80, y - 21, W / 2 + 80, y - 21)
    return y - 45


def _sign_block(c: Canvas, x: float, y: float, title: str, note: str = "(Chữ ký số)") -> None:
    c.text(x, y, title, 10, bold=True, align="center")
    c.text(x, y - 13, note, 8, align="center")


def _field(c: Canvas, x: float, y: float, label: str, value: str, width: float) -> None:
    c.text(x, y, label, 10)
    c.text(x + c.width(label, 10) + 4, y, value, 10, bold=True)
    c.line(x + c.width(label, 10) + 2, y - 2, x + width, y - 2, 0.3)


def cover(c: Canvas, t: Transcript) -> None:
    y = _motto(c, H - 70)
    c.rect(MARGIN - 10, 40, W - 2 * MARGIN + 20, H - 80, 1.5)
    c.text(W / 2, y - 40, "HỌC BẠ", 40, bold=True, align="center")
    c.text(W / 2, y - 75, LEVEL_TEXT[t.level], 18, bold=True, align="center")
    y -= 150
    _field(c, MARGIN + 40, y, "Họ và tên học sinh:", t.student.full_name, W - 2 * MARGIN - 80)
    _field(c, MARGIN + 40, y - 28, "Mã định danh:", t.student.identity_code, 260)
    _field(c, MARGIN + 40, y - 56, "Số học bạ:", t.number, 260)
    _field(
        c,
        MARGIN + 40,
        y - 84,
        "Trường:",
        t.issuing_school_name or t.issuing_school_code,
        W - 2 * MARGIN - 80,
    )
    c.draw_xobject("DoisoatQR", W / 2 - QR_SIZE / 2, 110, 1.0)
    c.text(
        W / 2, 95, "Mã QR: số học bạ và mã băm SHA-256 của dữ liệu XML đính kèm", 8, align="center"
    )
    c.text(W / 2, 60, f"Cấp ngày {vn_date(t.issued_on)}", 9, align="center")


def personal(c: Canvas, t: Transcript) -> None:
    s = t.student
    y = _motto(c, H - 60)
    c.text(W / 2, y - 10, "HỌC BẠ", 18, bold=True, align="center")
    y -= 45
    full = W - 2 * MARGIN
    _field(c, MARGIN, y, "Họ và tên:", s.full_name, full * 0.62)
    _field(
        c, MARGIN + full * 0.66, y, "Giới tính:", GENDER_TEXT.get(s.gender or "", ""), full * 0.34
    )
    rows = [
        ("Ngày sinh:", vn_date(s.dob)),
        ("Nơi sinh:", s.birthplace or ""),
        ("Dân tộc:", s.ethnicity or ""),
        ("Số định danh cá nhân:", s.personal_id or ""),
        ("Mã định danh học sinh:", s.identity_code),
        ("Họ và tên cha:", s.father_name or ""),
        ("Họ và tên mẹ:", s.mother_name or ""),
    ]
    for label, value in rows:
        y -= 22
        _field(c, MARGIN, y, label, value, full)
    y -= 40
    c.text(W / 2, y, "QUÁ TRÌNH HỌC TẬP", 12, bold=True, align="center")
    y -= 12
    cols = [(MARGIN, 90, "Năm học"), (MARGIN + 90, 60, "Lớp"), (MARGIN + 150, full - 150, "Trường")]
    y = _table(
        c,
        y,
        cols,
        [[yr.school_year, yr.class_name, yr.school_name or yr.school_code] for yr in t.years],
    )
    if t.transfers:
        y -= 20
        c.text(MARGIN, y, "Chuyển trường:", 10, bold=True)
        for tr in t.transfers:
            y -= 15
            other = tr.other_school_name or tr.other_school_code or ""
            verb = "Chuyển đi" if tr.direction == "out" else "Chuyển đến"
            prep = "đến" if tr.direction == "out" else "từ"
            c.text(
                MARGIN + 10,
                y,
                f"{verb} ngày {vn_date(tr.date)} ({tr.school_year}) {prep} trường {other}",
                9,
            )
    c.text(W - 150, 170, f"Ngày {vn_date(t.issued_on)}", 10, align="center")
    _sign_block(c, W - 150, 155, "HIỆU TRƯỞNG")


def _table(
    c: Canvas,
    y: float,
    cols: list[tuple[float, float, str]],
    rows: list[list[str]],
    row_h: float = 17.0,
    size: float = 9.0,
) -> float:
    """Draw a bordered table from the top edge ``y``; return its bottom edge."""
    left = cols[0][0]
    right = cols[-1][0] + cols[-1][1]
    all_rows = [[title for _, _, title in cols], *rows]
    for i, row in enumerate(all_rows):
        top = y - i * row_h
        if i == 0:
            c.fill_rect(left, top - row_h, right - left, row_h)
        for (x, w, _), text in zip(cols, row, strict=False):
            align_center = i == 0 or x != left
            tx = x + w / 2 if align_center else x + 4
            c.text(
                tx,
                top - row_h + 5,
                text,
                size,
                bold=i == 0,
                align="center" if align_center else "left",
            )
    bottom = y - len(all_rows) * row_h
    for i in range(len(all_rows) + 1):
        c.line(left, y - i * row_h, right, y - i * row_h)
    for x, _, _ in cols:
        c.line(x, y, x, bottom)
    c.line(right, y, right, bottom)
    return bottom


def year_page(c: Canvas, t: Transcript, yr: SchoolYear) -> None:
    full = W - 2 * MARGIN
    y = H - 55
    c.text(MARGIN, y, f"Họ và tên: {t.student.full_name}", 11, bold=True)
    c.text(
        W - MARGIN,
        y,
        f"Lớp: {yr.class_name}    Năm học: {yr.school_year}",
        11,
        bold=True,
        align="right",
    )
    c.text(MARGIN, y - 16, f"Trường: {yr.school_name or yr.school_code}", 10)
    rules = "Thông tư 22/2021" if yr.rules == "TT22" else "Thông tư 58/2011"
    c.text(W - MARGIN, y - 16, f"Đánh giá theo {rules}", 8, align="right")
    y -= 30
    cols = [
        (MARGIN, 170, "Môn học / Hoạt động giáo dục"),
        (MARGIN + 170, 70, "Học kì I"),
        (MARGIN + 240, 70, "Học kì II"),
        (MARGIN + 310, 70, "Cả năm"),
        (MARGIN + 380, full - 380, "Giáo viên bộ môn"),
    ]
    rows = [
        [s.name, _mark(s.term1), _mark(s.term2), _mark(s.year), "(Chữ ký số)"] for s in yr.subjects
    ]
    y = _table(c, y, cols, rows) - 18
    c.text(MARGIN, y, "KẾT QUẢ HỌC TẬP VÀ RÈN LUYỆN", 10, bold=True)
    y -= 6
    cols = [
        (MARGIN, 170, ""),
        (MARGIN + 170, 105, "Học kì I"),
        (MARGIN + 275, 105, "Học kì II"),
        (MARGIN + 380, full - 380, "Cả năm"),
    ]
    terms = [yr.outcome("1"), yr.outcome("2"), yr.outcome("year")]

    def _row(label: str, getter) -> list[str]:
        return [label, *("" if o is None else getter(o) for o in terms)]

    def _num(v: int | None) -> str:
        return "" if v is None else str(v)

    rows = [
        _row("Kết quả học tập", lambda o: _result(o.academic)),
        _row("Kết quả rèn luyện", lambda o: _result(o.conduct)),
        _row("Nghỉ có phép (buổi)", lambda o: _num(o.absent_excused)),
        _row("Nghỉ không phép (buổi)", lambda o: _num(o.absent_unexcused)),
    ]
    y = _table(c, y, cols, rows) - 20
    promotion = PROMOTION_TEXT.get(yr.promotion or "", yr.promotion or "")
    _field(c, MARGIN, y, "Được lên lớp / ở lại lớp:", promotion, full)
    y -= 20
    _field(c, MARGIN, y, "Danh hiệu:", TITLE_TEXT.get(yr.title or "", yr.title or ""), full)
    y -= 24
    c.text(MARGIN, y, "Nhận xét của giáo viên chủ nhiệm:", 10, bold=True)
    y = _comment_box(c, y - 8, yr.homeroom_comment, full, t.student.full_name, yr.school_year)
    y -= 28
    _sign_block(c, MARGIN + 90, y, "GIÁO VIÊN CHỦ NHIỆM")
    _sign_block(c, W - MARGIN - 90, y, "HIỆU TRƯỞNG", "(Chữ ký số và dấu của nhà trường)")


COMMENT_BOX_MIN = 54.0
COMMENT_SIZES = (9.0, 8.0, 7.0)
SIGN_BLOCK_FLOOR = 60.0  # the lowest baseline of the signature titles under the comment


def _comment_box(
    c: Canvas, top: float, text: str, width: float, student: str, school_year: str
) -> float:
    """The homeroom comment, wrapped inside a box from ``top``; return the box's bottom edge.

    The box grows with the comment and the type shrinks (down to 7 pt) when the page is short,
    so a long comment never runs over the signatures; one that cannot fit at all is refused
    rather than cut, since a transcript must not lose a word of it.
    """
    room = top - SIGN_BLOCK_FLOOR - 28
    for size in COMMENT_SIZES:
        lines = c.wrap(text, size, width - 10)
        height = max(COMMENT_BOX_MIN, len(lines) * size * 1.3 + 10)
        if height <= room:
            break
    else:
        raise SigningError(
            f"homeroom comment of {len(text)} characters does not fit the year page",
            message_vi=msg.COMMENT_TOO_LONG.format(
                chars=len(text), student=student, year=school_year
            ),
        )
    c.rect(MARGIN, top - height, width, height)
    y = top - 4 - size
    for line in lines:
        c.text(MARGIN + 5, y, line, size)
        y -= size * 1.3
    return top - height


def confirmation(c: Canvas, t: Transcript) -> None:
    """Hồ sơ xác nhận quá trình học tập: one page, signed by the principal."""
    s = t.student
    y = _motto(c, H - 60)
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
        _field(c, MARGIN, y, label, value, full)
    y -= 30
    c.text(MARGIN, y, "đã học tập tại trường với kết quả như sau:", 10)
    y -= 10
    cols = [
        (MARGIN, 70, "Năm học"),
        (MARGIN + 70, 45, "Lớp"),
        (MARGIN + 115, 160, "Trường"),
        (MARGIN + 275, 75, "Học tập"),
        (MARGIN + 350, 75, "Rèn luyện"),
        (MARGIN + 425, full - 425, "Lên lớp"),
    ]
    rows = []
    for yr in t.years:
        o = yr.outcome("year")
        rows.append(
            [
                yr.school_year,
                yr.class_name,
                yr.school_name or yr.school_code,
                _result(o.academic if o else None),
                _result(o.conduct if o else None),
                PROMOTION_TEXT.get(yr.promotion or "", yr.promotion or ""),
            ]
        )
    y = _table(c, y, cols, rows, size=8)
    c.draw_xobject("DoisoatQR", MARGIN, 60, 1.0)
    c.text(W - 150, 200, f"Ngày {vn_date(t.issued_on)}", 10, align="center")
    _sign_block(c, W - 150, 185, "HIỆU TRƯỞNG", "(Chữ ký số và dấu của nhà trường)")


def layout(t: Transcript) -> list[Canvas]:
    """Every page of the document, in order."""
    if t.kind == "xac_nhan":
        page = Canvas()
        confirmation(page, t)
        return [page]
    pages = [Canvas(), Canvas()]
    cover(pages[0], t)
    personal(pages[1], t)
    for yr in t.years:
        page = Canvas()
        year_page(page, t, yr)
        pages.append(page)
    return pages
