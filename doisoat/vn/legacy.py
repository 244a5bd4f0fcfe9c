"""Legacy Vietnamese encodings: TCVN3 (ABC), VNI-Windows, and UTF-8 read as cp1252.

All three reach us the same way: bytes written by an old program, read back as cp1252/latin-1,
so every character of the damaged text is in the cp1252 repertoire. The decoders here are
mechanical; *whether* to apply one is decided in :mod:`doisoat.vn.text`, which asks
:mod:`doisoat.vn.syllable` which reading is Vietnamese.

TCVN3 is TCVN 5712:1993 VN3 as used by the .VnTime fonts: one byte per letter, lower-case
letters with tones only (upper case toned letters were typed with the .VnTimeH font over the
same lower-case codes), plus upper-case Ă Â Ê Ô Ơ Ư Đ; the table agrees with glibc's TCVN5712-1
converter (the tests check it), whose extra VN1 codes for upper-case toned letters are decoded
too. VNI-Windows writes a base letter followed
by a mark character (``a`` + ``ù`` = á, ``e`` + ``ã`` = ễ), with single characters for đ, ơ, ư,
the tones of i and ỵ.
"""

from __future__ import annotations

import re
import unicodedata

from ._alphabet import (
    LETTERS,
    TONE_HOI,
    TONE_HUYEN,
    TONE_NANG,
    TONE_NGA,
    TONE_NONE,
    TONE_SAC,
)

# --- cp1252 ---------------------------------------------------------------------------------

_CP1252_SPECIALS = {
    0x80: "€", 0x82: "‚", 0x83: "ƒ", 0x84: "„", 0x85: "…", 0x86: "†", 0x87: "‡", 0x88: "ˆ",
    0x89: "‰", 0x8A: "Š", 0x8B: "‹", 0x8C: "Œ", 0x8E: "Ž", 0x91: "‘", 0x92: "’", 0x93: "“",
    0x94: "”", 0x95: "•", 0x96: "–", 0x97: "—", 0x98: "˜", 0x99: "™", 0x9A: "š", 0x9B: "›",
    0x9C: "œ", 0x9E: "ž", 0x9F: "Ÿ",
}  # fmt: skip
# Bytes cp1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D) come through Windows as U+0081 etc.
CP1252_DECODE = [_CP1252_SPECIALS.get(b, chr(b)) for b in range(256)]
CP1252_ENCODE = {ch: b for b, ch in enumerate(CP1252_DECODE)}
CP1252_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
NOT_CP1252 = re.compile("[^" + re.escape("".join(CP1252_DECODE)) + "]")
"""Matches a character that cannot come from a byte read as cp1252."""
# A latin-1 reader (a latin-1 database column, Python's "latin-1") shows the bytes 0x80–0x9F as
# the C1 controls U+0080–U+009F where cp1252 shows € … Å: either way, one character per byte.
C1_CONTROLS = "".join(chr(b) for b in range(0x80, 0xA0))
LEGACY_BYTE = {**{ch: ord(ch) for ch in C1_CONTROLS}, **CP1252_ENCODE}
"""The byte behind each character a legacy reading can show (cp1252, or latin-1 for C1)."""
NOT_LEGACY = re.compile("[^" + re.escape("".join(LEGACY_BYTE)) + "]")
"""Matches a character no byte read as cp1252 or latin-1 gives: the text is not legacy."""

# --- TCVN3 ----------------------------------------------------------------------------------

# (letter, byte) per TCVN 5712:1993 VN3.
_TCVN3 = {
    "à": 0xB5, "á": 0xB8, "ả": 0xB6, "ã": 0xB7, "ạ": 0xB9,
    "ă": 0xA8, "ằ": 0xBB, "ắ": 0xBE, "ẳ": 0xBC, "ẵ": 0xBD, "ặ": 0xC6,
    "â": 0xA9, "ầ": 0xC7, "ấ": 0xCA, "ẩ": 0xC8, "ẫ": 0xC9, "ậ": 0xCB,
    "đ": 0xAE,
    "è": 0xCC, "é": 0xD0, "ẻ": 0xCE, "ẽ": 0xCF, "ẹ": 0xD1,
    "ê": 0xAA, "ề": 0xD2, "ế": 0xD5, "ể": 0xD3, "ễ": 0xD4, "ệ": 0xD6,
    "ì": 0xD7, "í": 0xDD, "ỉ": 0xD8, "ĩ": 0xDC, "ị": 0xDE,
    "ò": 0xDF, "ó": 0xE3, "ỏ": 0xE1, "õ": 0xE2, "ọ": 0xE4,
    "ô": 0xAB, "ồ": 0xE5, "ố": 0xE8, "ổ": 0xE6, "ỗ": 0xE7, "ộ": 0xE9,
    "ơ": 0xAC, "ờ": 0xEA, "ớ": 0xED, "ở": 0xEB, "ỡ": 0xEC, "ợ": 0xEE,
    "ù": 0xEF, "ú": 0xF3, "ủ": 0xF1, "ũ": 0xF2, "ụ": 0xF4,
    "ư": 0xAD, "ừ": 0xF5, "ứ": 0xF8, "ử": 0xF6, "ữ": 0xF7, "ự": 0xF9,
    "ỳ": 0xFA, "ý": 0xFD, "ỷ": 0xFB, "ỹ": 0xFC, "ỵ": 0xFE,
    "Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7,
}  # fmt: skip

