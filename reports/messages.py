"""Every Vietnamese word a district officer or a school reads in a report, worklist or check.

Kept in one place so that wording is reviewed once and stays consistent between the HTML report,
the Excel worklists and the data-quality results.
"""

from __future__ import annotations

from doisoat.conflict_types import FAMILY_LABELS, SEVERITY_LABELS, STATUS_LABELS, TYPE_LABELS
from doisoat.glossary import SOURCE_LABELS

# The conflicts' own words (types, severities, statuses, families) live in the registry on the
# ground floor, shared with the web pages, so that a school reads the same label everywhere.
CONFLICT_TYPES: dict[str, str] = TYPE_LABELS
SEVERITIES: dict[str, str] = SEVERITY_LABELS
STATUSES: dict[str, str] = STATUS_LABELS
FAMILIES: dict[str, str] = FAMILY_LABELS

# Sources and field names have one home, the glossary on the ground floor, shared with the pages.
SOURCES: dict[str, str] = SOURCE_LABELS

LEVELS: dict[str, str] = {"primary": "Tiểu học", "thcs": "THCS", "thpt": "THPT"}

# Worklist columns, in order.
ANSWER_HEADER = "Trả lời của trường (chọn)"
NOTE_HEADER = "Ghi chú / lý do của trường"
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
    "Trường liên quan",
    "Phát hiện từ",
    "Số đêm tồn tại",
    "Mã hồ sơ",
    "Mã vấn đề",
    ANSWER_HEADER,
    NOTE_HEADER,
)

# The school's answers (the drop-down), and what each does when the file comes back. No comma
# in any of them: Excel splits a list validation's items on commas, and «Đúng, giữ nguyên» was
# two items in the drop-down (neither of which the reader knew).
WORKLIST_ANSWERS: dict[str, str] = {
    "Đã sửa trong phần mềm": "fixed",
    "Đúng — giữ nguyên (ghi lý do)": "acknowledge",
    "Không đúng — đề nghị Phòng xem lại": "disputed",
    "Đang xử lý": "in_progress",
}
# The words of earlier worklists (typed by hand there): files already sent out still count.
EARLIER_ANSWERS: dict[str, str] = {
    "Đúng, giữ nguyên (ghi lý do)": "acknowledge",
    "Đúng, giữ nguyên": "acknowledge",
    "Không đúng, đề nghị Phòng xem lại": "disputed",
}
ACKNOWLEDGED_MARK = "✔ "
ANSWER_PROMPT = "Chọn một câu trả lời trong danh sách; ghi lý do ở cột bên phải."
ANSWER_REFUSED = "Chỉ chọn một câu trả lời có trong danh sách."
# Refusals of an uploaded worklist (the rows are Excel's row numbers).
UPLOAD_NOT_WORKLIST = (
    "Tệp này không phải danh sách việc do hệ thống đối soát lập (hoặc đã bị lưu sang định dạng "
    "khác). Hãy tải danh sách việc của trường, trả lời trong tệp đó rồi tải lên lại."
)
UPLOAD_OTHER_SCHOOL = (
    "Tệp này là danh sách việc của trường có mã {school}, không phải của trường bạn: không "
    "ghi nhận câu trả lời nào."
)
UPLOAD_OTHER_NIGHT = (
    "Tệp này là danh sách việc của đêm {night}, không phải đêm {expected}: không ghi nhận câu "
    "trả lời nào."
)
UPLOAD_HEADER_CHANGED = "Dòng tiêu đề của trang này đã bị sửa: không đọc được các câu trả lời."
UPLOAD_ROW_UNKNOWN = (
    "Dòng {row}: mã vấn đề không có trong danh sách việc gốc (dòng bị chép từ tệp khác hoặc "
    "mã bị sửa): không ghi nhận."
)
UPLOAD_ROW_ALTERED = (
    "Dòng {row}: nội dung dòng đã bị sửa so với danh sách việc gốc (chỉ được điền hai cột "
    "trả lời và ghi chú): không ghi nhận."
)
UPLOAD_ANSWER_UNKNOWN = "Dòng {row}: câu trả lời không có trong danh sách chọn: không ghi nhận."
UPLOAD_REASON_MISSING = (
    "Dòng {row}: chọn «Đúng — giữ nguyên» thì phải ghi lý do ở cột ghi chú: không ghi nhận."
)

