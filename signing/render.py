"""Page layout of the học bạ after the Ministry's form: cover, page 1 (identity, photo, study
record), one page per school year, and a closing confirmation with the page count (or the
one-page study-record confirmation). Pure: a transcript and its signing plan in, canvases out.

Signature fields are placed where the form has a signature: each subject teacher in the row of
their first subject, the homeroom teacher and the principal under their blocks, the school's
seal across the photo of page 1 (as the documents ask for the paper seal). The plan's names are
printed under the blocks; the signature itself writes the certificate's name into its widget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from doisoat.errors import SigningError
from signing import messages as msg
from signing.canvas import Canvas
from signing.form import (
    MARGIN,
    H,
    W,
    cut_term,
    left_during,
    mark,
    page_numbers,
    place_and_date,
    school_header,
    sign_block,
    transfer_text,
    vn_date,
)
from signing.model import SchoolYear, Transcript
from signing.plan import FIELD_PREFIX, SigningPlan, Step

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
PHOTO = (85.0, 113.0)  # 3 x 4 cm


@dataclass(frozen=True)
class Column:
    x: float
    w: float
    title: str


def _result(value: str | None) -> str:
    return RESULT_TEXT.get(value or "", value or "")


def _field(c: Canvas, x: float, y: float, label: str, value: str, width: float) -> None:
    c.text(x, y, label, 10)
    c.text(x + c.width(label, 10) + 4, y, value, 10, bold=True)
    c.line(x + c.width(label, 10) + 2, y - 2, x + width, y - 2, 0.3)


def _steps(plan: SigningPlan | None) -> dict[str, Step]:
    return {s.field: s for s in plan.steps} if plan else {}


def _name(steps: dict[str, Step], field: str) -> str:
    step = steps.get(field)
    return step.signer_name if step else ""


def cover(c: Canvas, t: Transcript) -> None:
    c.rect(MARGIN - 10, 40, W - 2 * MARGIN + 20, H - 80, 1.5)
    c.text(W / 2, H - 80, "BỘ GIÁO DỤC VÀ ĐÀO TẠO", 12, bold=True, align="center")
    c.line(W / 2 - 60, H - 86, W / 2 + 60, H - 86)
    y = H - 230
    c.text(W / 2, y, "HỌC BẠ", 40, bold=True, align="center")
    c.text(W / 2, y - 35, LEVEL_TEXT[t.level], 18, bold=True, align="center")
    y -= 110
    width = W - 2 * MARGIN - 80
    _field(c, MARGIN + 40, y, "Họ và tên học sinh:", t.student.full_name, width)
    _field(c, MARGIN + 40, y - 28, "Trường:", t.issuing_school_name or t.issuing_school_code, width)
    _field(c, MARGIN + 40, y - 56, "Mã định danh học sinh:", t.student.identity_code, width)
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
        _field(c, MARGIN, y, l1, v1, half - 10)
        _field(c, MARGIN + half, y, l2, v2, full - half)
        y -= 22
    for label, value in [
        ("Nơi sinh:", s.birthplace or ""),
        ("Số định danh cá nhân:", s.personal_id or ""),
        ("Mã định danh học sinh:", s.identity_code),
        ("Họ và tên cha:", s.father_name or ""),
        ("Họ và tên mẹ:", s.mother_name or ""),
    ]:
        _field(c, MARGIN, y, label, value, full)
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
    sign_block(c, x, top - 18, "HIỆU TRƯỞNG", note=_principal_note(steps, last_page),
               name=_name(steps, FIELD_PREFIX["principal"]))


def _principal_note(steps: dict[str, Step], last_page: int) -> str:
    """The principal signs once, on the closing page; the other blocks say where."""
    if FIELD_PREFIX["principal"] in steps:
        return f"(Ký số và đóng dấu số: trang {last_page})"
    return "(Ký, ghi rõ họ tên và đóng dấu)"


def table(
    c: Canvas,
    y: float,
    cols: Sequence[Column],
    rows: list[list[str]],
    *,
    size: float = 9.0,
    min_height: float = 17.0,
    merge: tuple[int, int, str] | None = None,
) -> tuple[float, list[tuple[float, float]]]:
    """A bordered table from its top edge ``y``: text wraps inside its cell (a row grows with
    its longest cell), and ``merge = (first, last, text)`` joins those columns over every body
    row into one cell holding ``text`` (a term the student was no longer at the school).
    Returns the bottom edge and each body row's (top, bottom)."""
    left, right = cols[0].x, cols[-1].x + cols[-1].w
    all_rows = [[col.title for col in cols], *rows]
    edges = [y]
    wrapped = []
    for i, row in enumerate(all_rows):
        cells = [
            c.wrap(text, size, col.w - 8, bold=i == 0)
            for col, text in zip(cols, row, strict=False)
        ]
        height = max(min_height, max(len(lines) for lines in cells) * size * 1.2 + 6)
        wrapped.append(cells)
        edges.append(edges[-1] - height)
    c.fill_rect(left, edges[1], right - left, edges[0] - edges[1])
    for i, cells in enumerate(wrapped):
        top, bottom = edges[i], edges[i + 1]
        for j, (col, lines) in enumerate(zip(cols, cells, strict=False)):
            if i > 0 and merge and merge[0] <= j <= merge[1]:
                continue
            centred = i == 0 or j > 0
            block = len(lines) * size * 1.2
            ty = (top + bottom) / 2 + block / 2 - size
            for line in lines:
                tx = col.x + col.w / 2 if centred else col.x + 4
                c.text(tx, ty, line, size, bold=i == 0, align="center" if centred else "left")
                ty -= size * 1.2
    bottom = edges[-1]
    span = None
    if merge is not None:
        span = (cols[merge[0]].x, cols[merge[1]].x + cols[merge[1]].w)
    for i, edge in enumerate(edges):
        if span is not None and 1 < i < len(edges) - 1:  # the merged cell has no row lines
            c.line(left, edge, span[0], edge)
            c.line(span[1], edge, right, edge)
        else:
            c.line(left, edge, right, edge)
    for j, col in enumerate(cols):
        inside = merge is not None and merge[0] < j <= merge[1]
        c.line(col.x, y, col.x, edges[1] if inside else bottom)
    c.line(right, y, right, bottom)
    if merge is not None and span is not None and len(edges) > 2:
        lines = c.wrap(merge[2], size, span[1] - span[0] - 12)
        ty = (edges[1] + bottom) / 2 + len(lines) * size * 0.6 - size
        for line in lines:
            c.text(sum(span) / 2, ty, line, size, align="center")
            ty -= size * 1.2
    return bottom, list(zip(edges[1:-1], edges[2:], strict=True))


