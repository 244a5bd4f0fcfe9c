"""Vietnamese messages of the signing package, in one place so a school officer reads one voice."""

from __future__ import annotations

NO_RECORDS = "Không tìm thấy học sinh có mã định danh {code} trong dữ liệu"
NOT_SECONDARY = (
    "Học sinh {code} không có năm học nào ở cấp THCS hoặc THPT: không thể lập học bạ có số "
    "theo mẫu mã định danh/THCS hoặc mã định danh/THPT"
)
BAD_IDENTITY_CODE = "Mã định danh «{code}» không hợp lệ (cần đúng 10 chữ số)"
XML_INVALID = "Tệp XML học bạ không đúng lược đồ {version}: {problem}"
XML_UNREADABLE = "Không đọc được XML học bạ: {problem}"
PLAN_INVALID = "Kế hoạch ký không hợp lệ: {problem}"
SIGNER_MISSING = "Chưa có chữ ký số cho vai trò «{role}» (trường chữ ký {field})"
SIGNER_OUT_OF_ORDER = "Ký sai thứ tự: «{field}» phải ký sau «{previous}»"
SIGNING_FAILED = "Không ký được học bạ ở trường chữ ký {field}: {problem}"
PKCS12_UNREADABLE = "Không mở được tệp chứng thư số {file}: sai mật khẩu hoặc tệp hỏng"
PKCS11_FAILED = "Không mở được thiết bị ký (token) «{token}»: {problem}"
TIMESTAMP_FAILED = "Không lấy được dấu thời gian từ máy chủ {url}: {problem}"
VALIDATION_DATA_FAILED = "Không lấy được dữ liệu kiểm tra chứng thư (OCSP/CRL): {problem}"
PDF_UNREADABLE = "Không đọc được tệp PDF {file}: {problem}"
RENDER_FAILED = "Không tạo được tệp PDF học bạ: {problem}"
COMMENT_TOO_LONG = (
    "Nhận xét của giáo viên chủ nhiệm năm học {year} của học sinh {student} dài {chars} ký tự, "
    "không vừa trang học bạ: hãy rút gọn nhận xét trong phần mềm quản lý trường học rồi lập lại"
)
STORE_UNAVAILABLE = "Không đọc được dữ liệu học bạ từ cơ sở dữ liệu: {problem}"
CLASS_EMPTY = "Lớp {class_name} năm học {year} của trường {school} không có học sinh nào"

# Verification report (what the receiving school reads).
CHECK_SIGNATURE_OK = "Chữ ký của {signer} ({role}) hợp lệ"
CHECK_NOT_INTACT = (
    "Chữ ký của {signer} ({role}) không còn nguyên vẹn: nội dung đã bị sửa sau khi ký"
)
CHECK_NOT_TRUSTED = "Chứng thư của {signer} ({role}) không được tin cậy: {problem}"
CHECK_MODIFIED_AFTER = "Tài liệu bị thay đổi sau chữ ký của {signer} ({role}): {change}"
CHECK_NOT_LAST_FULL = "Có phần nội dung được thêm vào sau chữ ký cuối cùng"
CHECK_NO_SIGNATURE = "Tài liệu không có chữ ký số nào"
CHECK_MISSING_ROLES = "Thiếu chữ ký của: {roles}"
CHECK_ORDER = "Thứ tự ký không đúng quy định: {problem}"
CHECK_NO_XML = "Tài liệu không đính kèm XML học bạ"
CHECK_XML_INVALID = "XML đính kèm không hợp lệ: {problem}"
CHECK_QR_MISMATCH = "Mã QR không khớp với số học bạ và mã băm của XML đính kèm"
CHECK_QR_MISSING = "Không tìm thấy mã QR trên trang bìa"

ROLE_NAMES = {
    "subject_teacher": "Giáo viên bộ môn",
    "homeroom": "Giáo viên chủ nhiệm",
    "principal": "Hiệu trưởng",
    "seal": "Con dấu của nhà trường",
    "timestamp": "Dấu thời gian",
}

CHANGE_NAMES = {
    "NONE": "không có thay đổi",
    "LTA_UPDATES": "chỉ thêm dữ liệu kiểm tra và dấu thời gian",
    "FORM_FILLING": "chỉ ký các ô chữ ký tiếp theo",
    "ANNOTATIONS": "thêm chú thích",
    "OTHER": "nội dung bị sửa hoặc thêm trang",
}
SUBJECT_WITHOUT_TEACHER = (
    "Lớp {class_name} năm học {year}: môn {subjects} chưa có giáo viên bộ môn ký trong cấu hình "
    "chữ ký số; hãy thêm giáo viên dạy môn này vào mục [teachers] của cấu hình rồi ký lại"
)
SIGNERS_CONFIG_INVALID = "Cấu hình chữ ký số «{file}» không hợp lệ: {problem}"
TEACHER_SUBJECT_UNKNOWN = (
    "Cấu hình chữ ký số, mục [teachers]: {subjects} không phải môn học nào trong dữ liệu của "
    "trường. Hãy ghi mã môn hoặc tên môn bằng tiếng Việt; các môn hợp lệ: {valid}"
)

# Wording printed on the học bạ itself (signing/render/, form.py).
TRANSFER_OUT = "Chuyển đi ngày {date} đến {school}"
TRANSFER_IN = "Chuyển đến ngày {date} từ {school}"
TRANSFER_OTHER = "Chuyển từ {origin} đến {destination} ngày {date}"
EARLIER_YEAR = (
    "Năm học này không có chữ ký số riêng trong bản học bạ này; nhà trường xác nhận kết quả ở "
    "trang {page}."
)
LEFT_BEFORE_END = "Chuyển trường trước khi kết thúc học kỳ {term}"
CLOSING = (
    "Học bạ này gồm {pages} trang, đánh số từ trang 1/{pages} đến trang {pages}/{pages}, ghi quá "
    "trình học tập và rèn luyện của học sinh {name}, mã định danh {code}, trong {span}. Nhà "
    "trường xác nhận nội dung trên đúng với hồ sơ lưu tại trường. Kèm theo là tệp dữ liệu "
    "hocba.xml; mã QR ở trang bìa ghi số học bạ và mã băm của tệp này."
)
