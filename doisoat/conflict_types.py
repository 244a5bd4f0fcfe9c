"""Every kind of conflict the rules raise, said once: code, family, severity, Vietnamese words.

Why one registry: the severities used to be written in five modules and the labels in two, and
they drifted (the report and the web pages named the same conflict differently; one type had
no label at all). Now the rules in ``reconcile/`` take a conflict's severity from here, and the
report, the Excel worklists, the pages, the API and the CSV take its label from here, so a school
reads the same words everywhere. A new rule adds its type here first; ``severity_of`` refuses a
type that is not listed, so a rule cannot ship a conflict no reader can name.

The lifecycle statuses are defined with the conflict table (``doisoat.model.CONFLICT_STATUSES``,
``OPEN_CONFLICT_STATUSES``; the state table is in ``reconcile/lifecycle.py``); their Vietnamese
labels are here, beside the types'. *Open* includes ``acknowledged``: an acknowledged conflict
is answered, not gone, and it stays on every worklist, marked as such, until the data is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

from doisoat.model import CONFLICT_STATUSES, OPEN_CONFLICT_STATUSES

SEVERITY_ORDER: tuple[str, ...] = ("critical", "high", "medium", "low")
"""Most severe first; readers sort by it."""

SEVERITY_LABELS: dict[str, str] = {
    "critical": "Nghiêm trọng",
    "high": "Cao",
    "medium": "Trung bình",
    "low": "Thấp",
}

FAMILY_ORDER: tuple[str, ...] = ("identity", "duplicates", "transfers", "grades", "sync", "other")
"""How readers group conflicts; ``other`` holds a type no one has registered yet."""

FAMILY_LABELS: dict[str, str] = {
    "identity": "Mã định danh",
    "duplicates": "Trùng lặp",
    "transfers": "Chuyển trường",
    "grades": "Điểm",
    "sync": "Đồng bộ",
    "other": "Khác",
}

STATUS_LABELS: dict[str, str] = {
    "new": "Mới",
    "persisting": "Còn tồn tại",
    "acknowledged": "Đã xác nhận",
    "reopened": "Tái xuất hiện",
    "resolved": "Đã giải quyết",
}
"""Keyed by ``CONFLICT_STATUSES``. ``reopened`` reads "came back": no one reopens a conflict by
hand, it reappears in the data after it had been resolved."""


@dataclass(frozen=True)
class ConflictType:
    """One kind of conflict, as every reader names and ranks it."""

    code: str
    family: str
    severity: str
    label_vi: str
    description_vi: str


def _types(*entries: ConflictType) -> dict[str, ConflictType]:
    return {entry.code: entry for entry in entries}


CONFLICT_TYPES: dict[str, ConflictType] = _types(
    # -- identity: the student identity code (mã định danh) and the personal id -----------------
    ConflictType(
        "ID_MISSING", "identity", "medium",
        "Thiếu mã định danh",
        "Học sinh chưa có mã định danh Bộ GD&ĐT trong phần mềm của trường.",
    ),
    ConflictType(
        "ID_INVALID", "identity", "high",
        "Mã định danh sai định dạng",
        "Mã định danh không phải 10 chữ số.",
    ),
    ConflictType(
        "ID_NOT_IN_REGISTRY", "identity", "high",
        "Mã định danh không có trong CSDL ngành",
        "Mã định danh đúng định dạng nhưng CSDL ngành không có mã này.",
    ),
    ConflictType(
        "ID_MISMATCH", "identity", "critical",
        "Mã định danh thuộc học sinh khác",
        "Mã định danh trường nhập là mã của một học sinh khác trong CSDL ngành.",
    ),
    ConflictType(
        "UNREGISTERED", "identity", "high",
        "Học sinh chưa có trong CSDL ngành",
        "Không tìm thấy học sinh này trong CSDL ngành, dù theo mã hay theo thông tin cá nhân.",
    ),
    ConflictType(
        "DEMOGRAPHIC_DRIFT", "identity", "low",
        "Thông tin cá nhân khác CSDL ngành",
        "Họ tên, ngày sinh hoặc giới tính trong phần mềm khác với CSDL ngành.",
    ),
    ConflictType(
        "PERSONAL_ID_INCONSISTENT", "identity", "medium",
        "Số định danh cá nhân không khớp",
        "Số định danh cá nhân không khớp giới tính, năm sinh, hoặc bị dùng cho nhiều học sinh.",
    ),
    # -- duplicates: one student, several codes; one code, several students ---------------------
    ConflictType(
        "ID_DUPLICATE", "duplicates", "high",
        "Một học sinh có nhiều mã định danh",
        "CSDL ngành có nhiều mã định danh cho cùng một học sinh.",
    ),
    ConflictType(
        "ID_SHARED", "duplicates", "critical",
        "Nhiều học sinh dùng chung một mã định danh",
        "Cùng một mã định danh được dùng cho nhiều học sinh khác nhau.",
    ),
    # -- transfers: students between schools -----------------------------------------------------
    ConflictType(
        "TRANSFER_UNRECEIVED", "transfers", "high",
        "Chuyển đi nhưng chưa trường nào tiếp nhận",
        "Học sinh đã chuyển đi quá thời hạn mà chưa trường nào ghi nhận chuyển đến.",
    ),
    ConflictType(
        "DUAL_ENROLLMENT", "transfers", "critical",
        "Đang học ở hai trường",
        "Cùng một học sinh đang được ghi là đang học ở hai trường.",
    ),
    ConflictType(
        "TRANSFER_CODE_CHANGED", "transfers", "high",
        "Trường tiếp nhận cấp mã định danh mới",
        "Trường tiếp nhận ghi cho học sinh chuyển đến một mã định danh khác mã ở trường cũ.",
    ),
    ConflictType(
        "TRANSFER_RECORD_MISMATCH", "transfers", "medium",
        "Điểm các kỳ trước lệch giữa hai trường",
        "Điểm các học kỳ trước ở trường tiếp nhận khác với điểm ở trường cũ.",
    ),
    # -- grades: what was exported against what the regulations compute -------------------------
    ConflictType(
        "GRADE_AVERAGE_MISMATCH", "grades", "medium",
        "Điểm trung bình/kết quả không khớp khi tính lại theo quy định",
        "Điểm trung bình, kết quả học tập hoặc rèn luyện khác với kết quả tính lại theo quy định.",
    ),
    ConflictType(
        "GRADE_ASSESSMENTS_MISSING", "grades", "low",
        "Thiếu điểm đánh giá theo quy định",
        "Môn học thiếu điểm đánh giá thường xuyên, giữa kỳ hoặc cuối kỳ theo quy định.",
    ),
    ConflictType(
        "LOCKED_PERIOD_EDITED", "grades", "high",
        "Điểm kỳ đã khóa bị sửa",
        "Điểm của học kỳ đã khóa sổ bị thay đổi mà không có phê duyệt của Hiệu trưởng.",
    ),
    # -- sync: the school's data and the sector database ------------------------------------------
    ConflictType(
        "SYNC_OVERDUE", "sync", "high",
        "Chưa đồng bộ lên CSDL ngành đúng hạn",
        "Trường chưa đồng bộ dữ liệu lên CSDL ngành trong hạn sau khi kết thúc học kỳ.",
    ),
)  # fmt: skip

TYPE_LABELS: dict[str, str] = {code: t.label_vi for code, t in CONFLICT_TYPES.items()}
"""Code → Vietnamese label, for templates and lookups that want a plain mapping."""

__all__ = [
    "CONFLICT_STATUSES",
    "CONFLICT_TYPES",
    "FAMILY_LABELS",
    "FAMILY_ORDER",
    "OPEN_CONFLICT_STATUSES",
    "SEVERITY_LABELS",
    "SEVERITY_ORDER",
    "STATUS_LABELS",
    "TYPE_LABELS",
    "ConflictType",
    "family_of",
    "label_of",
    "severity_of",
    "severity_rank",
    "type_rank",
]


def severity_of(code: str) -> str:
    """The severity a rule gives a conflict of this type; a type not registered is a bug in the
    rule (``KeyError``), caught by the tests before a school sees an unnamed conflict."""
    return CONFLICT_TYPES[code].severity


def label_of(code: str) -> str:
    """What a school reads for this type; the code itself for a type no one registered."""
    entry = CONFLICT_TYPES.get(code)
    return entry.label_vi if entry else code


def family_of(code: str) -> str:
    entry = CONFLICT_TYPES.get(code)
    return entry.family if entry else "other"


def severity_rank(severity: str | None) -> int:
    """0 for the most severe; unknown severities sort last."""
    try:
        return SEVERITY_ORDER.index(severity or "")
    except ValueError:
        return len(SEVERITY_ORDER)


_TYPE_ORDER = tuple(CONFLICT_TYPES)


def type_rank(code: str) -> int:
    """Registry order (family by family); unknown types sort last."""
    try:
        return _TYPE_ORDER.index(code)
    except ValueError:
        return len(_TYPE_ORDER)
