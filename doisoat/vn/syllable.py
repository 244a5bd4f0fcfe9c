"""Is this word a well-formed Vietnamese syllable?

Legacy-encoding repair needs a judge: ``NguyÔn`` (TCVN3) and ``Nguyeãn`` (VNI) are not
Vietnamese syllables, ``Nguyễn`` is. A syllable is an optional initial consonant, a rhyme
(vần) from a closed list, and at most one tone; rhymes ending in a stop (-c, -ch, -p, -t) take
only the sắc or nặng tone. Tone placement (``hoà`` / ``hòa``) is not judged: both styles are in
use. Words must be lower case, Title case or ALL CAPS.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ._alphabet import LETTERS, TONE_NANG, TONE_NONE, TONE_SAC

INITIALS = (
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)  # fmt: skip

RHYMES = frozenset(
    """
    a ai ao au ay ac ach am an ang anh ap at
    ăc ăm ăn ăng ăp ăt
    âc âm ân âng âp ât âu ây
    e eo ec em en eng ep et
    ê êch êm ên ênh êp êt êu
    i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
    o oa oai oao oay oac oach oam oan oang oanh oap oat oăc oăm oăn oăng oăt
    oe oeo oen oet oc oi om on ong op ot ooc oong
    ô ôc ôi ôm ôn ông ôp ôt
    ơ ơi ơm ơn ơp ơt
    u ua uân uâng uât uây uê uêch uênh uy uya uych uyên uyêt uynh uyt uyu
    uc ui um un ung up ut uôc uôi uôm uôn uông uôt uơ
    ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
    y yêm yên yêng yêt yêu ynh yt
    """.split()
)
"""Rhymes without tone. ``qu`` and ``gi`` are treated as initials, so ``quân`` is qu + ân."""

_STOPS = ("c", "ch", "p", "t")


def _case_ok(word: str) -> bool:
    return word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())


@lru_cache(maxsize=65536)
def is_valid_syllable(word: str) -> bool:
    """True when ``word`` (NFC, no spaces) is a well-formed Vietnamese syllable."""
    if not word or (len(word) > 1 and not _case_ok(word)):
        return False
    qualities = []
    tone, tone_at = TONE_NONE, -1
    for i, ch in enumerate(word):
        letter = LETTERS.get(ch)
        if letter is None:
            return False
        if letter.tone != TONE_NONE:
            if tone != TONE_NONE:
                return False
            tone, tone_at = letter.tone, i
        qualities.append(letter.quality)
    plain = "".join(qualities)
    for initial in INITIALS:
        if not plain.startswith(initial):
            continue
        rhyme = plain[len(initial) :]
        if rhyme in RHYMES or (initial == "gi" and rhyme == ""):
            if rhyme.endswith(_STOPS) and tone not in (TONE_SAC, TONE_NANG):
                continue
            if tone != TONE_NONE and tone_at - len(initial) not in _tone_positions(rhyme):
                continue
            return True
    return False


_FINALS = ("ch", "ng", "nh", "c", "m", "n", "p", "t")


@lru_cache(maxsize=512)
def _tone_positions(rhyme: str) -> frozenset[int]:
    """Where a rhyme may carry its tone mark, old style (hòa, thủy) and new style (hoà, thuỷ).

    On the last vowel with a diacritic (ươ → ơ, uyê → ê); else, before a final consonant, on the
    last vowel; else on the first of two vowels (ai, ao, ua) — either for oa, oe, uy — or the
    middle of three (oai, uya).
    """
    if rhyme == "":
        return frozenset({-1})  # "gi" + tone on its i: gì, gỉ
    vowels = rhyme
    for final in _FINALS:
        if rhyme.endswith(final) and len(rhyme) > len(final):
            vowels = rhyme[: -len(final)]
            break
    marked = [i for i, q in enumerate(vowels) if q in "ăâêôơư"]
    if marked:
        return frozenset({marked[-1]})
    if vowels != rhyme:
        return frozenset({len(vowels) - 1})
    if len(vowels) == 1:
        return frozenset({0})
    if len(vowels) == 2:
        return frozenset({0, 1}) if vowels in ("oa", "oe", "uy") else frozenset({0})
    return frozenset({1})


_EDGE_PUNCT = "\"'.,;:!?()[]{}-/"  # ASCII only: « » ’ … are pieces of mojibake
_WORD_SPLIT = re.compile(r"[ \t\r\n\f\v]+")  # not NBSP: 0xA0 is the second byte of "à"


def invalid_word_count(text: str) -> int:
    """How many non-ASCII words of ``text`` are not Vietnamese syllables (ASCII ones count 0)."""
    bad = 0
    for token in _WORD_SPLIT.split(text):
        if not token or token.isascii():
            continue
        word = token.strip(_EDGE_PUNCT)
        if not word or not is_valid_syllable(word):
            bad += 1
    return bad


def words(text: str) -> list[str]:
    """The non-ASCII words of ``text``, edge punctuation removed (what the judges look at)."""
    out = []
    for token in _WORD_SPLIT.split(text):
        if token and not token.isascii():
            out.append(token.strip(_EDGE_PUNCT))
    return out