_TCVN3_ENCODE: dict[int, str] = {ord(k): chr(v) for k, v in _TCVN3.items()}
for _ch, _letter in LETTERS.items():
    # Upper-case toned letters have no code of their own: the lower-case code is used.
    if _letter.upper and ord(_ch) not in _TCVN3_ENCODE and _ch.lower() in _TCVN3:
        _TCVN3_ENCODE[ord(_ch)] = chr(_TCVN3[_ch.lower()])
# The full TCVN 5712 table (VN1) also has the upper-case toned letters, in the C0 and C1
# control ranges and in the holes VN3 leaves. .VnTime files never use them, but a file written
# by a VN1 converter may; decoding them costs nothing and VN3 text never contains them.
_TCVN3_VN1_UPPER = {
    0x01: "Ú", 0x02: "Ụ", 0x04: "Ừ", 0x05: "Ử", 0x06: "Ữ", 0x11: "Ứ", 0x12: "Ự", 0x13: "Ỳ",
    0x14: "Ỷ", 0x15: "Ỹ", 0x16: "Ý", 0x17: "Ỵ",
    0x80: "À", 0x81: "Ả", 0x82: "Ã", 0x83: "Á", 0x84: "Ạ", 0x85: "Ặ", 0x86: "Ậ", 0x87: "È",
    0x88: "Ẻ", 0x89: "Ẽ", 0x8A: "É", 0x8B: "Ẹ", 0x8C: "Ệ", 0x8D: "Ì", 0x8E: "Ỉ", 0x8F: "Ĩ",
    0x90: "Í", 0x91: "Ị", 0x92: "Ò", 0x93: "Ỏ", 0x94: "Õ", 0x95: "Ó", 0x96: "Ọ", 0x97: "Ộ",
    0x98: "Ờ", 0x99: "Ở", 0x9A: "Ỡ", 0x9B: "Ớ", 0x9C: "Ợ", 0x9D: "Ù", 0x9E: "Ủ", 0x9F: "Ũ",
    0xAF: "Ằ", 0xBA: "Ẳ", 0xBF: "Ẵ", 0xC0: "Ắ", 0xC1: "Ầ", 0xC2: "Ẩ", 0xC3: "Ẫ", 0xC4: "Ấ",
    0xC5: "Ề", 0xCD: "Ể", 0xD9: "Ễ", 0xDA: "Ế", 0xDB: "Ồ", 0xE0: "Ổ", 0xF0: "Ỗ", 0xFF: "Ố",
}  # fmt: skip
_TCVN3_DECODE = {chr(v): k for k, v in _TCVN3.items()}
_TCVN3_DECODE.update({CP1252_DECODE[b]: letter for b, letter in _TCVN3_VN1_UPPER.items()})
TCVN3_CHARS = frozenset(_TCVN3_DECODE)
_TCVN3_LOWER_ONLY = frozenset(chr(v) for k, v in _TCVN3.items() if k.islower())


def encode_tcvn3(text: str) -> str:
    """Write ``text`` as TCVN3 bytes read back as cp1252 (what an old .VnTime file looks like)."""
    return unicodedata.normalize("NFC", text).translate(_TCVN3_ENCODE)