GUIDE_SHEET = "Hướng dẫn"
GUIDE_LINES: tuple[str, ...] = (
    "CÁCH DÙNG DANH SÁCH VIỆC CẦN XỬ LÝ",
    "",
    "1. Mỗi trang (Mã định danh, Trùng lặp, Chuyển trường, Điểm…) liệt kê các vấn đề của trường "
    "về một nhóm; trang «Tóm tắt» cho biết số lượng theo loại.",
    "2. Các dòng xếp theo lớp, rồi theo mức độ (nghiêm trọng trước), rồi theo tên học sinh.",
    "3. Đọc cột «Nội dung», «Bằng chứng» và «Đề xuất xử lý»; sửa dữ liệu trong phần mềm quản lý "
    "của trường (SMAS, vnEdu, Vietschool, Quảng Ích) hoặc trên CSDL ngành.",
    "4. Ở cột «Trả lời của trường (chọn)», chọn một câu trả lời trong danh sách:",
    "   • «Đã sửa trong phần mềm»: đêm đối soát sau sẽ kiểm tra lại và đóng vấn đề nếu đã hết.",
    "   • «Đúng — giữ nguyên (ghi lý do)»: dữ liệu đúng như vậy; BẮT BUỘC ghi lý do ở cột "
    "«Ghi chú / lý do của trường». Vấn đề được ghi nhận là đã xác nhận.",
    "   • «Không đúng — đề nghị Phòng xem lại»: ghi rõ vì sao ở cột ghi chú.",
    "   • «Đang xử lý»: trường đã nhận và đang làm.",
    "5. Chỉ điền hai cột cuối. Không sửa, không xóa các cột khác, không đổi tên trang: dòng bị "
    "sửa sẽ bị từ chối khi tải lên.",
    "6. Lưu tệp (giữ định dạng .xlsx) và tải lên ở trang «Danh sách việc» của trường, mục «Tải "
    "lên tệp đã trả lời». Mỗi câu trả lời được ghi vào nhật ký, kèm tên người tải lên.",
    "7. Vấn đề liên quan đến trường khác chỉ ghi tên và mã trường đó; dữ liệu học sinh do trường "
    "khác nắm giữ không hiển thị. Liên hệ trường đó qua Phòng GDĐT.",
    "8. Dòng có dấu ✔ ở cột «Tình trạng» là vấn đề đã được xác nhận: vẫn giữ trong danh sách "
    "cho đến khi dữ liệu được sửa.",
)

WITHHELD = "(dữ liệu của trường khác)"
"""What a school reads where another school's data is withheld: its class, its local number, the
student as that school writes them (:mod:`reports.withhold`)."""
WITHHELD_STUDENT = "(học sinh trường khác)"
"""Where another school's *different* student (a code shared across schools) is withheld."""
WITHHELD_RECORD = "(hồ sơ của trường khác)"
"""Where another school's record id is withheld."""
CONTACT_DISTRICT = "Liên hệ trường này qua Phòng GDĐT."
CONTACT_PEOPLE = "Liên hệ {school}: {people} (quản trị trường)."
"""How to reach another school: the store keeps no school's contact, the district has them."""

SUMMARY_SHEET = "Tóm tắt"
ACKNOWLEDGED = "đã ghi nhận bởi {who}"
NO_ITEMS = "Không có vấn đề nào trong nhóm này."
WORKLIST_TITLE = "DANH SÁCH VIỆC CẦN XỬ LÝ — {school} ({code}) — đêm {night}"
WORKLIST_SUMMARY_HEADERS = ("Nhóm", "Loại vấn đề", "Mức độ", "Số lượng", "Mới đêm nay")

NO_RUN = (
    "Đêm {night} chưa có lượt đối soát nào hoàn tất: không có báo cáo cho đêm này (kiểm tra lại "
    "ngày, hoặc chạy «doisoat nightly» cho đêm đó)."
)
LAST_RUN = "Đêm gần nhất đã đối soát: {night}."
SILENT_SCHOOLS = "Trường không gửi dữ liệu đêm nay"
SENT_NOTHING = "Không gửi đêm nay — lần cuối {night}"
NEVER_SENT = "Chưa từng gửi dữ liệu"
SENT_TONIGHT = "Đã gửi"

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
    "export_tonight": "Dữ liệu đêm nay",
    "silent_schools": "Trường không gửi dữ liệu đêm nay",
    "last_export": "Lần gửi cuối",
    "students_latest": "Học sinh (theo lần gửi gần nhất)",
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