def year_page(
    c: Canvas, t: Transcript, yr: SchoolYear, steps: dict[str, Step], last_page: int
) -> None:
    full = W - 2 * MARGIN
    current = yr is t.current_year
    y = H - 50
    c.text(MARGIN, y, f"Họ và tên: {t.student.full_name}", 11, bold=True)
    c.text(W - MARGIN, y, f"Lớp: {yr.class_name}    Năm học: {yr.school_year}", 11, bold=True,
           align="right")
    c.text(MARGIN, y - 16, f"Trường: {yr.school_name or yr.school_code}", 10)
    rules = "Thông tư 22/2021" if yr.rules == "TT22" else "Thông tư 58/2011"
    c.text(W - MARGIN, y - 16, f"Đánh giá theo {rules}", 8, align="right")
    y -= 28
    cols = [
        Column(MARGIN, 165, "Môn học / Hoạt động giáo dục"),
        Column(MARGIN + 165, 52, "Học kì I"),
        Column(MARGIN + 217, 52, "Học kì II"),
        Column(MARGIN + 269, 52, "Cả năm"),
        Column(MARGIN + 321, full - 321, "Giáo viên bộ môn ký xác nhận, ghi rõ họ tên"),
    ]
    term = cut_term(t, yr)
    merge = None
    if term is not None:
        text = msg.LEFT_BEFORE_END.format(term=term)
        merge = (1 if term == "I" else 2, 3, text)
    teachers = {
        code: s for s in steps.values() if s.role == "subject_teacher" for code in s.subjects
    }
    placed: set[str] = set()
    rows = []
    for s in yr.subjects:
        teacher = teachers.get(s.code) if current else None
        who = ""
        if teacher is not None and teacher.field in placed:
            who = teacher.signer_name or "(như trên)"
        if teacher is not None:
            placed.add(teacher.field)
        rows.append([s.name, mark(s.term1), mark(s.term2), mark(s.year), who])
    y, spans = table(c, y, cols, rows, min_height=22 if current else 17, merge=merge)
    if current:
        done: set[str] = set()
        col = cols[-1]
        for s, (top, bottom) in zip(yr.subjects, spans, strict=True):
            teacher = teachers.get(s.code)
            if teacher is not None and teacher.field not in done:
                done.add(teacher.field)
                c.place_field(teacher.field, col.x + 1, bottom + 1, col.w - 2, top - bottom - 2)
    y -= 16
    c.text(MARGIN, y, "KẾT QUẢ HỌC TẬP VÀ RÈN LUYỆN", 10, bold=True)
    cols = [
        Column(MARGIN, 150, ""),
        Column(MARGIN + 150, 115, "Học kì I"),
        Column(MARGIN + 265, 115, "Học kì II"),
        Column(MARGIN + 380, full - 380, "Cả năm"),
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
    y, _ = table(c, y - 6, cols, rows, min_height=16, merge=merge)
    y -= 18
    move = left_during(t, yr)
    promotion = PROMOTION_TEXT.get(yr.promotion or "", yr.promotion or "")
    if move is not None and not promotion:
        promotion = transfer_text(move, t) if move.school_code == t.issuing_school_code else ""
    _field(c, MARGIN, y, "Được lên lớp / ở lại lớp:", promotion, full)
    y -= 20
    _field(c, MARGIN, y, "Danh hiệu:", TITLE_TEXT.get(yr.title or "", yr.title or ""), full)
    y -= 22
    c.text(MARGIN, y, "Nhận xét của giáo viên chủ nhiệm:", 10, bold=True)
    y = _comment_box(c, y - 8, yr.homeroom_comment, full, t.student.full_name, yr.school_year)
    y -= 22
    homeroom = FIELD_PREFIX["homeroom"]
    sign_block(
        c,
        MARGIN + 100,
        y,
        "GIÁO VIÊN CHỦ NHIỆM",
        field=homeroom if current and homeroom in steps else None,
        name=_name(steps, homeroom) if current else "",
    )
    sign_block(
        c,
        W - MARGIN - 100,
        y,
        "HIỆU TRƯỞNG",
        note=_principal_note(steps, last_page) if current else "(Ký, ghi rõ họ tên và đóng dấu)",
        name=_name(steps, FIELD_PREFIX["principal"]) if current else "",
    )
    if not current and steps:  # an earlier year: its teachers do not sign this issue
        c.text(W / 2, y - 60, msg.EARLIER_YEAR.format(page=last_page), 8.5, align="center")


COMMENT_BOX_MIN = 54.0
COMMENT_SIZES = (9.0, 8.0, 7.0)
SIGN_BLOCK_FLOOR = 110.0  # the lowest baseline of the signature titles under the comment


def _comment_box(
    c: Canvas, top: float, text: str, width: float, student: str, school_year: str
) -> float:
    """The homeroom comment, wrapped inside a box from ``top``; return the box's bottom edge.

    The box grows with the comment and the type shrinks (down to 7 pt) when the page is short,
    so a long comment never runs over the signatures; one that cannot fit at all is refused
    rather than cut, since a transcript must not lose a word of it.
    """
    room = top - SIGN_BLOCK_FLOOR - 22
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
               field=principal if principal in steps else None, name=_name(steps, principal))


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
        _field(c, MARGIN, y, label, value, full)
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
            _result(o.academic if o else None),
            _result(o.conduct if o else None),
            PROMOTION_TEXT.get(yr.promotion or "", yr.promotion or ""),
        ])
    y, _ = table(c, y - 10, cols, rows, size=8)
    c.draw_xobject("DoisoatQR", MARGIN, 60, 1.0)
    x = W - 150
    c.text(x, min(y - 40, 250), place_and_date(t), 10, align="center")
    principal = FIELD_PREFIX["principal"]
    sign_block(c, x, min(y - 58, 232), "HIỆU TRƯỞNG", note="(Ký, ghi rõ họ tên và đóng dấu)",
               field=principal if principal in steps else None, name=_name(steps, principal))


def layout(t: Transcript, plan: SigningPlan | None = None) -> list[Canvas]:
    """Every page of the document, in order, numbered «Trang x/y»."""
    steps = _steps(plan)
    if t.kind == "xac_nhan":
        page = Canvas()
        confirmation(page, t, steps)
        return [page]
    total = 3 + len(t.years)
    pages = [Canvas(), Canvas()]
    cover(pages[0], t)
    personal(pages[1], t, steps, total)
    for yr in t.years:
        page = Canvas()
        year_page(page, t, yr, steps, total)
        pages.append(page)
    last = Canvas()
    closing(last, t, steps, total)
    pages.append(last)
    page_numbers(pages)
    return pages