def decode_tcvn3(text: str) -> str:
    """Read TCVN3 text, restoring the case of upper-case toned letters from their context.

    VN3 has no upper-case toned letters, so ``NGUYÔN`` decodes to ``NGUYễN``; a word whose other
    letters are upper case, or a string written in capitals, gets its letters upper-cased, and
    in a Title-case string a decoded first letter is capitalised (``¸nh`` → ``Ánh``).
    """
    words = text.split(" ")
    decoded: list[tuple[str, list[bool]]] = []
    inner_upper = initial_upper = False
    for word in words:
        chars, from_lower = [], []
        for i, ch in enumerate(word):
            out = _TCVN3_DECODE.get(ch, ch)
            lower_code = ch in _TCVN3_LOWER_ONLY
            chars.append(out)
            from_lower.append(lower_code)
            if not lower_code and out.isupper():
                if i == 0:
                    initial_upper = True
                else:
                    inner_upper = True
        decoded.append(("".join(chars), from_lower))
    style = "upper" if inner_upper else "title" if initial_upper else "lower"
    out_words = []
    for word, from_lower in decoded:
        if any(from_lower):
            own_upper = sum(
                1 for ch, fl in zip(word, from_lower, strict=True) if not fl and ch.isupper()
            )
            own_lower = sum(
                1 for ch, fl in zip(word, from_lower, strict=True) if not fl and ch.islower()
            )
            if own_lower == 0 and (own_upper >= 2 or style == "upper"):
                word = word.upper()
            elif style == "title" and from_lower[0]:
                word = word[0].upper() + word[1:]
        out_words.append(word)
    return " ".join(out_words)


# --- VNI-Windows ----------------------------------------------------------------------------

_VNI_TONE = {TONE_SAC: "ù", TONE_HUYEN: "ø", TONE_HOI: "û", TONE_NGA: "õ", TONE_NANG: "ï"}
_VNI_CIRCUMFLEX = {
    TONE_NONE: "â",
    TONE_SAC: "á",
    TONE_HUYEN: "à",
    TONE_HOI: "å",
    TONE_NGA: "ã",
    TONE_NANG: "ä",
}
_VNI_BREVE = {
    TONE_NONE: "ê",
    TONE_SAC: "é",
    TONE_HUYEN: "è",
    TONE_HOI: "ú",
    TONE_NGA: "ü",
    TONE_NANG: "ë",
}
_VNI_I = {TONE_SAC: "í", TONE_HUYEN: "ì", TONE_HOI: "æ", TONE_NGA: "ó", TONE_NANG: "ò"}


def _vni_lower(quality: str, tone: int) -> str | None:
    if quality == "đ":
        return "ñ"
    if quality == "i":
        return "i" if tone == TONE_NONE else _VNI_I[tone]
    if quality == "y" and tone == TONE_NANG:
        return "î"
    base = {"â": "a", "ê": "e", "ô": "o", "ă": "a", "ơ": "ô", "ư": "ö"}.get(quality, quality)
    if quality in "âêô":
        return base + _VNI_CIRCUMFLEX[tone]
    if quality == "ă":
        return base + _VNI_BREVE[tone]
    return base + _VNI_TONE.get(tone, "")


_VNI_ENCODE: dict[int, str] = {}
_VNI_DECODE: dict[str, str] = {}
for _ch, _letter in LETTERS.items():
    if _letter.quality not in "aăâeêioôơuưyđ":
        continue
    _seq = _vni_lower(_letter.quality, _letter.tone)
    if _seq is None or _seq == _ch:
        continue
    if _letter.upper:
        _seq = _seq.upper()
    _VNI_ENCODE[ord(_ch)] = _seq
    _VNI_DECODE[_seq] = _ch
    if len(_seq) == 2:  # accept a mark in the other case too (``Aù`` as well as ``AÙ``)
        _VNI_DECODE.setdefault(_seq[0] + _seq[1].swapcase(), _ch)
VNI_MARKS = frozenset(
    "".join(_VNI_TONE.values()) + "".join(_VNI_CIRCUMFLEX.values()) + "".join(_VNI_BREVE.values())
)
VNI_MARKS = VNI_MARKS | frozenset(m.upper() for m in VNI_MARKS)
VNI_CHARS = VNI_MARKS | frozenset(s for s in _VNI_DECODE if len(s) == 1)


def _vni_pattern() -> re.Pattern[str]:
    """Every VNI sequence, the two-character ones grouped by their letter (one branch per
    letter instead of one per sequence: the scan is several times faster) before the single
    characters, so that the longest sequence wins as in a plain alternation."""
    pairs: dict[str, set[str]] = {}
    for seq in _VNI_DECODE:
        if len(seq) == 2:
            pairs.setdefault(seq[0], set()).add(seq[1])
    singles = "".join(re.escape(seq) for seq in sorted(_VNI_DECODE) if len(seq) == 1)
    branches = [f"{re.escape(letter)}[{''.join(re.escape(m) for m in sorted(marks))}]"
                for letter, marks in sorted(pairs.items())]
    return re.compile("(" + "|".join([*branches, f"[{singles}]"]) + ")")


