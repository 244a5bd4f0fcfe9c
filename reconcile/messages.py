"""Every Vietnamese sentence the reconcile package shows a school or a district office."""

from __future__ import annotations

from doisoat.glossary import label

FIELD_VI = {
    "full_name": "họ tên",
    "family_name": "họ",
    "middle_name": "tên đệm",
    "given_name": "tên",
    "dob": "ngày sinh",
    "gender": "giới tính",
    "moet_code": "mã định danh",
    "personal_id": "số định danh cá nhân",
}

GENDER_VI = {"M": "Nam", "F": "Nữ"}

MESSAGES = {
    "ID_MISSING": "Học sinh {name} ({klass}) chưa có mã định danh Bộ GD&ĐT.",
    "ID_INVALID": "Mã định danh «{given}» của học sinh {name} ({klass}) không hợp lệ: {problem}.",
    "ID_NOT_IN_REGISTRY": (
        "Mã định danh {given} của học sinh {name} ({klass}) không có trong CSDL ngành."
    ),
    "ID_MISMATCH": (
        "Mã định danh {given} của học sinh {name} ({klass}) thuộc về học sinh khác trong "
        "CSDL ngành: {owner}."
    ),
    "ID_DUPLICATE": "Học sinh {name} có {count} mã định danh trong CSDL ngành: {codes}.",
    "ID_SHARED": "Mã định danh {given} đang được dùng cho {count} học sinh khác nhau: {names}.",
    "UNREGISTERED": (
        "Học sinh {name} ({klass}, sinh {dob}) không khớp với học sinh nào trong CSDL ngành."
    ),
    "DEMOGRAPHIC_DRIFT": ("Thông tin của học sinh {name} ({klass}) khác với CSDL ngành: {fields}."),
    "PERSONAL_ID_INCONSISTENT": (
        "Số định danh cá nhân {pid} của học sinh {name} ({klass}) {reason}."
    ),
}

FIXES = {
    "ID_MISSING_SUGGEST": "Nhập mã định danh {code} cho học sinh {name} (khớp với CSDL ngành).",
    "ID_MISSING_NONE": (
        "Tra cứu mã định danh của học sinh {name} trên CSDL ngành và nhập vào phần mềm."
    ),
    "CHANGE_CODE": "Đổi mã định danh {given} thành {code} cho học sinh {name}.",
    "CHECK_CODE": "Kiểm tra lại mã định danh của học sinh {name} trên CSDL ngành.",
    "ID_DUPLICATE": (
        "Giữ mã {keep} và đề nghị Sở/Phòng GDĐT hủy mã {drop} (cùng một học sinh {name})."
    ),
    "ID_SHARED": (
        "Mã {given} là của học sinh {owner}; đổi mã cho các học sinh còn lại theo CSDL ngành."
    ),
    "UNREGISTERED": "Khai báo học sinh {name} lên CSDL ngành để được cấp mã định danh.",
    "DEMOGRAPHIC_DRIFT": "Sửa {changes} theo CSDL ngành (hoặc đề nghị CSDL ngành cập nhật).",
    "PID_FIX": "Kiểm tra số định danh cá nhân {pid} của học sinh {name} với giấy khai sinh/CCCD.",
}

PID_REASONS = {
    "gender_digit": "không khớp giới tính ({gender})",
    "birth_year": "không khớp năm sinh ({year})",
    "century": "không khớp thế kỷ của năm sinh ({year})",
    "shared": "đang được dùng cho {count} học sinh khác nhau",
}

INVALID_PROBLEM = "không phải 10 chữ số"
NO_CLASS = "chưa rõ lớp"


def klass(row: dict) -> str:
    """'lớp 6A1, trường X' for messages; what a school officer uses to find the student."""
    cls = row.get("class_name") or NO_CLASS
    return f"lớp {cls}, trường {row.get('school_code')}" if row.get("class_name") else cls


def date_vi(value) -> str:
    return value.strftime("%d/%m/%Y") if value is not None else "?"


def field_value_vi(field: str, value) -> str:
    if value is None or value == "":
        return "(trống)"
    if field == "dob":
        return date_vi(value)
    if field == "gender":
        return GENDER_VI.get(value, str(value))
    return str(value)


