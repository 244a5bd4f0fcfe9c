"""Vietnamese personal names: family / middle / given, and the name lists the simulator draws from.

A full name is written family first, given name last (``Nguyễn Thị Minh Khai``: family Nguyễn,
middle Thị Minh, given Khai). A few family names have two or more words (Tôn Nữ, Tôn Thất,
Âu Dương, Công Tằng Tôn Nữ, Nguyễn Phúc); ``split_name`` recognises them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal, NamedTuple

from ._namedata import (
    _WEAK_COMPOUNDS,
    COMPOUND_FAMILY_NAMES,
    FAMILY_NAMES,
    MIDDLE_NAMES,
    read_name_file,
)
from .text import fold, nfc

__all__ = [
    "COMPOUND_FAMILY_NAMES",
    "FAMILY_NAMES",
    "MIDDLE_NAMES",
    "NameParts",
    "given_names",
    "join_name",
    "normalize_name",
    "split_name",
]


class NameParts(NamedTuple):
    family: str
    middle: str
    given: str


def _compounds_by_first_word() -> dict[str, list[tuple[str, int, int]]]:
    """Folded first word → (folded compound, its word count, words needed after it)."""
    table: dict[str, list[tuple[str, int, int]]] = {}
    for compound in COMPOUND_FAMILY_NAMES:  # longest first
        key = fold(compound)
        needed_after = 2 if key in _WEAK_COMPOUNDS else 1
        table.setdefault(key.split()[0], []).append((key, len(key.split()), needed_after))
    return table


_COMPOUNDS_BY_FIRST = _compounds_by_first_word()


@lru_cache(maxsize=1 << 18)
def split_name(full: str) -> NameParts:
    """Family / middle / given of a full name; spaces normalised, case kept as written.

    One word is a given name alone; two words are family + given; compound family names are
    recognised (``Tôn Nữ Thị Hà`` → Tôn Nữ / Thị / Hà).
    """
    words = nfc(full).split()
    if not words:
        return NameParts("", "", "")
    if len(words) == 1:
        return NameParts("", "", words[0])
    family_len = 1
    for key, size, needed_after in _COMPOUNDS_BY_FIRST.get(fold(words[0]), ()):
        if len(words) >= size + needed_after and fold(" ".join(words[:size])) == key:
            family_len = size
            break
    return NameParts(" ".join(words[:family_len]), " ".join(words[family_len:-1]), words[-1])


def join_name(family: str, middle: str, given: str) -> str:
    """The full name, family first, single spaces (empty parts skipped)."""
    return " ".join(" ".join(nfc(p).split()) for p in (family, middle, given) if p and p.strip())


def normalize_name(full: str) -> str:
    """NFC, single spaces, each word capitalised (``NGUYỄN thị  hà`` → ``Nguyễn Thị Hà``)."""
    return " ".join(w[:1].upper() + w[1:].lower() for w in nfc(full).split())


def given_names(gender: Literal["M", "F"], one_word: bool = True) -> tuple[str, ...]:
    """Given names for boys (``M``) or girls (``F``), from duyet/vietnamese-namedb (MIT).

    ``one_word=True``: single given names (``An``, ``Bách``). ``one_word=False``: the lists of
    middle + given pairs (``An Khang``); the last word is the given name.
    """
    if gender not in ("M", "F"):
        raise ValueError(f"gender must be 'M' or 'F', not {gender!r}")
    stem = "boy" if gender == "M" else "girl"
    return read_name_file(f"{stem}_one_word.txt" if one_word else f"{stem}.txt")
