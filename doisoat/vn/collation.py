"""Vietnamese alphabetical order, and the order of names on a class roster.

Letters sort as a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y (f j w z at their
Latin places); tones break ties only after the letters, in the order ngang, huyền, hỏi, ngã,
sắc, nặng; case breaks the last ties. Rosters sort by given name, then middle, then family.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from ._alphabet import ALPHABET_ORDER, LETTERS
from .text import nfc


class _Table(dict[int, str]):
    """A ``str.translate`` table that fills itself for characters met for the first time."""

    def __init__(self, compute):
        super().__init__()
        self._compute = compute

    def __missing__(self, codepoint: int) -> str:
        value = self._compute(chr(codepoint))
        self[codepoint] = value
        return value


_RANK = {letter: i for i, letter in enumerate(ALPHABET_ORDER)}
_OTHER_BASE = 0x1000


def _primary(ch: str) -> str:
    letter = LETTERS.get(ch)
    if letter is not None:
        return chr(0x40 + _RANK[letter.quality])
    if ch.isspace():
        return "\x01"
    if ch.isdigit():
        return chr(0x10 + int(unicodedata.numeric(ch, 0)) % 10)
    if unicodedata.combining(ch):
        return ""
    base = unicodedata.normalize("NFD", ch)[0].lower()
    if base in _RANK:
        return chr(0x40 + _RANK[base])
    return chr(_OTHER_BASE + ord(ch))


def _tone(ch: str) -> str:
    letter = LETTERS.get(ch)
    if letter is not None:
        return str(letter.tone)
    return "" if unicodedata.combining(ch) else "0"


def _case(ch: str) -> str:
    if unicodedata.combining(ch):
        return ""
    return "1" if ch.isupper() else "0"


_PRIMARY = _Table(_primary)
_TONES = _Table(_tone)
_CASES = _Table(_case)
for _cp in (*range(0x0250), *range(0x0300, 0x0370), *range(0x1E00, 0x1F00)):
    for _table in (_PRIMARY, _TONES, _CASES):
        _table[_cp] = _table._compute(chr(_cp))


@lru_cache(maxsize=1 << 17)
def vi_sort_key(text: str) -> tuple[str, str, str]:
    """Key sorting strings in Vietnamese dictionary order (``sorted(names, key=vi_sort_key)``)."""
    text = " ".join(nfc(text or "").split())
    return text.translate(_PRIMARY), text.translate(_TONES), text.translate(_CASES)


def roster_sort_key(family: str, middle: str, given: str) -> tuple[tuple[str, str, str], ...]:
    """Key putting students in roster order: given name, then middle name, then family name."""
    return vi_sort_key(given), vi_sort_key(middle), vi_sort_key(family)