GRADES_VI = {
    "average": (
        "Điểm trung bình môn {subject} {term} của học sinh {name} ({klass}) là {exported}, "
        "tính lại theo quy định được {recomputed}."
    ),
    "rating": (
        "Kết quả cả năm môn {subject} của học sinh {name} ({klass}) là «{exported}», nhưng "
        "theo quy định phải là kết quả học kỳ II: «{recomputed}»."
    ),
    "academic": (
        "Kết quả học tập {term} của học sinh {name} ({klass}) là «{exported}», tính lại theo "
        "{regime} được «{recomputed}»."
    ),
    "conduct": (
        "Kết quả rèn luyện cả năm của học sinh {name} ({klass}) là «{exported}», tính từ hai "
        "học kỳ theo TT22 được «{recomputed}»."
    ),
    "FIX": "Kiểm tra lại điểm và cho phần mềm tính lại {what}; sửa thành «{recomputed}» nếu "
    "điểm thành phần đúng.",
    "regular_count": (
        "Môn {subject} {term} của học sinh {name} ({klass}) có {count} điểm đánh giá thường "
        "xuyên, quy định yêu cầu ít nhất {required}."
    ),
    "component": "Môn {subject} {term} của học sinh {name} ({klass}) thiếu điểm {component}.",
    "FIX_MISSING": "Nhập đủ điểm đánh giá môn {subject} {term} vào sổ điểm.",
    "WHAT": {
        "average": "điểm trung bình môn",
        "rating": "kết quả môn học",
        "academic": "kết quả học tập",
        "conduct": "kết quả rèn luyện",
    },
    "COMPONENT": {"midterm": "giữa kỳ", "final": "cuối kỳ"},
    "TERM": {"1": "học kỳ I", "2": "học kỳ II", "year": "cả năm"},
    "REGIME": {"tt22": "Thông tư 22", "tt58": "Thông tư 58 (sửa đổi bởi Thông tư 26)"},
    "NO_CLASS": "chưa rõ lớp",
}

TRANSFERS_VI = {
    "TRANSFER_UNRECEIVED": (
        "Học sinh {name} đã chuyển đi từ trường {school} ngày {date} (nơi đến: {to}) nhưng sau "
        "{days} ngày vẫn chưa được trường nào tiếp nhận."
    ),
    "TRANSFER_UNRECEIVED_FIX": (
        "Liên hệ trường {to} để tiếp nhận học sinh {name} trên CSDL ngành; nếu học sinh không "
        "đến, cập nhật lại trạng thái tại trường {school}."
    ),
    "DUAL_ENROLLMENT": ("Học sinh {name} đang có tên ở {count} trường cùng lúc: {schools}."),
    "DUAL_ENROLLMENT_FIX": (
        "Trường {sending} thực hiện «Chuyển đi» cho học sinh {name} (trường {receiving} đã "
        "tiếp nhận)."
    ),
    "DUAL_ENROLLMENT_FIX_UNKNOWN": (
        "Xác định trường học sinh {name} đang thực học; các trường còn lại cập nhật trạng thái."
    ),
    "TRANSFER_CODE_CHANGED": (
        "Học sinh {name} chuyển đến trường {school} được gán mã định danh mới {new} trong khi "
        "đã có mã {old} ở trường cũ ({previous})."
    ),
    "TRANSFER_CODE_CHANGED_FIX": (
        "Dùng lại mã định danh {old} cho học sinh {name} (mỗi học sinh chỉ có một mã suốt đời) "
        "và đề nghị Sở/Phòng GDĐT hủy mã {new}."
    ),
    "TRANSFER_RECORD_MISMATCH": (
        "Điểm các học kỳ trước của học sinh {name} tại trường {receiving} khác với hồ sơ của "
        "trường chuyển đi {sending}: {count} chỗ khác ({subjects})."
    ),
    "TRANSFER_RECORD_MISMATCH_FIX": (
        "Đối chiếu học bạ do trường {sending} cấp và sửa điểm tại trường {receiving} cho khớp."
    ),
    "UNKNOWN_SCHOOL": "chưa rõ",
    "NO_DATE": "(không rõ ngày)",
    "NO_NAME": "(không tên)",
}

