"""The glossary's words: code → Vietnamese, one table per kind (read through
:mod:`doisoat.glossary`, which routes every kind and formats values).

Kept apart from the functions so that a wording change is reviewed in a file of words only.
The conflict types, severities, statuses and families live in :mod:`doisoat.conflict_types`,
the subjects in :mod:`doisoat.vn.subjects`.
"""

from __future__ import annotations

SOURCE_LABELS: dict[str, str] = {
    "moet": "CSDL ngành",
    "smas": "SMAS",
    "vnedu": "vnEdu",
    "vietschool": "Vietschool",
    "quangich": "Quảng Ích",
}

ENROLLMENT_STATUS_LABELS: dict[str, str] = {
    "studying": "Đang học",
    "transferred_out": "Chuyển đi",
    "transferred_in": "Chuyển đến",
    "dropped_out": "Thôi học",
    "graduated": "Đã tốt nghiệp",
    "repeating": "Lưu ban",
}

SEX_LABELS: dict[str, str] = {"M": "Nam", "F": "Nữ"}

RUN_STATUS_LABELS: dict[str, str] = {
    "running": "Đang chạy",
    "committed": "Hoàn tất",
    "failed": "Thất bại",
}

TERM_LABELS: dict[str, str] = {"1": "Học kỳ I", "2": "Học kỳ II", "year": "Cả năm"}

LINK_DECISION_LABELS: dict[str, str] = {
    "same": "Cùng một học sinh",
    "different": "Hai học sinh khác nhau",
}

ROLE_LABELS: dict[str, str] = {
    "district_officer": "Cán bộ phòng giáo dục",
    "school_admin": "Quản trị nhà trường",
    "principal": "Hiệu trưởng",
    "teacher": "Giáo viên",
}

AUDIT_EVENT_LABELS: dict[str, str] = {
    "conflict.new": "Phát hiện vấn đề mới",
    "conflict.persisting": "Vấn đề vẫn còn",
    "conflict.resolved": "Vấn đề đã được giải quyết",
    "conflict.reopened": "Vấn đề tái xuất hiện",
    "conflict.acknowledged": "Trường xác nhận vấn đề",
    "conflict.noted": "Trường ghi chú vào vấn đề",
    "conflict.renamed": "Vấn đề được đổi mã (cùng vấn đề)",
    "conflict.resolved_by_user": "Người dùng đánh dấu đã giải quyết",
    "link.same": "Xác nhận cùng một học sinh",
    "link.different": "Xác nhận hai học sinh khác nhau",
    "link.undo": "Hủy quyết định ghép học sinh",
    "run.requested": "Yêu cầu chạy đối soát",
    "upload.ingested": "Tải lên dữ liệu",
    "worklist.uploaded": "Tải lên danh sách việc đã trả lời",
    "snapshot.excluded": "Loại dữ liệu khỏi đêm đối soát",
    "sign": "Ký học bạ",
    "sign.refused_certificate": "Từ chối ký: chứng thư số không dùng được",
    "certificate.registered": "Đăng ký chứng thư số",
    "certificate.removed": "Gỡ chứng thư số của mình",
    "certificate.revoked": "Thu hồi chứng thư số của giáo viên",
    "user.created": "Tạo tài khoản người dùng",
    "user.disabled": "Khóa tài khoản người dùng",
    "user.enabled": "Mở lại tài khoản người dùng",
}

AUDIT_ENTITY_LABELS: dict[str, str] = {
    "conflict": "Vấn đề",
    "link": "Cặp hồ sơ",
    "run": "Lượt đối soát",
    "upload": "Tệp tải lên",
    "snapshot": "Ảnh chụp dữ liệu",
    "transcript": "Học bạ",
    "worklist": "Danh sách việc",
    "user": "Người dùng",
    "certificate": "Chứng thư số",
}

