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
    "unknown_user": "Không có tài khoản «{username}».",
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

# The signing workflow (service/issuing.py, service/transcripts.py, service/certificates.py,
# service/verification.py, signing_pages, signing_routes, verify.html): issuing checks, class
# signing, the account's certificate, the public verification page.
ISSUE = {
    "blocked": (
        "Chưa cấp học bạ: {count} học sinh còn xung đột về định danh hoặc chuyển trường "
        "chưa được xử lý:"
    ),
    "blocked_student": "  - {name} (mã định danh {code}): {conflicts}",
    "blocked_conflict": "{label} [{id}]",
}
ERRORS.update(
    {
        "cert_not_registered": (
            "Tài khoản {user} chưa đăng ký chứng thư số. Hãy đăng ký chứng thư số của mình "
            "(trang «Chứng thư số của tôi») trước khi ký."
        ),
        "cert_foreign": (
            "Chứng thư số «{subject}» không phải chứng thư đã đăng ký của tài khoản {user} "
            "({registered}). Mỗi người chỉ ký bằng chứng thư số của chính mình."
        ),
        "cert_taken": "Chứng thư số «{subject}» đã được đăng ký cho tài khoản khác.",
        "cert_bad_file": (
            "Không đọc được chứng thư số: hãy gửi tệp chứng thư (.cer, .crt, .pem) "
            "hoặc tệp .p12/.pfx kèm mật khẩu."
        ),
        "cert_expired": "Chứng thư số «{subject}» đã hết hạn ngày {until}.",
        "cert_unknown_user": "Không có tài khoản {user}.",
        "sign_field_not_yours": "Ô «{label}» được giao cho tài khoản {owner}, không phải {user}.",
        "class_unknown": "Không có học bạ nào của lớp {class_name} trong trường {school}.",
        "verify_need_input": (
            "Hãy tải lên tệp học bạ PDF, hoặc nhập số học bạ và mã băm trên mã QR."
        ),
        "verify_bad_number": "Số học bạ không hợp lệ: {number} (ví dụ 7912345678/THCS).",
        "verify_bad_hash": "Mã băm không hợp lệ: cần 64 ký tự hệ 16 (SHA256:…) như trên mã QR.",
        "verify_not_found": "Không tìm thấy học bạ số {number} do hệ thống này cấp.",
        "verify_too_many": (
            "Tra cứu quá nhiều lần từ máy này. Hãy thử lại sau khoảng {minutes} phút."
        ),
    }
)
LABELS.update(
    {
        "by_class": "Lớp {class_name}",
        "student": "Học sinh",
        "class": "Lớp",
        "sign_class": "Ký cả lớp",
        "sign_class_hint": (
            "Ký mọi ô của bạn trong các học bạ của lớp bằng một lần tải chứng thư số; "
            "chứng thư và mật khẩu chỉ dùng cho lần ký này, không được lưu."
        ),
        "sign_class_which": "Ô cần ký",
        "sign_class_all": "Tất cả ô của tôi",
        "sign_class_done": "Đã ký {done}/{total} ô của lớp {class_name}.",
        "sign_class_failed": "Dừng ở học bạ {name}: {problem}",
        "signer": "Người ký",
        "signed_at": "Thời điểm ký (giờ Việt Nam)",
        "my_certificate": "Chứng thư số của tôi",
        "cert_register": "Đăng ký chứng thư số",
        "cert_file": "Tệp chứng thư (.cer, .crt, .pem) hoặc .p12/.pfx",
        "cert_registered": "Đã đăng ký chứng thư số «{subject}».",
        "cert_none": "Bạn chưa đăng ký chứng thư số nào.",
        "cert_subject": "Chủ thể",
        "cert_fingerprint": "Dấu vân tay SHA-256",
        "cert_valid_until": "Hiệu lực đến",
        "cert_registered_at": "Ngày đăng ký",
        "verify": "Xác minh học bạ",
        "verify_intro": (
            "Trường tiếp nhận kiểm tra học bạ điện tử: tải lên tệp PDF, hoặc nhập số học bạ và "
            "mã băm in trong mã QR (HOCBA|1|số|SHA256:…). Không cần đăng nhập."
        ),
        "verify_pdf": "Tệp học bạ (PDF)",
        "verify_number": "Số học bạ",
        "verify_hash": "Mã băm SHA-256 (trên mã QR)",
        "verify_qr": "Hoặc dán nguyên nội dung mã QR",
        "verify_submit": "Xác minh",
        "verify_valid": "HỢP LỆ",
        "verify_invalid": "KHÔNG HỢP LỆ",
        "verify_number_is": "Số học bạ: {number}",
        "verify_student": "Học sinh: {name}",
        "verify_hash_matches": "Mã băm trên mã QR khớp với học bạ đã cấp.",
        "verify_hash_differs": "Mã băm nhập vào KHÔNG khớp với học bạ đã cấp.",
        "verify_intact": "Nguyên vẹn",
        "verify_trusted": "Chứng thư tin cậy",
        "verify_problems": "Vấn đề phát hiện",
        "verify_xml": "Dữ liệu XML đính kèm hợp lệ",
        "verify_qr_ok": "Mã QR khớp dữ liệu",
        "yes": "có",
        "no": "không",
    }
)
API_DOC.update(
    {
        "sign_class": (
            "Ký mọi ô của người gọi trong các học bạ của một lớp (một lần tải chứng thư số)"
        ),
        "sign_class_field": "Chỉ ký ô này (bỏ trống: mọi ô của người gọi)",
        "class_name": "Lớp (thư mục lớp, ví dụ 9A1)",
        "certificate": "Chứng thư số (.cer/.crt/.pem, hoặc .p12/.pfx kèm mật khẩu)",
        "fingerprint": "Dấu vân tay SHA-256 của chứng thư (hệ 16)",
        "verify_public": "Xác minh công khai (không cần đăng nhập, giới hạn số lần)",
    }
)

