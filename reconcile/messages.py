"""Every Vietnamese sentence the reconcile package shows a school or a district office."""

from __future__ import annotations

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
