"""Province codes before and after the 1 July 2025 reorganisation.

``PROVINCES_2024``: the 63 provinces and their two-digit administrative codes (01 Hà Nội …
96 Cà Mau). Personal identity codes use them, zero-padded to three digits, for the province of
birth registration, and keep doing so after the merger.

``PROVINCES_2025``: the 34 provinces of Nghị quyết 202/2025/QH15, each under the code the
national statistics list gives it, which is the code of the predecessor that holds the new
seat (Bắc Ninh 24, Lào Cai 15, Gia Lai 52, Tây Ninh 80 …), with the predecessors it absorbed.
Codes issued before the merger stay valid forever.
"""

from __future__ import annotations

from typing import NamedTuple

PROVINCES_2024: dict[str, str] = {
    "01": "Hà Nội", "02": "Hà Giang", "04": "Cao Bằng", "06": "Bắc Kạn", "08": "Tuyên Quang",
    "10": "Lào Cai", "11": "Điện Biên", "12": "Lai Châu", "14": "Sơn La", "15": "Yên Bái",
    "17": "Hòa Bình", "19": "Thái Nguyên", "20": "Lạng Sơn", "22": "Quảng Ninh",
    "24": "Bắc Giang", "25": "Phú Thọ", "26": "Vĩnh Phúc", "27": "Bắc Ninh", "30": "Hải Dương",
    "31": "Hải Phòng", "33": "Hưng Yên", "34": "Thái Bình", "35": "Hà Nam", "36": "Nam Định",
    "37": "Ninh Bình", "38": "Thanh Hóa", "40": "Nghệ An", "42": "Hà Tĩnh", "44": "Quảng Bình",
    "45": "Quảng Trị", "46": "Thừa Thiên Huế", "48": "Đà Nẵng", "49": "Quảng Nam",
    "51": "Quảng Ngãi", "52": "Bình Định", "54": "Phú Yên", "56": "Khánh Hòa",
    "58": "Ninh Thuận", "60": "Bình Thuận", "62": "Kon Tum", "64": "Gia Lai", "66": "Đắk Lắk",
    "67": "Đắk Nông", "68": "Lâm Đồng", "70": "Bình Phước", "72": "Tây Ninh",
    "74": "Bình Dương", "75": "Đồng Nai", "77": "Bà Rịa - Vũng Tàu", "79": "Hồ Chí Minh",
    "80": "Long An", "82": "Tiền Giang", "83": "Bến Tre", "84": "Trà Vinh", "86": "Vĩnh Long",
    "87": "Đồng Tháp", "89": "An Giang", "91": "Kiên Giang", "92": "Cần Thơ",
    "93": "Hậu Giang", "94": "Sóc Trăng", "95": "Bạc Liêu", "96": "Cà Mau",
}  # fmt: skip


class Province2025(NamedTuple):
    name: str
    predecessors: tuple[str, ...]  # codes in PROVINCES_2024, the seat's first


PROVINCES_2025: dict[str, Province2025] = {
    "01": Province2025("Hà Nội", ("01",)),
    "04": Province2025("Cao Bằng", ("04",)),
    "08": Province2025("Tuyên Quang", ("08", "02")),
    "11": Province2025("Điện Biên", ("11",)),
    "12": Province2025("Lai Châu", ("12",)),
    "14": Province2025("Sơn La", ("14",)),
    "15": Province2025("Lào Cai", ("15", "10")),
    "19": Province2025("Thái Nguyên", ("19", "06")),
    "20": Province2025("Lạng Sơn", ("20",)),
    "22": Province2025("Quảng Ninh", ("22",)),
    "24": Province2025("Bắc Ninh", ("24", "27")),
    "25": Province2025("Phú Thọ", ("25", "26", "17")),
    "31": Province2025("Hải Phòng", ("31", "30")),
    "33": Province2025("Hưng Yên", ("33", "34")),
    "37": Province2025("Ninh Bình", ("37", "35", "36")),
    "38": Province2025("Thanh Hóa", ("38",)),
    "40": Province2025("Nghệ An", ("40",)),
    "42": Province2025("Hà Tĩnh", ("42",)),
    "44": Province2025("Quảng Trị", ("44", "45")),
    "46": Province2025("Huế", ("46",)),
    "48": Province2025("Đà Nẵng", ("48", "49")),
    "51": Province2025("Quảng Ngãi", ("51", "62")),
    "52": Province2025("Gia Lai", ("52", "64")),
    "56": Province2025("Khánh Hòa", ("56", "58")),
    "66": Province2025("Đắk Lắk", ("66", "54")),
    "68": Province2025("Lâm Đồng", ("68", "67", "60")),
    "75": Province2025("Đồng Nai", ("75", "70")),
    "79": Province2025("Hồ Chí Minh", ("79", "74", "77")),
    "80": Province2025("Tây Ninh", ("80", "72")),
    "82": Province2025("Đồng Tháp", ("82", "87")),
    "86": Province2025("Vĩnh Long", ("86", "83", "84")),
    "91": Province2025("An Giang", ("91", "89")),
    "92": Province2025("Cần Thơ", ("92", "94", "93")),
    "96": Province2025("Cà Mau", ("96", "95")),
}

SUCCESSOR_2025: dict[str, str] = {
    old: new for new, province in PROVINCES_2025.items() for old in province.predecessors
}
"""Pre-2025 code → the post-2025 province that absorbed it (``"74"`` → ``"79"``)."""

KNOWN_PREFIXES = frozenset(PROVINCES_2024) | frozenset(PROVINCES_2025)


def _two_digits(code: str | int) -> str:
    text = str(code).strip()
    if len(text) == 3 and text.startswith("0"):
        text = text[1:]  # a personal-ID province code, 079 → 79
    return text.zfill(2)


def province_name(code: str | int, when: str = "2024") -> str | None:
    """Name of a province code (``"79"``, ``79``, ``"079"``), per the 63-province list by default;
    ``when="2025"`` names the merged province that now holds the code's territory."""
    key = _two_digits(code)
    if when == "2025":
        successor = SUCCESSOR_2025.get(key, key)
        province = PROVINCES_2025.get(successor)
        return province.name if province else None
    return PROVINCES_2024.get(key)
