"""Every Vietnamese sentence the ``doisoat`` command prints, in one place.

The command's help stays in English (it is read by the people who install and run the service);
what a school or district officer reads on the terminal is here.
"""

from __future__ import annotations

# How a refused command ends (service/cli/__init__.py and the commands with their own exit code).
ERRORS = {
    "refused": "Lỗi: {problem}",
    "bad_night": "Ngày không hợp lệ: «{raw}» (cần dd/mm/yyyy, ví dụ 10/06/2026)",
    # A third-party failure no package translated: said in words, never as a traceback.
    "store": (
        "Không đọc hoặc ghi được kho dữ liệu ({problem}). Kiểm tra địa chỉ --url "
        "(hoặc DOISOAT_DATABASE_URL) và quyền truy cập."
    ),
    "network": (
        "Không kết nối được nguồn dữ liệu qua mạng ({problem}). Kiểm tra địa chỉ và đường truyền."
    ),
    "signature": "Lỗi khi xử lý chữ ký số ({problem}).",
}

# ``doisoat pull`` and ``doisoat inspect``.
INGEST = {
    "resumed": " (tiếp tục lần tải dở)",
    "pulled": "{source}: {pages} trang{resumed}. {summary}",
    "file": "Tệp: {file}  định dạng: {format}  bảng mã: {encoding}",
    "source": "Nguồn: {source}  (điểm nhận dạng: {detection})",
    "sheet": (
        "- Trang «{sheet}» ({kind}): tiêu đề ở dòng {header_row} ({header_rows} dòng), "
        "{rows} dòng dữ liệu"
    ),
    "grade_columns": "    + {count} cột điểm theo môn",
    "unmatched": "Trang không nhận ra: {sheets}",
    "samples": "Năm dòng mẫu (lược đồ chuẩn):",
    "problems": "Vấn đề ({count}):",
    "problem": "  trang «{sheet}» dòng {row}: {reason}",
}

# ``doisoat explain RECORD_ID``.
EXPLAIN = {
    "unknown": "Không tìm thấy bản ghi {record_id} trong lần đối soát gần nhất.",
    "identity": "[bold]{record_id}[/bold] → danh tính {identity_id} (mã định danh {moet_code})",
    "no_code": "không có",
    "pair": "{other}: {decision}, trọng số {weight:.2f}, xác suất {probability:.6f}",
    "columns": ("trường so sánh", "mức", "trọng số"),
    "fix": "  Đề xuất: {fix}",
}

# ``doisoat simulate``, ``doisoat demo`` (progress lines) and ``doisoat serve --demo-users``.
SIMULATE = {
    "simulating": "Mô phỏng quận/huyện",
    "simulated": "Đã mô phỏng",
    "writing_exports": "Ghi tệp xuất của từng trường",
    "night": "Đối soát đêm",
    "loading": "Nạp vào kho dữ liệu",
    "demo_officer": "Cán bộ Phòng GDĐT",
}

# ``doisoat transcript issue|verify``.
TRANSCRIPT = {
    "issued": "Đã ký {count} học bạ.",
    "issued_unsigned": "Đã tạo (chưa ký) {count} học bạ.",
    "unreadable": "{name}: LỖI — {problem}",
    "verdict": "{name}: {verdict} — số học bạ {number}",
    "valid": "HỢP LỆ",
    "invalid": "KHÔNG HỢP LỆ",
    "attachments": "  XML đính kèm hợp lệ: {xml}; mã QR khớp: {qr}",
    "yes": "có",
    "no": "KHÔNG",
    "signature": (
        "  {mark} {who} — {signer} — ký lúc {when}; nguyên vẹn: {intact}; "
        "tin cậy: {trusted}; thay đổi sau đó: {changes}"
    ),
}

# ``doisoat report``.
REPORT = {
    "done": (
        "Đã lập báo cáo: {html}\nDữ liệu JSON: {json}\nDanh sách việc: {worklists} tệp Excel\n"
        "{schools} trường, {conflicts} vấn đề đang mở."
    ),
    "quality": "Đã kiểm tra chất lượng {suites} bộ dữ liệu; {failed} tiêu chí bắt buộc không đạt.",
}