# Signing a class as a job the page follows (service/class_signing.py); removing and revoking
# a registered certificate (service/certificates.py); transcripts put in the folder by hand.
THINGS.update({"signing_job": "lượt ký", "certificate": "chứng thư số"})
ERRORS.update(
    {
        "sign_job_crashed": (
            "Lượt ký cả lớp dừng vì một lỗi không mong đợi; các học bạ đã ký vẫn giữ chữ ký. "
            "Hãy mở lại trang và ký tiếp."
        ),
        "sign_job_interrupted": (
            "Lượt ký cả lớp bị ngắt (máy chủ đã khởi động lại); các học bạ đã ký vẫn giữ "
            "chữ ký. Hãy ký tiếp phần còn lại."
        ),
        "cert_revoked": (
            "Chứng thư số «{subject}» đã bị {how} ngày {when} bởi {by} (lý do: {reason}); "
            "không được dùng để ký nữa. Hãy đăng ký chứng thư số mới."
        ),
        "cert_revoke_forbidden": (
            "Chỉ chủ tài khoản, hiệu trưởng hoặc quản trị của trường, hoặc cán bộ phòng/sở "
            "được gỡ chứng thư số của tài khoản {user}."
        ),
        "cert_revoke_reason": "Hãy ghi lý do gỡ hoặc thu hồi chứng thư số.",
        "cert_already_revoked": "Chứng thư số «{subject}» đã bị {how} từ ngày {when}.",
        "transcript_bad_name": (
            "Tên tệp «{name}» có ký tự không dùng được trong đường dẫn (dấu cách, ngoặc…): "
            "hãy đổi tên thành {suggested} để ký và tải về."
        ),
    }
)
LABELS.update(
    {
        "sign_job_starting": "Bắt đầu ký lớp {class_name}…",
        "sign_job_running": "Đang ký {number}/{total} — {student} ({class_name})…",
        "sign_job_results": "Kết quả ký lớp {class_name}",
        "sign_job_signed": "đã ký: {labels}",
        "sign_job_waiting": "chờ vai trò ký trước: {labels}",
        "sign_job_failed": "không ký được «{label}»: {problem}",
        "sign_job_nothing": "không có ô nào của bạn",
        "cert_remove": "Gỡ chứng thư",
        "cert_revoke": "Thu hồi",
        "cert_reason": "Lý do",
        "cert_removed": "Đã {how} chứng thư số «{subject}»: không ký được bằng chứng thư này nữa.",
        "cert_revoked_by": "Đã {how} ngày {when} bởi {by}: {reason}",
        "cert_status": "Trạng thái",
        "cert_active": "Đang dùng",
        "cert_school": "Chứng thư số của giáo viên trong trường",
        "cert_owner": "Tài khoản",
        "how_removed": "gỡ",
        "how_revoked": "thu hồi",
        "signed_by": "Người ký: {names}",
        "hand_placed": "Học bạ đặt tay vào thư mục (không có tệp phân công người ký)",
    }
)
API_DOC.update(
    {
        "sign_job": (
            "Bắt đầu ký cả lớp trong nền: trả về mã lượt ký ngay; theo dõi ở "
            "GET /api/v1/signing-jobs/{id}"
        ),
        "sign_job_status": "Tiến độ lượt ký cả lớp của người gọi (đang ký, đã xong, lỗi)",
        "cert_remove": (
            "Gỡ (của mình) hoặc thu hồi (hiệu trưởng, quản trị trường, cán bộ phòng/sở) một "
            "chứng thư số đã đăng ký; ký bằng chứng thư đó bị từ chối (403)"
        ),
        "cert_reason": "Lý do (ghi vào nhật ký)",
    }
)

