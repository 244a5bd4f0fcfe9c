"""Every Vietnamese word a district officer or a school reads in a report, worklist or check.

Kept in one place so that wording is reviewed once and stays consistent between the HTML report,
the Excel worklists and the data-quality results.
"""

from __future__ import annotations

from doisoat.conflict_types import FAMILY_LABELS, SEVERITY_LABELS, STATUS_LABELS, TYPE_LABELS

# The conflicts' own words (types, severities, statuses, families) live in the registry on the
# ground floor, shared with the web pages, so that a school reads the same label everywhere.
CONFLICT_TYPES: dict[str, str] = TYPE_LABELS
SEVERITIES: dict[str, str] = SEVERITY_LABELS
STATUSES: dict[str, str] = STATUS_LABELS
FAMILIES: dict[str, str] = FAMILY_LABELS

SOURCES: dict[str, str] = {
    "smas": "SMAS",
    "vnedu": "vnEdu",
    "vietschool": "Vietschool",
    "quangich": "Quảng Ích",
    "moet": "CSDL ngành",
}

LEVELS: dict[str, str] = {"primary": "Tiểu học", "thcs": "THCS", "thpt": "THPT"}

# Field names as a school officer knows them, for evidence.
FIELDS: dict[str, str] = {
    "moet_code": "Mã định danh",
    "personal_id": "Số định danh cá nhân",
    "full_name": "Họ và tên",
    "family_name": "Họ",
    "middle_name": "Tên đệm",
    "given_name": "Tên",
    "dob": "Ngày sinh",
    "gender": "Giới tính",
    "school_code": "Mã trường",
    "class_name": "Lớp",
    "grade": "Khối",
    "status": "Trạng thái",
    "status_date": "Ngày đổi trạng thái",
    "transfer_school_code": "Trường chuyển đi/đến",
    "subject": "Môn",
    "term": "Học kỳ",
    "average": "Điểm TB",
    "expected": "Tính lại",
    "exported": "Phần mềm ghi",
    "vendor": "Phần mềm",
    "registry": "CSDL ngành",
    "last_sync": "Lần đồng bộ cuối",
    "deadline": "Hạn đồng bộ",
    "suggested_code": "Mã đề xuất",
}

GENDERS: dict[str, str] = {"M": "Nam", "F": "Nữ"}

# Worklist columns, in order.
WORKLIST_COLUMNS: tuple[str, ...] = (
    "STT",
    "Mức độ",
    "Loại vấn đề",
    "Tình trạng",
    "Họ và tên",
    "Lớp",
    "Ngày sinh",
    "Mã định danh",
    "Nội dung",
    "Bằng chứng",
    "Đề xuất xử lý",
    "Phát hiện từ",
    "Số đêm tồn tại",
    "Mã hồ sơ",
    "Mã vấn đề",
    "Đã xử lý (ghi Có/Không)",
    "Ghi chú của trường",
)

SUMMARY_SHEET = "Tóm tắt"
ACKNOWLEDGED = "đã ghi nhận bởi {who}"
NO_ITEMS = "Không có vấn đề nào trong nhóm này."
WORKLIST_TITLE = "DANH SÁCH VIỆC CẦN XỬ LÝ — {school} ({code}) — đêm {night}"
WORKLIST_SUMMARY_HEADERS = ("Nhóm", "Loại vấn đề", "Mức độ", "Số lượng", "Mới đêm nay")

REPORT_TITLE = "Báo cáo đối soát dữ liệu học sinh — đêm {night}"
LABELS: dict[str, str] = {
    "summary": "Tổng quan",
    "schools": "Trường",
    "students": "Học sinh",
    "sources": "Nguồn dữ liệu",
    "conflicts_open": "Vấn đề đang mở",
    "by_type": "Vấn đề theo loại",
    "by_severity": "Vấn đề theo mức độ",
    "changes": "Thay đổi so với đêm trước",
    "previous_night": "Đêm trước",
    **STATUS_LABELS,  # new, persisting, acknowledged, reopened, resolved
    "per_school": "Chi tiết từng trường",
    "charts": "Biểu đồ",
    "chart_per_school": "Số vấn đề theo trường (nhiều nhất)",
    "chart_trend": "Diễn biến số vấn đề đang mở qua các đêm",
    "quality": "Kiểm tra chất lượng dữ liệu",
    "worklist": "Danh sách việc (Excel)",
    "type": "Loại vấn đề",
    "severity": "Mức độ",
    "count": "Số lượng",
    "school": "Trường",
    "school_code": "Mã trường",
    "vendor": "Phần mềm",
    "total": "Tổng",
    "source": "Nguồn",
    "expectation": "Tiêu chí",
    "critical": "Bắt buộc",
    "result": "Kết quả",
    "unexpected": "Số dòng không đạt",
    "examples": "Ví dụ",
    "passed": "Đạt",
    "failed": "Không đạt",
    "excluded": "Bị loại khỏi đêm nay",
    "excluded_sources": "Nguồn bị loại khỏi đêm nay do lỗi dữ liệu bắt buộc",
    "no_conflicts": "Không có vấn đề nào.",
    "no_quality": "Chưa có kết quả kiểm tra chất lượng cho đêm này.",
    "no_previous": "Chưa có đêm trước để so sánh.",
    "yes": "Có",
    "no": "Không",
    "generated": "Lập lúc",
    "nights": "Đêm",
    "open": "Đang mở",
    "other_school": "(không thuộc trường nào)",
    "all_schools_ok": "Tất cả các trường còn lại không có vấn đề.",
    "schools_without_conflicts": "Trường không có vấn đề",
    "snapshots": "Ảnh chụp dữ liệu",
    "snapshots_failed": "Số ảnh chụp không đạt",
    "criteria": "tiêu chí",
}

# What each data-quality expectation checks, in words (keyed by expectation type).
EXPECTATIONS: dict[str, str] = {
    "expect_table_columns_to_match_set": "Đủ các cột bắt buộc",
    "expect_column_to_exist": "Có cột",
    "expect_column_values_to_not_be_null": "Không để trống",
    "expect_column_values_to_match_regex": "Đúng định dạng",
    "expect_column_values_to_be_in_set": "Giá trị hợp lệ",
    "expect_column_values_to_be_between": "Trong khoảng cho phép",
    "expect_compound_columns_to_be_unique": "Không trùng trong một trường",
    "expect_column_values_to_be_unique": "Không trùng",
}

SNAPSHOT_EXCLUDED = (
    "Dữ liệu {source} của trường {school} bị loại khỏi đêm đối soát này vì không đạt tiêu chí "
    "bắt buộc: {criteria}."
)
QUALITY_MISSING_COLUMN = "Thiếu cột «{column}»"
SUITE_INVALID = "Bộ tiêu chí chất lượng «{suite}» không hợp lệ: {reason}"
SUITE_MISSING = "Không tìm thấy bộ tiêu chí chất lượng cho nguồn «{source}»"