_VNI_SPLIT = _vni_pattern()


def encode_vni(text: str) -> str:
    """Write ``text`` as VNI-Windows bytes read back as cp1252 (``Nguyễn`` → ``Nguyeãn``)."""
    return unicodedata.normalize("NFC", text).translate(_VNI_ENCODE)


def decode_vni(text: str) -> str:
    # split with the pattern captured: every odd part is a VNI sequence. Mapping the parts in
    # C is several times faster than ``sub`` calling back into Python at each letter.
    parts = _VNI_SPLIT.split(text)
    parts[1::2] = map(_VNI_DECODE.__getitem__, parts[1::2])
    return "".join(parts)


# --- UTF-8 read as cp1252 ("mojibake") ------------------------------------------------------


def encode_mojibake(text: str) -> str:
    """UTF-8 bytes of ``text`` read as cp1252; undefined bytes kept as C1 controls.

    ``Học`` → ``Há»\\x8dc`` (the control is invisible, so it shows as ``Há»c``).
    """
    return "".join(CP1252_DECODE[b] for b in text.encode("utf-8"))


def _needed(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 1
    if 0xE0 <= lead <= 0xEF:
        return 2
    if 0xF0 <= lead <= 0xF4:
        return 3
    return -1


def _is_letterish(ch: str) -> bool:
    return ch in LETTERS or ch in TONE_MARK_CHARS


TONE_MARK_CHARS = frozenset("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")


def mojibake_readings(text: str, limit: int = 64) -> list[str]:
    """Every plausible UTF-8 reading of ``text`` taken as cp1252 (or latin-1), best first.

    Empty when ``text`` is not mojibake. Programs that drop the undefined bytes (0x81, 0x8D,
    0x8F, 0x90, 0x9D) leave a multi-byte sequence one byte short (``Há»c``); such gaps are filled
    with each undefined byte that yields a Vietnamese letter, and the caller picks the reading
    that is Vietnamese. Gaps are only filled once the text has shown at least one intact
    multi-byte sequence (or a three-byte one missing only its last byte), so ``Ã`` followed by
    a space in real text is left alone.
    """
    try:
        data = bytes(LEGACY_BYTE[ch] for ch in text)
    except KeyError:
        return []
    pieces: list[list[str]] = []
    intact = 0
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        need = _needed(b)
        if need < 0:
            if b >= 0x80:
                return []  # a stray continuation or invalid byte: not UTF-8
            pieces.append([chr(b)])
            i += 1
            continue
        j = i + 1
        while j < n and j - i - 1 < need and 0x80 <= data[j] <= 0xBF:
            j += 1
        got = j - i - 1
        if got == need:
            pieces.append([data[i:j].decode("utf-8", errors="strict")])
            intact += 1
        elif got == need - 1 and (need == 1 or got >= 1):
            options = []
            for fill in CP1252_UNDEFINED:
                seq = data[i:j] + bytes([fill])
                try:
                    ch = seq.decode("utf-8")
                except UnicodeDecodeError:
                    continue
                if _is_letterish(ch):
                    options.append(ch)
            if not options:
                return []
            pieces.append(options)
            # A lead byte with a real continuation byte is evidence too, and so is a lead byte
            # that is no Vietnamese letter (Ä of Đ = C4 90); Ã or Â alone prove nothing.
            intact += got or CP1252_DECODE[b] not in LETTERS
        else:
            return []
        i = j
    if not intact:
        return []
    readings = [""]
    for options in pieces:
        if len(readings) * len(options) > limit:
            options = options[:1]
        readings = [r + o for r in readings for o in options]
    return [unicodedata.normalize("NFC", r) for r in readings]


__all__ = [
    "CP1252_DECODE",
    "CP1252_ENCODE",
    "C1_CONTROLS",
    "LEGACY_BYTE",
    "NOT_CP1252",
    "NOT_LEGACY",
    "TCVN3_CHARS",
    "VNI_CHARS",
    "decode_tcvn3",
    "decode_vni",
    "encode_mojibake",
    "encode_tcvn3",
    "encode_vni",
    "mojibake_readings",
]
