"""Vietnamese messages for the problems ``doisoat.vn`` finds, in one place.

Each problem has a stable English code (used in data, tests and logs) and a message a school
officer can act on. ``text(code, **values)`` fills in the message.
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, str] = {
    # dates
    "DATE_MISSING": "Thiếu ngày tháng.",
    "DATE_UNREADABLE": (
        "Không đọc được ngày «{raw}»; hãy ghi theo dạng ngày/tháng/năm (dd/mm/yyyy)."
    ),
    "DATE_MONTH_FIRST": (
        "Ngày «{raw}» có vẻ được ghi theo kiểu tháng/ngày/năm; hãy ghi lại theo ngày/tháng/năm."
    ),
    "DATE_IMPOSSIBLE": "Ngày «{raw}» không có thật trên lịch (ví dụ 31/02); hãy kiểm tra lại.",
    "DATE_OUT_OF_RANGE": "Ngày «{raw}» nằm ngoài khoảng cho phép (từ năm 1900 đến năm 2100).",
    "DATE_AMBIGUOUS": (
        "Ngày «{raw}» có thể đọc là ngày/tháng hoặc tháng/ngày; đã đọc theo ngày/tháng, "
        "hãy xác nhận lại."
    ),
    "DATE_YEAR_ONLY": "Chỉ có năm «{raw}», thiếu ngày và tháng.",
    # student identity code (mã định danh Bộ GD&ĐT)
    "MOET_MISSING": "Học sinh chưa có mã định danh Bộ GD&ĐT.",
    "MOET_NOT_DIGITS": "Mã định danh «{raw}» có ký tự không phải chữ số.",
    "MOET_WRONG_LENGTH": "Mã định danh «{raw}» có {length} chữ số, phải có đúng 10 chữ số.",
    "MOET_PRECISION_LOST": (
        "Mã định danh «{raw}» đã bị Excel làm tròn (dạng số mũ); hãy lấy lại mã từ CSDL ngành "
        "và định dạng cột là Văn bản (Text)."
    ),
    "MOET_REPADDED": "Mã định danh «{raw}» bị Excel bỏ số 0 đầu; đã bổ sung thành {code}.",
    "MOET_PROVINCE_UNKNOWN": (
        "Hai chữ số đầu «{prefix}» của mã định danh {code} không phải mã tỉnh/thành nào "
        "(trước hay sau sắp xếp năm 2025); hãy đối chiếu với CSDL ngành."
    ),
    # personal identity code (số định danh cá nhân / CCCD)
    "PID_MISSING": "Thiếu số định danh cá nhân.",
    "PID_NOT_DIGITS": "Số định danh cá nhân «{raw}» có ký tự không phải chữ số.",
    "PID_WRONG_LENGTH": "Số định danh cá nhân «{raw}» có {length} chữ số, phải có đúng 12 chữ số.",
    "PID_PRECISION_LOST": (
        "Số định danh cá nhân «{raw}» đã bị Excel làm tròn (dạng số mũ); hãy nhập lại "
        "và định dạng cột là Văn bản (Text)."
    ),
    "PID_REPADDED": "Số định danh cá nhân «{raw}» bị Excel bỏ số 0 đầu; đã bổ sung thành {code}.",
    "PID_PROVINCE_UNKNOWN": (
        "Ba chữ số đầu «{prefix}» của số định danh {code} không phải mã tỉnh/thành nơi đăng ký "
        "khai sinh."
    ),
    "PID_CENTURY_INVALID": (
        "Chữ số thứ tư «{digit}» của số định danh {code} không phải mã thế kỷ và giới tính (0–5)."
    ),
    "PID_YEAR_MISMATCH": (
        "Số định danh {code} ghi năm sinh {pid_year}, nhưng ngày sinh là {dob} (năm {dob_year})."
    ),
    "PID_GENDER_MISMATCH": (
        "Số định danh {code} là của người {pid_gender}, nhưng hồ sơ ghi giới tính {gender}."
    ),
    # genders
    "GENDER_UNKNOWN": "Không hiểu giới tính «{raw}»; hãy ghi Nam hoặc Nữ.",
    # subjects
    "SUBJECT_UNKNOWN": "Không nhận ra môn học «{raw}».",
    # text encodings (data-quality reports)
    "TEXT_TCVN3": "Tên được gõ bằng bảng mã TCVN3 (ABC) cũ; đã chuyển sang Unicode.",
    "TEXT_VNI": "Tên được gõ bằng bảng mã VNI-Windows cũ; đã chuyển sang Unicode.",
    "TEXT_MOJIBAKE": "Tên bị lỗi phông (UTF-8 đọc nhầm thành Windows-1252); đã sửa.",
    "TEXT_CP1258": "Tên gõ bằng bảng mã Windows-1258 nhưng bị đọc nhầm thành Windows-1252; đã sửa.",
    "TEXT_NFD": "Tên dùng Unicode tổ hợp; đã chuyển sang Unicode dựng sẵn.",
    "TEXT_D_ETH": "Chữ «Ð» (eth) bị gõ thay cho «Đ»; đã sửa.",
}

GENDER_WORDS = {"M": "nam", "F": "nữ"}


def text(key: str, /, **values: Any) -> str:
    """The Vietnamese message for problem ``key`` with ``values`` filled in."""
    template = MESSAGES[key]
    return template.format(**{k: "" if v is None else v for k, v in values.items()})
