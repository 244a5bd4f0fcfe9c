"""One page per school year: the subjects with each subject teacher's signature in the row of
their first subject, the results, the homeroom teacher's comment in a box that grows (and
whose type shrinks) rather than run over the homeroom and principal signature blocks."""

from __future__ import annotations

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
    sign_block,
    transfer_text,
)
from signing.model import SchoolYear, Transcript
from signing.plan import FIELD_PREFIX, Step
from signing.render.table import Column, table
from signing.render.words import (
    PROMOTION_TEXT,
    TITLE_TEXT,
    labelled,
    principal_note,
    result_text,
    signer_name,
)


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
        _row("Kết quả học tập", lambda o: result_text(o.academic)),
        _row("Kết quả rèn luyện", lambda o: result_text(o.conduct)),
        _row("Nghỉ có phép (buổi)", lambda o: _num(o.absent_excused)),
        _row("Nghỉ không phép (buổi)", lambda o: _num(o.absent_unexcused)),
    ]
    y, _ = table(c, y - 6, cols, rows, min_height=16, merge=merge)
    y -= 18
    move = left_during(t, yr)
    promotion = PROMOTION_TEXT.get(yr.promotion or "", yr.promotion or "")
    if move is not None and not promotion:
        promotion = transfer_text(move, t) if move.school_code == t.issuing_school_code else ""
    labelled(c, MARGIN, y, "Được lên lớp / ở lại lớp:", promotion, full)
    y -= 20
    labelled(c, MARGIN, y, "Danh hiệu:", TITLE_TEXT.get(yr.title or "", yr.title or ""), full)
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
        name=signer_name(steps, homeroom) if current else "",
    )
    sign_block(
        c,
        W - MARGIN - 100,
        y,
        "HIỆU TRƯỞNG",
        note=principal_note(steps, last_page) if current else "(Ký, ghi rõ họ tên và đóng dấu)",
        name=signer_name(steps, FIELD_PREFIX["principal"]) if current else "",
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
