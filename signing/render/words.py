"""What the form prints for the store's codes, and the small pieces every page uses: a labelled
value on a dotted line, the signer's name printed under a signature block, the note that sends
the reader to the page where the principal signs."""

from __future__ import annotations

from signing.canvas import Canvas
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



def result_text(value: str | None) -> str:
    return RESULT_TEXT.get(value or "", value or "")


def labelled(c: Canvas, x: float, y: float, label: str, value: str, width: float) -> None:
    c.text(x, y, label, 10)
    c.text(x + c.width(label, 10) + 4, y, value, 10, bold=True)
    c.line(x + c.width(label, 10) + 2, y - 2, x + width, y - 2, 0.3)


def steps_of(plan: SigningPlan | None) -> dict[str, Step]:
    return {s.field: s for s in plan.steps} if plan else {}


def signer_name(steps: dict[str, Step], field: str) -> str:
    step = steps.get(field)
    return step.signer_name if step else ""


def principal_note(steps: dict[str, Step], last_page: int) -> str:
    """The principal signs once, on the closing page; the other blocks say where."""
    if FIELD_PREFIX["principal"] in steps:
        return f"(Ký số và đóng dấu số: trang {last_page})"
    return "(Ký, ghi rõ họ tên và đóng dấu)"
