"""Every Vietnamese message the connectors show to a school or district officer.

Kept in one place so that wording is consistent and can be reviewed by people who read the
reports, not the code. Each entry is a ``str.format`` template.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # whole file refused
    "empty_file": "Tệp rỗng (0 byte): không có dữ liệu để đọc.",
    "truncated_file": "Tệp bị hỏng hoặc tải về chưa hết (không đọc được cấu trúc {kind}).",
    "password_protected": (
        "Tệp được đặt mật khẩu: hãy mở bằng Excel, bỏ mật khẩu rồi xuất lại tệp."
    ),
    "zip_bomb": (
        "Tệp Excel bất thường: nội dung giải nén quá lớn ({size} byte, tỉ lệ nén {ratio}×); "
        "tệp bị từ chối để bảo vệ máy chủ."
    ),
    "xml_unsafe": (
        "Tệp XML chứa khai báo thực thể (DTD/ENTITY) không an toàn; tệp bị từ chối. "
        "Hãy xuất lại từ phần mềm quản lý trường."
    ),
    "xml_broken": "Tệp XML không đúng cú pháp: {detail}.",
    "binary_payload": (
        "Tệp CSV chứa dữ liệu nhị phân (ký tự điều khiển ở byte {offset}): đây không phải "
        "tệp văn bản; hãy kiểm tra lại tệp được xuất."
    ),
    "bad_encoding": "Không nhận ra bảng mã của tệp văn bản (đã thử {tried}).",
    "path_trick": (
        "Tên tệp không hợp lệ ({detail}): tên tệp không được chứa «..», ký tự điều khiển "
        "hay ký tự đảo chiều văn bản."
    ),
    "not_a_file": "Không tìm thấy tệp hoặc đây không phải là tệp thường.",
    "unknown_format": (
        "Không nhận ra định dạng tệp (chấp nhận .xlsx, .xls, .csv, .txt, .xml)."
    ),
    "unknown_vendor": (
        "Không nhận ra tệp này thuộc phần mềm nào (SMAS, vnEdu, Vietschool, Quảng Ích hay "
        "CSDL ngành); độ khớp cao nhất là {best} ({score}%)."
    ),
    "no_header": (
        "Không tìm thấy dòng tiêu đề của bảng trong {rows} dòng đầu: cần các cột như {expected}."
    ),
    "missing_columns": "Thiếu cột bắt buộc: {columns} (đã tìm theo các tên {aliases}).",
    "unreadable": "Không đọc được tệp: {detail}.",
    "too_large": "Tệp quá lớn ({size} byte; giới hạn {limit} byte).",
    "already_imported": "Tệp này đã được nhập trước đó (cùng nội dung); không nhập lại.",
    "no_school_code": (
        "Không xác định được mã trường: cần dòng «Mã trường: …» ở đầu trang tính "
        "hoặc đặt tệp trong thư mục mang mã trường."
    ),
    "sheet_too_big": (
        "Trang tính quá lớn: trải trên {rows} dòng × {columns} cột ({cells} ô; giới hạn "
        "{limit}). Trang tính của một trường chỉ vài nghìn dòng và khoảng 60 cột: có thể tệp "
        "có ô ở tận cuối trang (ví dụ XFD1048576) hoặc bị làm giả; tệp bị từ chối để bảo vệ "
        "máy chủ. Hãy xoá các dòng, cột thừa rồi xuất lại tệp."
    ),
    "too_many_strings": (
        "Tệp Excel khai báo {count} chuỗi văn bản (giới hạn {limit}): bất thường, tệp bị từ "
        "chối để bảo vệ máy chủ. Hãy xuất lại tệp từ phần mềm quản lý trường."
    ),
    "reader_died": (
        "Tiến trình đọc tệp bị dừng đột ngột khi đọc tệp «{file}» (tệp có thể quá lớn hoặc "
        "bị làm giả); tệp bị từ chối, các tệp khác vẫn được nhập."
    ),
    # rows quarantined
    "row_no_local_id": "Thiếu mã học sinh (cột {column}).",
    "row_no_name": "Thiếu họ tên học sinh (cột {column}).",
    "row_duplicate_local_id": (
        "Mã học sinh «{local_id}» trùng với dòng {first_row}; dòng sau được đưa vào cách ly."
    ),
    "row_bad_grade": (
        "Khối «{value}» ở cột {column} không hợp lệ (cần số nguyên từ 1 đến 12)."
    ),
    "row_bad_score": "Điểm «{value}» ở cột {column} không hợp lệ (cần số từ 0 đến 10).",
    "row_bad_term": "Học kỳ «{value}» ở cột {column} không hợp lệ (cần 1, 2 hoặc cả năm).",
    "row_bad_absence": (
        "Số buổi nghỉ «{value}» ở cột {column} không hợp lệ (cần số nguyên không âm)."
    ),
    "row_unknown_subject": "Không nhận ra môn học «{value}» (cột {column}).",
    "row_unknown_student": (
        "Dòng điểm của học sinh «{local_id}» nhưng không có học sinh này trong danh sách."
    ),
    "row_bad_status": "Trạng thái «{value}» không hợp lệ.",
    "row_nested_value": (
        "Ô «{column}» chứa một đối tượng hoặc danh sách JSON, không phải một giá trị."
    ),
    # HTTP
    "http_auth": "Máy chủ {source} từ chối thông tin đăng nhập (mã {status}).",
    "http_transient": (
        "Máy chủ {source} tạm thời không trả lời được sau {attempts} lần thử: {detail}."
    ),
    "http_deadline": "Hết thời gian cho phép ({seconds} giây) khi tải dữ liệu từ {source}.",
    "http_bad_payload": "Dữ liệu trả về từ {source} không đúng định dạng JSON: {detail}.",
    "http_status": "Máy chủ {source} trả lỗi {status}: {detail}.",
    # a pull that is not applied, and why
    "pull_refused": (
        "Không áp dụng lần tải từ {source}: {reason}. Chưa ghi dữ liệu nào và mốc đồng bộ giữ"
        " nguyên; lần tải sau sẽ đọc lại các thay đổi này"
    ),
    "pull_repeated": "trang «{page}» chỉ lặp lại {count} dòng đã đọc (đã thử {attempts} lần)",
    "pull_moved": (
        "danh sách thay đổi trong khi tải: {count} dòng xuất hiện hai lần nên có thể đã bỏ sót"
        " dòng khác (đã thử {attempts} lần)"
    ),
    "pull_pages": "máy chủ báo {stated} trang nhưng đọc được {got} trang có dữ liệu",
    "pull_total": "máy chủ báo tổng {stated} dòng nhưng đọc được {got} dòng",
    "pull_stuck": "con trỏ phân trang không tiến: trang «{page}» đã được đọc rồi",
    "pull_not_object": "dòng {row} của trang «{page}» không phải một đối tượng JSON (là {kind})",
    "pull_no_list": "câu trả lời không có danh sách «{key}»",
    # a pull's summary
    "pull_summary": (
        "Đã đọc {read} dòng: lưu {stored}, cách ly {quarantined}, bỏ {duplicates} dòng trùng mã"
        " đã đọc ở trang trước{carried}{again}."
    ),
    "pull_carried": "; giữ nguyên {carried} học sinh không thay đổi từ lần tải trước",
    "pull_again": "; đọc lại danh sách {again} lần vì dữ liệu thay đổi trong khi tải",
    # profiles
    "profile_invalid": "Cấu hình nguồn «{name}» không hợp lệ: {detail}.",
    # summary
    "summary": (
        "Đã đọc {read} dòng: nhận {accepted}, cách ly {quarantined}"
        "{skipped_note}."
    ),
}


def msg(key: str, **values: object) -> str:
    """The Vietnamese message ``key`` filled with ``values``."""
    return MESSAGES[key].format(**values)
