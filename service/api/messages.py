"""Every Vietnamese string the pages and the API show, in one place."""

from __future__ import annotations

from doisoat.conflict_types import SEVERITY_LABELS, STATUS_LABELS, TYPE_LABELS

ROLES = {
    "district_officer": "Cán bộ Phòng GDĐT",
    "school_admin": "Quản trị nhà trường",
    "principal": "Hiệu trưởng",
    "teacher": "Giáo viên",
}

# The conflicts' own words (types, severities, statuses) live in the registry on the ground
# floor, shared with the report and the Excel worklists: a school reads one label everywhere.
SEVERITIES = SEVERITY_LABELS
STATUSES = STATUS_LABELS
CONFLICT_TYPES = TYPE_LABELS

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
    "open": "Đang mở",
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


# What a "not found" answer names (``services.not_found``), by the English key the code uses.
THINGS = {
    "conflict": "xung đột {id}",
    "student": "học sinh {id}",
    "run": "lần đối soát {id}",
    "school": "trường",
    "file": "tệp",
    "report": "báo cáo",
    "transcript": "học bạ",
    "action": "thao tác",
}

# The OpenAPI description (``/docs``): the API, its answers and its fields, for the people who
# connect other tools to it.
API_DOC = {
    "app": "Đối soát dữ liệu học sinh — API. Mọi yêu cầu được phân quyền theo trường.",
    "error_detail": "Thông báo lỗi bằng tiếng Việt",
    "401": "Chưa đăng nhập / mã truy cập sai",
    "403": "Không có quyền",
    "404": "Không tìm thấy",
    "422": "Dữ liệu không hợp lệ",
    "reason": "Lý do (bắt buộc)",
    "record_id": "Mã bản ghi học sinh",
    "decision": (
        "same: cùng một học sinh; different: không phải cùng học sinh; "
        "undo: hủy liên kết (không liên kết lại)"
    ),
    "transcripts_tag": "học bạ",
    "sign_400": "Sai mật khẩu hoặc tệp không phải PKCS#12; học bạ không bị thay đổi",
    "sign_403": "Không có quyền (trường khác, hoặc vai trò không được ký ô này)",
    "sign_409": "Ô đã được ký, hoặc chưa đủ chữ ký của các vai trò ký trước",
    "sign_413": "Tệp chứng thư số quá lớn",
    "field_name": "Tên ô chữ ký: GVBM_…, GVCN, HIEUTRUONG, DAUTRUONG",
    "field_label": "Người ký, bằng tiếng Việt",
    "field_yours": "Vai trò của người gọi được ký ô này",
    "complete": "Mọi ô chữ ký đã được ký",
    "signable": "Các ô người gọi có thể ký ngay bây giờ",
    "problem": "Vì sao không đọc được tệp",
    "serial": "Số sê-ri chứng thư (hệ 16)",
    "sign_field": "Ô chữ ký",
    "pkcs12": "Chứng thư số của người ký (.p12/.pfx)",
    "passphrase": "Mật khẩu chứng thư số",
}


# Requests refused before any route runs (app.py): a value out of range or of the wrong kind,
# text that is no text. ``INPUT_NAMES`` says which input, in words (other names as given).
ERRORS.update(
    {
        "invalid_input": "Dữ liệu gửi lên không hợp lệ: {fields}.",
        "lone_surrogate": (
            "Yêu cầu chứa ký tự Unicode không hợp lệ (nửa cặp thay thế, ví dụ \\ud800): "
            "hãy gửi lại văn bản UTF-8 đúng."
        ),
    }
)
INPUT_NAMES = {
    "page": "số trang",
    "limit": "số dòng",
    "offset": "vị trí bắt đầu",
    "body": "nội dung yêu cầu",
    "username": "tên đăng nhập",
    "password": "mật khẩu",
    "reason": "lý do",
    "school": "mã trường",
    "night": "đêm đối soát",
}

# ``POST /runs`` refused because another night holds the lock (the sentence itself is the night's).
RUN_BUSY_DOC = "Một lượt đối soát hằng đêm khác đang chạy; lượt này không bắt đầu"

# Limits before a request is read (app._BodyLimits) and on logins (auth.LoginThrottle).
ERRORS.update(
    {
        "body_too_large": "Nội dung yêu cầu quá lớn: tối đa {limit} KB.",
        "too_many_logins": (
            "Đăng nhập sai quá nhiều lần: tài khoản hoặc máy này tạm bị khóa đăng nhập. "
            "Hãy thử lại sau khoảng {minutes} phút."
        ),
    }
)
API_DOC.update(
    {
        "429": "Đăng nhập sai quá nhiều lần: hãy chờ (xem Retry-After) rồi thử lại",
        "413": "Nội dung yêu cầu quá lớn",
    }
)