# The pages people work in (pages.py and its templates): the worklist's search, sort and pages,
# the dashboard's last run and chart, the runs page's button, the audit page's filters.
PAGES = {
    "all_conflicts": "Tất cả vấn đề",
    "search": "Tìm theo họ tên, mã định danh hoặc lớp",
    "student": "Học sinh",
    "class": "Lớp",
    "shown": "hiển thị {first}–{last} trên {total}",
    "page": "Trang",
    "sort_by": "Sắp xếp theo {column}",
    "excel": "Tải danh sách Excel của trường (đêm {night})",
    "no_excel": "Chưa có tệp Excel của đêm đối soát gần nhất.",
    "report": "Báo cáo đêm {night}",
    "report_short": "Báo cáo",
    "no_school": "(không thuộc trường nào)",
    "last_run": "Lần đối soát gần nhất",
    "no_run": "Chưa có lần đối soát nào.",
    "chart": "Độ dài mỗi thanh: số vấn đề đang mở của loại đó. Bấm tên loại để xem danh sách.",
    "start_night": "Chạy đối soát đêm này",
    "night_to_run": "Đêm đối soát",
    "start_hint": (
        "Nhập dữ liệu mới trong thư mục nhận, kiểm tra, tìm vấn đề và lập báo cáo; "
        "chạy nền, trang tự cập nhật."
    ),
    "run_started": "Đã bắt đầu đối soát đêm {night}.",
    "running": "Đang có lượt đối soát chạy; trang tự tải lại sau vài giây.",
    "reload": "Tải lại",
    "found": "Số vấn đề",
    "who": "Ai",
    "what": "Làm gì",
    "since": "Từ ngày",
    "until": "Đến ngày",
    "subject": "Đối tượng",
    "other_schools": "Trường khác liên quan",
    "other_school_hint": (
        "Hồ sơ do trường khác lưu (mã hồ sơ, lớp, thông tin học sinh theo trường đó) không "
        "hiển thị ở đây. Hãy liên hệ trường đó để cùng xử lý:"
    ),
    "contacts": "liên hệ Ban quản trị: {names}",
    "contact_district": "— hoặc cán bộ Phòng GDĐT: {names}",
    "contact_district_only": "— liên hệ qua cán bộ Phòng GDĐT: {names}",
    "hidden_records": "{n} hồ sơ của trường khác không hiển thị.",
    "evidence_none": "Không có bằng chứng chi tiết.",
    "answers": "Trả lời bằng tệp Excel",
    "answers_hint": (
        "Tải tệp Excel của trường về, ghi câu trả lời vào cột trả lời của trường, "
        "lưu lại rồi tải lên tại đây: mỗi câu trả lời được ghi vào vấn đề và nhật ký."
    ),
    "answers_file": "Tệp Excel đã trả lời (.xlsx)",
    "answers_submit": "Tải lên câu trả lời",
    "answers_done": "Đã ghi nhận {n} câu trả lời từ tệp {name}.",
    "answers_refused": "{n} dòng không được ghi nhận:",
    "school_answer": "Trường trả lời: {answer}",
}
