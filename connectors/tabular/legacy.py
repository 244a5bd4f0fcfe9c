"""Which 8-bit encoding a Vietnamese text file is really in.

Windows-1258 and text typed in legacy fonts (TCVN3 ``.VnTime``, ``VNI-Times``) all decode
without error as some 8-bit code page, so the decoder cannot tell them apart by failing. We
decode each candidate, let ``doisoat.vn.repair_text`` undo legacy fonts, and keep the reading
whose letters look most like Vietnamese.
"""

from __future__ import annotations

import codecs
import unicodedata

from doisoat.vn import encode_tcvn3
from doisoat.vn.legacy import decode_vni
from doisoat.vn.syllable import invalid_word_count

_VIET = set(
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ"
)
# Bytes 0x80-0x9F as Windows reads them (cp1252); undefined ones stay C1 controls.
_CP1252 = {b: bytes([b]).decode("cp1252") for b in range(0x80, 0xA0)
           if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
_NEUTRAL = set("–—‘’“”…°·«»€ºª§©®±×÷")


_SAMPLE = 64 * 1024


def _tcvn3_table() -> dict[int, str]:
    """Byte-as-cp1252 character -> letter, from the encoder (lower case wins: VN3 has no
    toned capitals, so 'Ánh' was written with the code of 'á')."""
    table: dict[int, str] = {}
    letters = sorted(_VIET, key=lambda ch: (not ch.islower(), ch))
    for letter in letters:
        code = encode_tcvn3(letter)
        if len(code) == 1 and ord(code) not in table:  # 'ý' is its own code: keep it so
            table[ord(code)] = letter
    return table


def _as_cp1252(data: bytes) -> str:
    """Bytes as Windows reads them: one C table lookup per byte (``str.translate`` over a
    file's text costs ten times as much)."""
    return codecs.charmap_decode(data, "strict", _CP1252_BYTES)[0]


def decode_tcvn3_bytes(data: bytes) -> str:
    """TCVN3 decoding for a whole file: a plain byte table; names' capitals are restored by
    the mapping, which knows which cells are names (``decode_tcvn3`` guesses per word)."""
    return codecs.charmap_decode(data, "strict", _TCVN3_BYTES)[0]


def _decode_vni_bytes(data: bytes) -> str:
    return decode_vni(_as_cp1252(data))


def vietnamese_score(text: str) -> int:
    """Vietnamese letters count for a reading, stray non-ASCII symbols against it."""
    score = 0
    for ch in text:
        if ch < "\x80":
            continue
        if ch in _VIET:
            score += 1
        elif ch not in _NEUTRAL:
            score -= 3
    return score


def decode_legacy_text(data: bytes, encodings: list[str]) -> tuple[str | None, str]:
    """The best reading of ``data`` among ``encodings`` and the legacy fonts, NFC."""
    # A whole file is in one font: decide once, on a large sample, then decode it all that way.
    sample = data[:_SAMPLE]
    if len(data) > _SAMPLE:
        sample = sample[: sample.rfind(b"\n") + 1] or sample
    candidates: list[tuple[int, str]] = []
    for encoding in encodings:
        try:
            text = unicodedata.normalize("NFC", sample.decode(encoding))
        except (UnicodeDecodeError, LookupError):
            continue
        candidates.append((_score(text), encoding))
    latin = _as_cp1252(sample)
    for name, decode in _LEGACY.items():
        reading = unicodedata.normalize("NFC", decode(sample))
        if reading != latin:
            candidates.append((_score(reading), name))
    if not candidates:
        return None, ""
    _, encoding = max(candidates, key=lambda c: c[0])
    if encoding in _LEGACY:
        text = _LEGACY[encoding](data)
    else:
        text = data.decode(encoding, errors="replace")
    return unicodedata.normalize("NFC", text), encoding


_CP1252_BYTES = "".join(_CP1252.get(b, chr(b)) for b in range(256))
_TCVN3_BYTES = "".join(_tcvn3_table().get(ord(ch), ch) for ch in _CP1252_BYTES)
_LEGACY = {"tcvn3": decode_tcvn3_bytes, "vni": _decode_vni_bytes}


def _score(text: str) -> int:
    return vietnamese_score(text) - 3 * invalid_word_count(text)
