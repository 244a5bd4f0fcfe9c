"""Every Vietnamese sentence of the national run: its refusals, its progress, the summary."""

from __future__ import annotations

ERRORS = {
    "no_data": (
        "Không tìm thấy dữ liệu toàn quốc trong «{root}»: cần thư mục records/province=<mã tỉnh>/ "
        "chứa các tệp Parquet (tạo bằng «doisoat simulate --country» hoặc «doisoat export»)."
    ),
    "no_registry": (
        "Dữ liệu toàn quốc trong «{root}» không có hồ sơ CSDL ngành (nguồn moet): "
        "cần cả CSDL ngành và dữ liệu của phần mềm các trường để đối soát."
    ),
    "no_vendor": (
        "Dữ liệu toàn quốc trong «{root}» chỉ có hồ sơ CSDL ngành: cần cả dữ liệu của phần mềm "
        "các trường để đối soát."
    ),
    "missing_columns": (
        "Các tệp Parquet trong «{root}» thiếu cột bắt buộc: {columns}. Hãy xuất lại bằng "
        "«doisoat export» hoặc «doisoat simulate --country»."
    ),
    "bad_manifest": "Tệp manifest.json trong «{root}» không đọc được: {problem}.",
    "no_pyspark": (
        "Chưa cài Apache Spark cho Python (pyspark). Cài gói doisoat kèm phần «spark»: "
        "pip install 'doisoat[spark]' (lệnh make test cũng cài sẵn)."
    ),
    "no_java": (
        "Không tìm thấy Java: Spark cần Java 17. Trên Debian/Ubuntu: "
        "apt-get install openjdk-17-jre-headless (hoặc đặt biến JAVA_HOME)."
    ),
    "spark_failed": (
        "Spark không khởi động được với --master «{master}» ({problem}). Kiểm tra địa chỉ cụm "
        "Spark (spark://máy:7077, yarn, local[2] …) và Java."
    ),
}

PROGRESS = {
    "stage": "{stage}: {seconds} giây{detail}",
    "done": "Xong sau {seconds} giây. Kết quả: {out}",
}

STAGES = {
    "read": "Đọc dữ liệu",
    "keys": "Chuẩn hóa mã định danh",
    "registry": "Khử trùng CSDL ngành",
    "link": "Liên kết hồ sơ các trường với CSDL ngành",
    "components": "Gom nhóm hồ sơ liên quan",
    "rules": "Áp dụng quy tắc phát hiện vấn đề",
    "write": "Ghi kết quả",
}

SUMMARY = {
    "title": "BÁO CÁO ĐỐI SOÁT ĐỊNH DANH HỌC SINH TOÀN QUỐC",
    "night": "Dữ liệu ngày: {night}. Lập lúc: {made} (giờ Việt Nam).",
    "records": (
        "Hồ sơ: {vendor} hồ sơ của phần mềm các trường và {registry} hồ sơ CSDL ngành, "
        "thuộc {provinces} tỉnh, thành phố."
    ),
    "identities": "Số học sinh (danh tính) xác định được: {identities}.",
    "links": (
        "Liên kết hồ sơ trường với CSDL ngành: {match} khớp chắc chắn, {review} cần người xem xét."
    ),
    "registry_duplicates": "CSDL ngành: {clusters} nhóm hồ sơ có thể là cùng một học sinh.",
    "conflicts": "VẤN ĐỀ PHÁT HIỆN ({total}; trong đó {cross} liên quan từ hai tỉnh trở lên):",
    "conflict_line": "  - {label} ({code}): {count}, liên tỉnh {cross}",
    "no_conflicts": "  Không phát hiện vấn đề nào.",
    "by_province": "THEO TỈNH, THÀNH PHỐ (tỉnh của trường phải xử lý):",
    "province_line": "  - {code} {name}: {count} vấn đề, {cross} liên tỉnh{top}",
    "province_top": " (nhiều nhất: {items})",
    "stages": "THỜI GIAN XỬ LÝ: {total} giây ({stages}).",
    "where": (
        "Chi tiết từng vấn đề (mã vấn đề, hồ sơ liên quan, bằng chứng, cách sửa) nằm trong "
        "thư mục conflicts/province=<mã tỉnh>/ (Parquet); mỗi tỉnh nhận phần của mình."
    ),
}
