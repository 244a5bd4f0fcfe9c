"""Every Vietnamese string the pages and the API show, in one place."""

from __future__ import annotations

ROLES = {
    "district_officer": "Cán bộ Phòng GDĐT",
    "school_admin": "Quản trị nhà trường",
    "principal": "Hiệu trưởng",
    "teacher": "Giáo viên",
}

SEVERITIES = {"critical": "Nghiêm trọng", "high": "Cao", "medium": "Trung bình", "low": "Thấp"}

STATUSES = {
    "new": "Mới",
    "persisting": "Còn tồn tại",
    "acknowledged": "Đã xác nhận",
    "reopened": "Mở lại",
    "resolved": "Đã giải quyết",
}

CONFLICT_TYPES = {
    "ID_MISSING": "Thiếu mã định danh",
    "ID_INVALID": "Mã định danh sai định dạng",
    "ID_NOT_IN_REGISTRY": "Mã định danh không có trong CSDL ngành",
    "ID_MISMATCH": "Mã định danh thuộc học sinh khác",
    "ID_DUPLICATE": "Một học sinh có nhiều mã",
    "ID_SHARED": "Nhiều học sinh dùng chung mã",
    "UNREGISTERED": "Học sinh chưa có trong CSDL ngành",
    "DEMOGRAPHIC_DRIFT": "Thông tin cá nhân khác CSDL ngành",
    "PERSONAL_ID_INCONSISTENT": "Số định danh cá nhân không khớp",
    "TRANSFER_UNRECEIVED": "Chuyển đi nhưng chưa được tiếp nhận",
    "DUAL_ENROLLMENT": "Đang học ở hai trường",
    "TRANSFER_CODE_CHANGED": "Trường tiếp nhận cấp mã mới",
    "TRANSFER_RECORD_MISMATCH": "Điểm các kỳ trước không khớp trường cũ",
    "GRADE_AVERAGE_MISMATCH": "Điểm trung bình không khớp",
    "LOCKED_PERIOD_EDITED": "Sửa điểm kỳ đã khóa",
    "SYNC_OVERDUE": "Quá hạn đồng bộ",
}

FIELDS = {
    "source": "Nguồn",
    "school_code": "Mã trường",
    "local_id": "Mã học sinh tại trường",
    "moet_code": "Mã định danh Bộ GD&ĐT",
    "personal_id": "Số định danh cá nhân",
    "full_name": "Họ và tên",
    "dob": "Ngày sinh",
    "gender": "Giới tính",
    "ethnicity": "Dân tộc",
    "birthplace": "Nơi sinh",
    "school_year": "Năm học",
    "grade": "Khối",
    "class_name": "Lớp",
    "status": "Trạng thái",
    "status_date": "Ngày trạng thái",
    "transfer_school_code": "Trường chuyển đến/đi",
    "src_file": "Tệp nguồn",
    "src_row": "Dòng",
}

LABELS = {
    "app": "Đối soát dữ liệu học sinh",
    "login": "Đăng nhập",
    "logout": "Đăng xuất",
    "username": "Tên đăng nhập",
    "password": "Mật khẩu",
    "dashboard": "Tổng quan",
    "worklist": "Danh sách cần xử lý",
    "runs": "Lịch sử đối soát",
    "audit": "Nhật ký thay đổi",
    "school": "Trường",
    "all_schools": "Tất cả các trường",
    "type": "Loại",
    "severity": "Mức độ",
    "status": "Trạng thái",
    "night": "Đêm đối soát",
    "filter": "Lọc",
    "conflict": "Xung đột",
    "message": "Nội dung",
    "first_seen": "Phát hiện lần đầu",
    "last_seen": "Thấy lần cuối",
    "suggested_fix": "Cách sửa đề xuất",
    "evidence": "Bằng chứng",
    "comparison": "So sánh từng trường thông tin",
    "records": "Bản ghi liên quan",
    "history": "Lịch sử",
    "acknowledge": "Xác nhận đã biết",
    "resolve": "Đánh dấu đã giải quyết",
    "reason": "Lý do",
    "submit": "Gửi",
    "open_total": "Xung đột đang mở",
    "by_type": "Theo loại",
    "by_school": "Theo trường",
    "count": "Số lượng",
    "started": "Bắt đầu",
    "finished": "Kết thúc",
    "actor": "Người thực hiện",
    "action": "Hành động",
    "at": "Thời điểm",
    "before": "Trước",
    "after": "Sau",
    "none": "Không có dữ liệu.",
    "previous": "Trang trước",
    "next": "Trang sau",
    "differs": "khác nhau",
    "acknowledged_by": "Người xác nhận",
    "signed_in_as": "Đăng nhập với tên",
    "download_csv": "Tải CSV",
    "any": "(tất cả)",
    "other_school": "(học sinh trường khác)",
}

