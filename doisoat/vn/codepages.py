"""Text that went through the wrong code page, and the readings that may undo it.

Three families reach us besides TCVN3 and VNI (:mod:`doisoat.vn.legacy`):

- **UTF-8 read as cp1252** (``Nguyá»…n``) or as **latin-1**, which a latin-1 database column
  gives: the bytes cp1252 would show as ``…`` or ``Å`` come as the C1 controls U+0080–U+009F;
- the same **twice** (``NguyÃ¡Â»â€¦n``), when a damaged text was saved as UTF-8 and misread again;
- **Windows-1258 read as cp1252**: 1258 writes most toned letters as the letter followed by a
  tone byte of its own, which cp1252 shows as ``Ì Ò Þ ì ò`` (``NguyêÞn`` for ``Nguyễn``), and
  ``ă đ ơ ư`` as ``ã ð õ ý``.

The UTF-8 families are ftfy's trade (a well-kept library that knows far more of them than we
would), and Python's own cp1258 codec reads Windows-1258: no tables of ours here. ftfy stops
where a sequence is also plausible text (``á»…`` could end in an ellipsis) and does not know
the programs that drop the five bytes cp1252 leaves undefined, so our own UTF-8 reader
(:func:`doisoat.vn.legacy.mojibake_readings`) goes on from where ftfy stopped. These functions
only offer readings; :mod:`doisoat.vn.text` keeps one only when it is more Vietnamese than the
text as given.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import cache
from types import ModuleType

from .legacy import LEGACY_BYTE, mojibake_readings

MAX_LAYERS = 3
"""Layers of UTF-8 mojibake peeled at most (one is common, two is seen, three is a curiosity)."""


@cache
def _ftfy() -> ModuleType:
    """ftfy, imported on first use: most runs never meet a damaged name (42 ms saved)."""
    import ftfy

    return ftfy


def utf8_readings(text: str, limit: int = 64) -> Iterator[str]:
    """Readings of ``text`` as UTF-8 misread as cp1252 or latin-1, one to three layers deep,
    best guesses first (ftfy's, then ours); none when ``text`` is no such mojibake.

    Lazy: the caller stops at a reading that is plainly right, and most are the first one.
    """
    seen = {text}
    fixed = unicodedata.normalize("NFC", _ftfy().fix_encoding(text))
    seeds = [text]
    if fixed != text:
        seen.add(fixed)
        yield fixed
        seeds.insert(0, fixed)
    given = 0
    for seed in seeds:
        layer = [seed]
        for _ in range(MAX_LAYERS):
            layer = [r for s in layer for r in mojibake_readings(s)][:limit]
            for reading in layer:
                if reading not in seen and given < limit:
                    seen.add(reading)
                    given += 1
                    yield reading
            if not layer:
                break


_CP1258_ONLY = frozenset("ÃÌÐÒÕÝÞãìðòõýþ")
"""cp1252 characters whose bytes mean something else in Windows-1258 (Ă Đ Ơ Ư ₫, tone marks);
the four 1258 leaves undefined (Š Ž š ž) would come back as U+FFFD and fail the judges."""


def cp1258_reading(text: str) -> str | None:
    """``text`` read back as the Windows-1258 bytes it was shown from, NFC; None when it holds
    none of the bytes where the two code pages differ."""
    if not any(ch in _CP1258_ONLY for ch in text):
        return None
    try:
        data = bytes(LEGACY_BYTE[ch] for ch in text)
    except KeyError:
        return None
    return unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))


def decode_cp1258(text: str) -> str:
    """:func:`cp1258_reading`, or ``text`` itself when there is nothing to read."""
    return cp1258_reading(text) or text


__all__ = ["MAX_LAYERS", "cp1258_reading", "decode_cp1258", "utf8_readings"]
