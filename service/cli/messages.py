"""Every Vietnamese sentence the ``doisoat`` command prints, in one place.

The command's help stays in English (it is read by the people who install and run the service);
what a school or district officer reads on the terminal is here.
"""

from __future__ import annotations

# How a refused command ends (service/cli/__init__.py and the commands with their own exit code).
ERRORS = {
    "refused": "Lỗi: {problem}",
    "bad_night": "Ngày không hợp lệ: «{raw}» (cần dd/mm/yyyy, ví dụ 10/06/2026; hoặc 2026-06-10)",
    # A third-party failure no package translated: said in words, never as a traceback.
    "store": (
        "Không đọc hoặc ghi được kho dữ liệu ({problem}). Kiểm tra địa chỉ --url "
        "(hoặc DOISOAT_DATABASE_URL) và quyền truy cập."
    ),
    "network": (
        "Không kết nối được nguồn dữ liệu qua mạng ({problem}). Kiểm tra địa chỉ và đường truyền."
    ),
    "signature": "Lỗi khi xử lý chữ ký số ({problem}).",
    "file": (
        "Không đọc hoặc ghi được «{path}» ({problem}). Kiểm tra đường dẫn (với kho dữ liệu: "
        "--url hoặc DOISOAT_DATABASE_URL) và quyền truy cập."
    ),
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

# ``doisoat explain KEY``.
EXPLAIN = {
    "unknown": (
        "Không tìm thấy «{key}» trong lần đối soát gần nhất. Lệnh «doisoat explain» nhận một "
        "trong các mã sau:\n"
        "  - mã hồ sơ học sinh (nguồn:số ảnh chụp:mã trong phần mềm), ví dụ smas:12:HS0042;\n"
        "  - mã vấn đề, ví dụ ID_MISSING-3161c257954b22c2 (trên báo cáo và trang web);\n"
        "  - mã định danh của học sinh (10 chữ số) hoặc số định danh cá nhân (12 chữ số)."
    ),
    "conflict": (
        "[bold]{conflict_id}[/bold]: {type} — {status}, {school} ({records} hồ sơ liên quan)"
    ),
    "code": "Mã định danh [bold]{code}[/bold]: {records} hồ sơ của cùng học sinh",
    "identity": "[bold]{record_id}[/bold] → danh tính {identity_id} (mã định danh {moet_code})",
    "no_code": "không có",
    "pair": "{other}: {decision} — trọng số {weight}, xác suất {probability}",
    "pair_above": "  (cặp với {other}: xem ở trên)",
    "fix": "  Đề xuất: {fix}",
}

EXPLAIN_COLUMNS = ("Mục so sánh", "Mức giống nhau", "Trọng số")

# ``doisoat simulate``, ``doisoat demo`` (progress lines) and ``doisoat serve --demo-users``.
SIMULATE = {
    "simulating": "Mô phỏng quận/huyện",
    "simulated": "Đã mô phỏng",
    "writing_exports": "Ghi tệp xuất của từng trường",
    "night": "Đối soát đêm",
    "loading": "Nạp vào kho dữ liệu",
    "demo_officer": "Cán bộ Phòng GDĐT",
    # what ``doisoat demo`` says before the night's summary
    "demo_simulated": (
        "Đã mô phỏng {records} hồ sơ học sinh trong phần mềm của {schools} trường; đã ghi {files} "
        "tệp xuất vào {exports}."
    ),
    "demo_store": "Kho dữ liệu: {url} (lượt chạy số {run}, {status}).",
    "demo_worklists": "Danh sách việc (Excel) của từng trường: {folder}",
    # ``doisoat simulate --country``
    "country": "Mô phỏng cả nước, từng tỉnh/thành",
    "country_province": "Đã mô phỏng {name} ({students} học sinh)",
    "country_needs_out": "Cần --out: thư mục ghi dữ liệu cả nước (Parquet theo tỉnh/thành).",
    "country_no_load": (
        "Không nạp dữ liệu cả nước vào một kho (--load): mỗi tỉnh/thành có kho riêng; lần chạy "
        "toàn quốc (doisoat country) đọc thẳng thư mục Parquet."
    ),
}

# ``doisoat export``.
EXPORT = {
    "done": (
        "Đã xuất {records} hồ sơ học sinh ({registry} của CSDL ngành, {vendor} của phần mềm các "
        "trường; {schools} trường) của {name} ({code}), dữ liệu mới nhất ngày {night}, vào "
        "«{folder}»."
    ),
    "other_provinces": (
        "Lưu ý: có trường mang mã của tỉnh/thành khác ({others}); hồ sơ của các trường này vẫn "
        "được xuất trong phần của tỉnh/thành {code}."
    ),
}

# ``doisoat transcript issue|verify``.
TRANSCRIPT = {
    "issued": "Đã ký {count} học bạ.",
    "issued_unsigned": "Đã tạo (chưa ký) {count} học bạ.",
    "force_hint": (
        "Chưa cấp học bạ nào. Hãy xử lý các xung đột trên (danh sách việc của trường), "
        "hoặc cấp bất chấp bằng --force nếu đã kiểm tra và chắc chắn."
    ),
    "forced": "Lưu ý: đã cấp bất chấp xung đột đang mở của: {names}.",
    "demo": (
        "Học bạ thử (DEMO) của {school}: {signed} học bạ lớp {signed_class} đã ký đủ, "
        "{unsigned} học bạ lớp {unsigned_class} chưa ký (để ký thử trên web).\n"
        "Chứng thư DEMO: {pki}/*.p12 (mật khẩu «{passphrase}»). Tài khoản ký: {accounts} — "
        "mật khẩu do `doisoat serve --demo-users` in ra."
    ),
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
    "no_run": (
        "Đêm {night} chưa được đối soát (không có lượt chạy hoàn tất), nên không lập báo cáo: "
        "một báo cáo như vậy sẽ ghi «0 vấn đề» dù chưa kiểm tra gì. "
        "Những đêm gần nhất đã đối soát: {nearest}."
    ),
    "no_run_at_all": (
        "Đêm {night} chưa được đối soát, và kho dữ liệu chưa có lượt đối soát nào. "
        "Hãy chạy «doisoat nightly» trước."
    ),
    "swapped": "Có phải ý bạn là đêm {night} (ngày và tháng đảo chỗ)?",
}

# ``doisoat nightly`` (the readable summary; ``--json`` keeps the codes).
NIGHTLY_STATUS = {
    "committed": "Đêm {night}: đối soát hoàn tất (lượt chạy số {run_id}).",
    "unchanged": (
        "Đêm {night}: dữ liệu không có gì mới so với lượt đã chạy, không đối soát lại "
        "(lượt chạy số {run_id})."
    ),
}
NIGHTLY_COLUMNS = ("Loại vấn đề", "Mới", "Đang mở", "Đã giải quyết")
NIGHTLY = {
    "ingest": (
        "Tệp nhận đêm nay: {files} ({loaded} nạp mới, {skipped} đã có, {refused} bị từ chối); "
        "{read} dòng đọc: {accepted} nhận, {quarantined} cách ly."
    ),
    "excluded": "{count} bộ dữ liệu bị loại khỏi đêm nay vì không đạt kiểm tra chất lượng.",
    "total": "Tổng",
    "no_conflicts": "Không có vấn đề nào đang mở.",
    "silent": "{count} trường không gửi dữ liệu đêm nay:",
    "silent_school": "  - {name} ({code}): lần gửi gần nhất {last}",
    "never": "chưa từng gửi",
    "all_sent": "Mọi trường đều đã gửi dữ liệu đêm nay.",
    "report": "Báo cáo: {path}",
}

# ``doisoat user list|disable|enable``.
USERS_COLUMNS = (
    "Tên đăng nhập", "Họ tên", "Vai trò", "Trường", "Trạng thái", "Mã truy cập",
    "Phiên đăng nhập",
)
USERS = {
    "district": "cả phòng",
    "active": "đang hoạt động",
    "disabled": "đã khóa",
    "none": "Chưa có tài khoản nào. Tạo bằng «doisoat user add».",
    "enabled_done": "Đã mở lại tài khoản «{username}»; đăng nhập bằng mật khẩu cũ.",
    "disabled_done": (
        "Đã khóa tài khoản «{username}»; đã thu hồi {revoked} mã truy cập và phiên đăng nhập."
    ),
}