LOCKED_VI = {
    "LOCKED_PERIOD_EDITED": (
        "Điểm môn {subject} {term} năm học {year} của học sinh {name} ({klass}) đã bị sửa sau "
        "khi khóa sổ ({changes}) mà không có phê duyệt của Hiệu trưởng."
    ),
    "FIX": (
        "Khôi phục điểm đã khóa sổ, hoặc lập biên bản điều chỉnh điểm có phê duyệt của Hiệu "
        "trưởng và ghi nhận vào hệ thống."
    ),
    "FIELD": {
        "regular_scores": "điểm thường xuyên",
        "midterm": "điểm giữa kỳ",
        "final": "điểm cuối kỳ",
        "average": "điểm trung bình",
        "rating": "kết quả",
        "row": "cả dòng điểm",
    },
    "ADDED": "thêm mới",
    "REMOVED": "bị xóa",
    "TERM": {"1": "học kỳ I", "2": "học kỳ II", "year": "cả năm"},
    "NO_CLASS": "chưa rõ lớp",
}

SYNC_VI = {
    "SYNC_OVERDUE": (
        "Trường {school} chưa đồng bộ dữ liệu lên CSDL ngành sau khi kết thúc {term} "
        "({term_end}); hạn chót là {deadline}, lần đồng bộ gần nhất: {last_sync}."
    ),
    "SYNC_OVERDUE_FIX": "Trường {school} đồng bộ dữ liệu {term} lên CSDL ngành ngay.",
    "TERM": {"1": "học kỳ I", "year": "năm học"},
    "NEVER": "chưa từng đồng bộ",
}

LIFECYCLE_VI = {
    "NIGHT": "Đối soát đêm {night}",
    "UNKNOWN": "Không tìm thấy xung đột {conflict_id}.",
    "RESOLVED": "Xung đột {conflict_id} đã được giải quyết ngày {night}, không cần xác nhận.",
    "WHO_WHY": "Cần ghi rõ người xác nhận và lý do.",
    "OUT_OF_ORDER": (
        "Đêm {night} cũ hơn lần đối soát gần nhất ({last}); không thể ghi đè lịch sử."
    ),
}

DECISIONS_VI = {
    "UNKNOWN": "Không tìm thấy bản ghi học sinh: {records}.",
    "SELF": "Hai mã bản ghi trùng nhau: một bản ghi luôn là chính nó.",
    "KIND": "Quyết định phải là «cùng một học sinh» hoặc «khác học sinh».",
    "WHO_WHY": "Cần ghi rõ người quyết định và lý do.",
}

# The linkage engine refusing its input (reconcile/engine.py).
ENGINE_VI = {
    "NOT_A_FRAME": "Dữ liệu {what} không phải là một bảng dữ liệu",
    "MISSING_COLUMNS": "Bảng {what} thiếu cột bắt buộc: {columns}",
    "DUPLICATE_IDS": "Bảng {what}: cột mã bản ghi «{column}» có giá trị trùng",
    "PROFILE_COLUMN": "Bảng {what} thiếu cột mà cấu hình đối sánh cần dùng",
    "COMPONENTS_DIVERGED": (
        "Không gom được các bản ghi thành từng học sinh sau {rounds} vòng tính toán"
    ),
}

# Which input of the engine: a generic engine has a first and a second table, or one table.
SIDE_VI = {"left": "thứ nhất (bên trái)", "right": "thứ hai (bên phải)", "table": "dữ liệu"}


def missing_columns_vi(what: str, columns: list[str]) -> str:
    """«Bảng … thiếu cột bắt buộc: «dob» (Ngày sinh)»: each column by its canonical name, which
    the file's header must map to, and by the words an officer knows it by."""
    named = [
        f"«{c}»" + (f" ({label('field', c)})" if label("field", c) != c else "") for c in columns
    ]
    return ENGINE_VI["MISSING_COLUMNS"].format(
        what=SIDE_VI.get(what, what), columns=", ".join(named)
    )