FIELD_LABELS: dict[str, str] = {
    # the canonical student record
    "record_id": "Mã hồ sơ",
    "source": "Nguồn",
    "snapshot_id": "Ảnh chụp dữ liệu",
    "school_code": "Mã trường",
    "school": "Trường",
    "school_name": "Tên trường",
    "local_id": "Mã học sinh trong phần mềm",
    "moet_code": "Mã định danh",
    "identity_code": "Mã định danh",
    "personal_id": "Số định danh cá nhân",
    "family_name": "Họ",
    "middle_name": "Tên đệm",
    "given_name": "Tên",
    "full_name": "Họ và tên",
    "dob": "Ngày sinh",
    "dob_raw": "Ngày sinh (như phần mềm ghi)",
    "gender": "Giới tính",
    "sex": "Giới tính",
    "ethnicity": "Dân tộc",
    "birthplace": "Nơi sinh",
    "father_name": "Họ tên cha",
    "mother_name": "Họ tên mẹ",
    "school_year": "Năm học",
    "grade": "Khối",
    "class_name": "Lớp",
    "status": "Trạng thái",
    "enrollment_status": "Trạng thái học",
    "status_date": "Ngày đổi trạng thái",
    "transfer_school_code": "Trường chuyển đi/đến",
    "src_file": "Tệp nguồn",
    "src_sheet": "Trang tính",
    "src_row": "Dòng",
    # subject and term results
    "term": "Học kỳ",
    "subject": "Môn học",
    "regular_scores": "Điểm đánh giá thường xuyên",
    "midterm": "Điểm giữa kỳ",
    "final": "Điểm cuối kỳ",
    "average": "Điểm trung bình",
    "rating": "Đánh giá",
    "academic": "Kết quả học tập",
    "conduct": "Kết quả rèn luyện",
    "absent_excused": "Nghỉ có phép",
    "absent_unexcused": "Nghỉ không phép",
    "promotion": "Lên lớp",
    "title": "Danh hiệu",
    # evidence words written by the conflict rules
    "exported": "Phần mềm ghi",
    "expected": "Tính lại theo quy định",
    "recomputed": "Tính lại theo quy định",
    "field": "Mục",
    "fields": "Các mục",
    "rules": "Quy định áp dụng",
    "vendor": "Phần mềm",
    "registry": "CSDL ngành",
    "registry_match": "Học sinh khớp trong CSDL ngành",
    "match_probability": "Xác suất trùng khớp",
    "match_weight": "Trọng số trùng khớp",
    "code_owner": "Chủ của mã trong CSDL ngành",
    "holders": "Những học sinh dùng mã",
    "codes": "Các mã định danh",
    "records": "Các hồ sơ",
    "schools": "Các trường",
    "suggested_code": "Mã đề xuất",
    "days_since_transfer": "Số ngày từ khi chuyển đi",
    "grace_days": "Thời hạn tiếp nhận (ngày)",
    "destination_schools": "Trường chuyển đến",
    "previous_schools": "Trường trước đây",
    "enrolled_elsewhere": "Đang học ở trường khác",
    "difference_count": "Số điểm lệch",
    "differences": "Các điểm lệch",
    "new_codes": "Mã mới",
    "old_codes": "Mã cũ",
    "receiving_record": "Hồ sơ ở trường tiếp nhận",
    "receiving_school": "Trường tiếp nhận",
    "sending_record": "Hồ sơ ở trường cũ",
    "sending_school": "Trường cũ",
    "other_school": "Trường kia",
    "before_night": "Đêm trước",
    "after_night": "Đêm sau",
    "before": "Trước",
    "after": "Sau",
    "changed": "Thay đổi",
    "approval": "Phê duyệt",
    "student_key": "Học sinh",
    "last_sync": "Lần đồng bộ cuối",
    "deadline": "Hạn đồng bộ",
    "deadline_days": "Số ngày được phép",
    "days_overdue": "Số ngày quá hạn",
    "term_end": "Ngày kết thúc kỳ",
    "conflict_id": "Mã vấn đề",
    "type": "Loại vấn đề",
    "severity": "Mức độ",
    "evidence": "Bằng chứng",
    "record_ids": "Các mã hồ sơ",
    "first_seen": "Phát hiện lần đầu",
    "last_seen": "Thấy lần cuối",
    "resolved_on": "Ngày giải quyết",
    "acknowledged_by": "Người xác nhận",
    "acknowledged_reason": "Lý do xác nhận",
    "suggested_fix": "Đề xuất xử lý",
    "message_vi": "Nội dung",
    "night": "Đêm",
    "run_id": "Lượt đối soát",
    "contact": "Liên hệ",
    "term_averages": "Điểm trung bình các học kỳ",
    "formula": "Công thức",
    "regular_count": "Số điểm thường xuyên đã có",
    "regular_required": "Số điểm thường xuyên cần có",
    "missing": "Còn thiếu",
    "sending": "Trường cũ ghi",
    "receiving": "Trường tiếp nhận ghi",
    "row": "Cả dòng điểm",
    "name": "Họ và tên",
    "gender_registry": "Giới tính (CSDL ngành)",
    "used_by_school": "Trường đang dùng mã này",
    "registry_records": "Hồ sơ trong CSDL ngành",
    "registry_record": "Hồ sơ trong CSDL ngành",
    "keep": "Mã nên giữ",
    "term2_rating": "Đánh giá học kỳ II",
    "subject_averages": "Điểm trung bình các môn",
    "failed_comment_subjects": "Số môn đánh giá bằng nhận xét chưa đạt",
    "term1_conduct": "Rèn luyện học kỳ I",
    "term2_conduct": "Rèn luyện học kỳ II",
    "problem": "Vấn đề",
    "student": "Học sinh",
    "kind": "Loại sai lệch",
    "registry_personal_id": "Số định danh cá nhân (CSDL ngành)",
    "year": "Năm sinh",  # the personal-id rule's evidence: the birth year the id should carry
}