ERRORS = {
    "bad_login": "Tên đăng nhập hoặc mật khẩu không đúng.",
    "no_token": "Cần đăng nhập hoặc gửi mã truy cập (API token).",
    "bad_token": "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.",
    "forbidden": "Bạn không có quyền thực hiện thao tác này.",
    "nul_character": "Yêu cầu chứa ký tự rỗng (NUL) trong mã, bộ lọc hoặc tên tệp: không hợp lệ.",
    "other_school": "Bạn chỉ được xem dữ liệu của trường mình.",
    "not_found": "Không tìm thấy {what}.",
    "reason_required": "Cần ghi rõ lý do.",
    "already_resolved": "Xung đột này đã được giải quyết.",
    "bad_filter": "Giá trị lọc không hợp lệ: {field}.",
    "unavailable": "Chức năng «{feature}» chưa sẵn sàng trên máy chủ này.",
    "too_large": "Tệp quá lớn: tối đa {limit} MB.",
    "bad_name": "Tên tệp không hợp lệ: {name}.",
    "bad_suffix": "Chỉ nhận tệp .xlsx, .xls, .csv, .xml hoặc .json (tệp: {name}).",
    "unsafe_xml": "Tệp XML chứa khai báo DTD/thực thể (không an toàn): {name}.",
    "bad_xml": "Tệp XML bị hỏng: {name}.",
    "empty_file": "Tệp rỗng: {name}.",
    "csrf": "Phiên làm việc đã hết hạn, vui lòng tải lại trang.",
    "bad_role": "Vai trò không hợp lệ: {role}.",
    "school_required": "Vai trò {role} cần mã trường.",
    "audit_append_only": "Nhật ký thay đổi chỉ được ghi thêm, không được sửa hay xóa.",
    "bad_night": "Ngày không hợp lệ: {raw} (cần dd/mm/yyyy hoặc yyyy-mm-dd).",
}


def error(key: str, **values: object) -> str:
    return ERRORS[key].format(**values)


# Human link decisions on a conflict's records (link_routes, link_pages, _link_form.html).
LINK = {
    "title": "Hai bản ghi này có phải cùng một học sinh?",
    "hint": "Quyết định được giữ cho mọi đêm đối soát sau và ghi vào nhật ký thay đổi.",
    "left": "Bản ghi thứ nhất",
    "right": "Bản ghi thứ hai",
    "same": "Cùng một học sinh",
    "different": "Không phải cùng học sinh",
    "undo": "Hủy liên kết",
    "done_same": "Đã ghi nhận: hai bản ghi là cùng một học sinh.",
    "done_different": "Đã ghi nhận: hai bản ghi không phải cùng một học sinh.",
    "done_undo": "Đã hủy liên kết: hai bản ghi sẽ không được liên kết lại.",
}


# Signing issued transcripts through the service (signing_service, signing_routes, signing_pages).
ERRORS.update(
    {
        "sign_role_forbidden": "Vai trò «{role}» không được ký học bạ.",
        "sign_field_forbidden": "Vai trò «{role}» không được ký ô «{label}».",
        "sign_unknown_field": "Học bạ {name} không có ô chữ ký «{field}».",
        "sign_already": "Ô «{label}» của học bạ {name} đã được ký.",
        "sign_out_of_order": "Chưa thể ký ô «{label}»: học bạ còn thiếu chữ ký của {missing}.",
        "sign_bad_pkcs12": (
            "Không mở được tệp chứng thư số: sai mật khẩu hoặc tệp không phải PKCS#12 "
            "(.p12/.pfx). Học bạ không bị thay đổi."
        ),
        "sign_pkcs12_too_large": "Tệp chứng thư số quá lớn: tối đa {limit} KB.",
        "sign_bad_pdf": "Không đọc được các ô chữ ký của học bạ {name}: {problem}",
        "sign_failed": "Không ký được học bạ {name}: {problem}",
    }
)
LABELS.update(
    {
        "transcripts": "Học bạ",
        "transcript": "Học bạ",
        "signatures": "Chữ ký",
        "signed": "Đã ký",
        "unsigned": "Chưa ký",
        "sign": "Ký",
        "sign_field": "Ô chữ ký",
        "pkcs12": "Tệp chứng thư số (.p12, .pfx)",
        "passphrase": "Mật khẩu chứng thư số",
        "download": "Tải về",
        "complete": "Đã ký đủ",
        "sign_done": "Đã ký ô «{label}» của học bạ {name}.",
        "nothing_to_sign": "Bạn không có ô nào cần ký ở học bạ này lúc này.",
    }
)
