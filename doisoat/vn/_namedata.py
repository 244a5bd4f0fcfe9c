"""Name data: family names with their shares, middle names, and the given-name lists shipped
in ``data/names`` (from duyet/vietnamese-namedb, MIT licence). Pure data, no logic beyond
reading the files, so that both :mod:`doisoat.vn.names` and the text repair can use it."""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources

# Share of the population bearing each family name. The head follows public statistics
# (Nguyễn ≈ 38 %, Trần ≈ 11 %, Lê ≈ 9.5 % …); the tail is spread over common smaller names.
FAMILY_NAMES: dict[str, float] = {
    "Nguyễn": 0.38, "Trần": 0.11, "Lê": 0.095, "Phạm": 0.07, "Hoàng": 0.031, "Huỳnh": 0.02,
    "Phan": 0.045, "Vũ": 0.021, "Võ": 0.018, "Đặng": 0.021, "Bùi": 0.02, "Đỗ": 0.014,
    "Hồ": 0.013, "Ngô": 0.013, "Dương": 0.01, "Lý": 0.005,
    "Đinh": 0.0055, "Trương": 0.0055, "Lâm": 0.0045, "Mai": 0.0045, "Đoàn": 0.0045,
    "Cao": 0.004, "Trịnh": 0.004, "Lưu": 0.0035, "Lương": 0.0035, "Tạ": 0.003, "Hà": 0.003,
    "Đào": 0.003, "Tô": 0.0025, "Thái": 0.0025, "Châu": 0.0025, "Phùng": 0.002,
    "Kiều": 0.002, "Quách": 0.002, "La": 0.0015, "Tăng": 0.0015, "Chu": 0.0015, "Lại": 0.0015,
    "Triệu": 0.0015, "Đàm": 0.0012, "Mạc": 0.0012, "Khổng": 0.001, "Từ": 0.001,
    "Giang": 0.001, "Hứa": 0.001, "Lục": 0.001, "Thân": 0.001, "Vương": 0.001, "Ông": 0.0008,
    "Nghiêm": 0.0008, "Kim": 0.0008, "Khúc": 0.0006, "Tiêu": 0.0006, "Diệp": 0.0006,
    "Viên": 0.0005, "Lã": 0.0005, "Quan": 0.0005, "Phí": 0.0005, "Khương": 0.0005,
    "Đồng": 0.0005, "Đậu": 0.0005, "Bạch": 0.0004, "Hầu": 0.0004, "Ninh": 0.0004,
    "Doãn": 0.0004, "Nông": 0.0004, "Lò": 0.0004, "Phó": 0.0003, "Lạc": 0.0003, "Vi": 0.0003,
    "Tống": 0.0003, "Bế": 0.0003, "Nhữ": 0.0002, "Cù": 0.0002, "Ứng": 0.0002, "Âu": 0.0002,
    "Tôn": 0.0002, "Thạch": 0.0002, "Danh": 0.0002, "Sơn": 0.0002,
    "Tôn Nữ": 0.0002, "Tôn Thất": 0.0002, "Nguyễn Phúc": 0.0001, "Âu Dương": 0.00005,
    "Công Tằng Tôn Nữ": 0.00003,
}  # fmt: skip

COMPOUND_FAMILY_NAMES: tuple[str, ...] = (
    "Công Tằng Tôn Nữ",
    "Tôn Nữ",
    "Tôn Thất",
    "Âu Dương",
    "Nguyễn Phúc",
    "Nguyễn Phước",
    "Tư Mã",
    "Gia Cát",
)
"""Family names of several words, longest first. ``Nguyễn Phúc``/``Nguyễn Phước`` need two
more words after them to count (``Nguyễn Phúc An`` is Nguyễn + Phúc + An)."""
_WEAK_COMPOUNDS = frozenset({"nguyen phuc", "nguyen phuoc", "gia cat"})

MIDDLE_NAMES: dict[str, dict[str, float]] = {
    "M": {
        "Văn": 0.30, "Minh": 0.08, "Hoàng": 0.05, "Gia": 0.05, "Bảo": 0.05, "Quốc": 0.05,
        "Đức": 0.05, "Anh": 0.04, "Thành": 0.03, "Hữu": 0.03, "Công": 0.03, "Xuân": 0.02,
        "Duy": 0.02, "Tuấn": 0.02, "Trọng": 0.02, "Quang": 0.02, "Đình": 0.02, "Ngọc": 0.02,
        "Thanh": 0.02, "Nhật": 0.02, "Huy": 0.01, "Khánh": 0.01, "Tiến": 0.01, "Phúc": 0.01,
        "Đăng": 0.01, "Hải": 0.01, "Trung": 0.01, "Việt": 0.01, "Thế": 0.01, "Tấn": 0.01,
    },
    "F": {
        "Thị": 0.30, "Ngọc": 0.08, "Minh": 0.05, "Bảo": 0.05, "Gia": 0.04, "Khánh": 0.04,
        "Thu": 0.04, "Thanh": 0.04, "Phương": 0.03, "Hoài": 0.03, "Mai": 0.03, "Thảo": 0.02,
        "Kim": 0.02, "Hồng": 0.02, "Quỳnh": 0.02, "Diệu": 0.02, "Ánh": 0.02, "Tuyết": 0.01,
        "Hà": 0.01, "Lan": 0.01, "Thùy": 0.02, "Mỹ": 0.02, "Như": 0.02, "Yến": 0.01,
        "Bích": 0.01, "Hải": 0.01, "Uyên": 0.01, "Tường": 0.01, "Cẩm": 0.01, "Châu": 0.01,
    },
}  # fmt: skip
"""Common middle names by gender (``M``/``F``) with rough relative weights."""


@cache
def read_name_file(filename: str) -> tuple[str, ...]:
    """Distinct lines of a shipped name list, NFC, with ``Ð`` (U+00D0, used in places) as ``Đ``."""
    folder = resources.files(__package__).joinpath("data").joinpath("names")
    text = folder.joinpath(filename).read_text("utf-8")
    seen: dict[str, None] = {}
    for line in text.splitlines():
        name = " ".join(unicodedata.normalize("NFC", line.replace("\u00d0", "\u0110")).split())
        if name:
            seen.setdefault(name, None)
    return tuple(seen)


NAME_FILES = ("boy.txt", "girl.txt", "boy_one_word.txt", "girl_one_word.txt")