PERSONAL_ID_PROBLEM_LABELS: dict[str, str] = {
    "gender_digit": "Chữ số giới tính không khớp",
    "birth_year": "Năm sinh không khớp",
    "century": "Thế kỷ sinh không khớp",
    "shared": "Dùng chung cho nhiều học sinh",
}

# How ``doisoat explain`` reads the linkage engine's scoring of a pair of records: the student
# profile's comparisons (reconcile/student.py), the levels each can reach (reconcile/profile.py),
# and the engine's decision for the pair.
COMPARISON_LABELS: dict[str, str] = {
    "moet_code": FIELD_LABELS["moet_code"],
    "personal_id": FIELD_LABELS["personal_id"],
    "name": FIELD_LABELS["full_name"],
    "dob": FIELD_LABELS["dob"],
    "gender": FIELD_LABELS["gender"],
    "school": FIELD_LABELS["school"],
    "class": FIELD_LABELS["class_name"],
    "father_name": FIELD_LABELS["father_name"],
    "mother_name": FIELD_LABELS["mother_name"],
}

COMPARISON_LEVEL_LABELS: dict[str, str] = {
    "exact": "Trùng khớp",
    "else": "Khác nhau",
    "missing": "Thiếu ở một bên",
    "folded": "Giống nhau nếu bỏ dấu",
    "family_given": "Trùng họ và tên, khác tên đệm",
    "swapped": "Cùng các chữ, đảo thứ tự",
    "close": "Gần giống",
    "given_initials": "Trùng tên, trùng chữ đầu của họ và tên đệm",
    "given": "Chỉ trùng tên",
    "day_month_swapped": "Đảo ngày và tháng",
    "year_off_by_one": "Lệch một năm",
    "dob.close": "Gần nhau (lệch vài ngày)",
    "same_class": "Cùng lớp",
    "same_grade": "Cùng khối, khác lớp",
    "adjacent_grade": "Khối liền kề",
}
"""A level of one comparison; ``<comparison>.<level>`` where the same level reads otherwise for
that comparison (a «close» date is near, not alike). Levels with a threshold
(``levenshtein<=1``, ``jaro_winkler>=0.9``) are worded by :func:`doisoat.glossary.level_label`."""

MATCH_DECISION_LABELS: dict[str, str] = {
    "match": "Cùng một học sinh",
    "review": "Cần người xem xét",
    "non-match": "Khác học sinh",
}

RULES_LABELS: dict[str, str] = {
    "tt22": "Thông tư 22/2021/TT-BGDĐT",
    "tt58": "Thông tư 58/2011/TT-BGDĐT (sửa đổi bởi Thông tư 26/2020)",
}

RATING_LABELS: dict[str, str] = {
    "D": "Đạt",
    "CD": "Chưa đạt",
    "T": "Tốt",
    "K": "Khá",
    "G": "Giỏi",
    "TB": "Trung bình",
    "Y": "Yếu",
    "Kem": "Kém",
}
"""Ratings and results as report cards write them (TT22: T/K/Đ/CĐ; TT58: G/K/TB/Y/Kém)."""
