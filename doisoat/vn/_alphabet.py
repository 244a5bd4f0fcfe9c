"""The Vietnamese alphabet as data: every letter, decomposed into base, vowel quality and tone.

Everything else in ``doisoat.vn`` (folding, collation, legacy encodings, syllable checks) is
built from these tables once, at import time, so the hot paths are plain ``str.translate`` calls.
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

# Tones in the order Vietnamese dictionaries sort them: ngang, huyền, hỏi, ngã, sắc, nặng.
TONE_NONE, TONE_HUYEN, TONE_HOI, TONE_NGA, TONE_SAC, TONE_NANG = range(6)
TONE_MARKS = {
    "\u0300": TONE_HUYEN,  # grave
    "\u0309": TONE_HOI,  # hook above
    "\u0303": TONE_NGA,  # tilde
    "\u0301": TONE_SAC,  # acute
    "\u0323": TONE_NANG,  # dot below
}
TONE_MARK_OF = {tone: mark for mark, tone in TONE_MARKS.items()}

# Vowel qualities: the letter without tone (a ă â e ê i o ô ơ u ư y).
VOWELS = "aăâeêioôơuưy"
CONSONANTS = "bcdđghklmnpqrstvx"
FOREIGN = "fjwz"
# Collation order of the Vietnamese alphabet (29 letters), with f j w z at their Latin places.
ALPHABET_ORDER = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"


class Letter(NamedTuple):
    char: str  # the precomposed NFC letter, e.g. "ễ"
    quality: str  # the letter without its tone, lower case, e.g. "ê"
    tone: int  # TONE_* constant
    upper: bool
    ascii: str  # folded base letter, lower case, e.g. "e"


def _build() -> dict[str, Letter]:
    letters: dict[str, Letter] = {}
    for quality in VOWELS:
        ascii_base = unicodedata.normalize("NFD", quality)[0]
        for tone in range(6):
            mark = TONE_MARK_OF.get(tone, "")
            lower = unicodedata.normalize("NFC", quality + mark)
            upper = unicodedata.normalize("NFC", quality.upper() + mark)
            letters[lower] = Letter(lower, quality, tone, False, ascii_base)
            letters[upper] = Letter(upper, quality, tone, True, ascii_base)
    for consonant in CONSONANTS + FOREIGN:
        ascii_base = "d" if consonant == "đ" else consonant
        letters[consonant] = Letter(consonant, consonant, TONE_NONE, False, ascii_base)
        letters[consonant.upper()] = Letter(
            consonant.upper(), consonant, TONE_NONE, True, ascii_base
        )
    return letters


LETTERS: dict[str, Letter] = _build()
"""Every Vietnamese letter (134 vowels with tones, consonants, f j w z), upper and lower case."""

VIETNAMESE_LETTERS = frozenset(LETTERS)


def compose(quality: str, tone: int, upper: bool = False) -> str:
    """The letter of a vowel quality and a tone: ``compose("ê", TONE_NGA)`` → ``ễ``."""
    base = quality.upper() if upper else quality
    return unicodedata.normalize("NFC", base + TONE_MARK_OF.get(tone, ""))
