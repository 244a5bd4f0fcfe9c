"""Wrong code pages: UTF-8 read as latin-1, Windows-1258 read as cp1252, UTF-8 misread twice.

The damage is made with Python's own codecs from real names (the shipped lists), not with our
encoders, so that the repair is judged by an implementation independent of it. Clean Vietnamese
and foreign names must come back unchanged.
"""

from __future__ import annotations

import codecs
import os
import random
import unicodedata
from collections.abc import Callable

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from doisoat.vn import (
    FAMILY_NAMES,
    MIDDLE_NAMES,
    detect_encoding,
    given_names,
    join_name,
    messages,
    repair_fields,
    repair_series,
    repair_text,
    text_problem,
)
from doisoat.vn.syllable import invalid_word_count
from tests.vn.strategies import full_names

FAST = settings(
    max_examples=int(os.environ.get("VN_EXAMPLES", "150")), deadline=None, derandomize=True
)


def _windows_undefined(err: UnicodeError) -> tuple[str, int]:
    """What Windows shows for the five bytes cp1252 leaves undefined: U+0081 and the like."""
    if isinstance(err, UnicodeDecodeError):
        return "".join(chr(b) for b in err.object[err.start : err.end]), err.end
    raise err


codecs.register_error("test-windows-undefined", _windows_undefined)
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def utf8_read_as(*encodings: str) -> Callable[[str], str]:
    """UTF-8 bytes read back as each of ``encodings`` in turn (two of them: double mojibake)."""

    def damage(name: str) -> str:
        for encoding in encodings:
            name = name.encode("utf-8").decode(encoding, "test-windows-undefined")
        return name

    return damage


def cp1258_read_as_cp1252(name: str, *, precomposed: bool = True) -> str:
    """Written by a Windows-1258 program, read back as cp1252. 1258 has ê ơ ă … but few toned
    letters: the tone is a byte of its own after the letter (``Nguyễn`` → ``NguyêÞn``), for
    every letter or only where 1258 has no precomposed one (``á`` is 0xE1)."""
    out = []
    for ch in unicodedata.normalize("NFC", name):
        if precomposed:
            try:
                out.append(ch.encode("cp1258"))
                continue
            except UnicodeEncodeError:
                pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append((base + "".join(c for c in parts if c in _TONES)).encode("cp1258"))
    return b"".join(out).decode("cp1252")


FAMILIES: dict[str, Callable[[str], str]] = {
    "utf8_as_latin1": utf8_read_as("latin-1"),
    "cp1258_as_cp1252": cp1258_read_as_cp1252,
    "cp1258_decomposed_as_cp1252": lambda s: cp1258_read_as_cp1252(s, precomposed=False),
    "double_utf8_as_cp1252": utf8_read_as("cp1252", "cp1252"),
    "double_utf8_as_latin1": utf8_read_as("latin-1", "latin-1"),
    "double_utf8_cp1252_then_latin1": utf8_read_as("cp1252", "latin-1"),
}

FOREIGN_FAMILY = (
    "Guðmundsdóttir", "Sigurðardóttir", "Þórsson", "Wałęsa", "Müller", "Núñez", "Çelik", "Şahin",
    "Dvořák", "Ångström", "Gonçalves", "Štěpánek", "Groß", "Kierkegaard", "Sánchez", "Piñera",
    "Ørsted", "Hæstad", "Lefèvre", "Brontë", "Gödel", "Erdős", "Jiménez", "Ibáñez", "Løkke",
)  # fmt: skip
FOREIGN_GIVEN = (
    "Łukasz", "José", "François", "Søren", "Björk", "Ólafur", "Zoë", "Jürgen", "Maël", "Chloé",
    "Noémie", "Anaïs", "Hélène", "Désirée", "João", "Conceição", "Eðvarð", "Þóra", "Ægir",
    "Àlex", "Íñigo", "Renée", "Zoé", "Jérôme", "Bjørn", "Åsa", "Günther", "Hrafnhildur",
)  # fmt: skip


def _real_names(count: int, seed: int) -> list[str]:
    """Names drawn like the population: family names with their shares, one in ten in capitals."""
    rng = random.Random(seed)
    families, shares = list(FAMILY_NAMES), list(FAMILY_NAMES.values())
    out = []
    for _ in range(count):
        gender = rng.choice("MF")
        name = join_name(
            rng.choices(families, shares)[0],
            rng.choice(list(MIDDLE_NAMES[gender])),
            rng.choice(given_names(gender)),
        )
        out.append(name.upper() if rng.random() < 0.1 else name)
    return out


@pytest.mark.parametrize("family", list(FAMILIES))
def test_at_least_99_percent_of_2000_damaged_names_come_back(family: str) -> None:
    names = _real_names(2000, seed=19)
    damage = FAMILIES[family]
    wrong = [(n, damage(n), repair_text(damage(n))) for n in names]
    wrong = [w for w in wrong if w[0] != w[2]]
    assert len(wrong) <= 20, wrong[:5]
    # what is left is damage that spells valid Vietnamese itself ("Văn" → "Vãn"): left as is
    assert all(invalid_word_count(bad) == 0 for _, bad, _ in wrong)


@FAST
@given(full_names())
def test_utf8_read_as_latin1_round_trip(name: str) -> None:
    damaged = utf8_read_as("latin-1")(name)
    assert repair_text(damaged) == name
    assert detect_encoding(damaged) == ("unicode" if name.isascii() else "mojibake")


@FAST
@given(full_names(), st.sampled_from([("cp1252", "cp1252"), ("latin-1", "latin-1"),
                                      ("cp1252", "latin-1"), ("latin-1", "cp1252")]))
def test_double_mojibake_round_trip(name: str, encodings: tuple[str, str]) -> None:
    assert repair_text(utf8_read_as(*encodings)(name)) == name


@FAST
@given(full_names(), st.booleans())
def test_cp1258_read_as_cp1252_round_trip(name: str, precomposed: bool) -> None:
    damaged = cp1258_read_as_cp1252(name, precomposed=precomposed)
    # When the bytes happen to spell valid Vietnamese ("Văn" → "Vãn"), nothing can tell.
    assume(invalid_word_count(damaged) > 0)
    assert repair_text(damaged) == name
    assert detect_encoding(damaged) in {"cp1258", "unicode"}  # unicode: Ð for Đ, the only damage


def test_the_examples_of_the_issue() -> None:
    assert repair_text("NguyêÞn") == "Nguyễn"
    assert repair_text("Nguy\xe1\xbb\x85n") == "Nguyễn"  # latin-1: the … byte is U+0085
    assert repair_text("NguyÃ¡Â»â€¦n VÃ„Æ’n An") == "Nguyễn Văn An"  # UTF-8 misread twice
    assert repair_text("Bùi Ðãng Phát") == "Bùi Đăng Phát"  # Đ shows as Ð in 1258 text too
    assert text_problem("NguyêÞn Vãn An") == "TEXT_CP1258"
    assert messages.text("TEXT_CP1258")


foreign_names = st.builds(
    lambda given_name, family, upper: (f"{given_name} {family}".upper() if upper
                                       else f"{given_name} {family}"),
    st.sampled_from(FOREIGN_GIVEN), st.sampled_from(FOREIGN_FAMILY), st.booleans(),
)


@pytest.mark.parametrize("name", [*FOREIGN_FAMILY, *FOREIGN_GIVEN])
def test_foreign_names_are_never_changed(name: str) -> None:
    assert repair_text(name) == name
    assert repair_text(name.upper()) == name.upper()


@FAST
@given(foreign_names)
def test_foreign_full_names_are_never_changed(name: str) -> None:
    assert repair_text(name) == name
    assert repair_series(pl.Series([name])).to_list() == [name]


def test_clean_vietnamese_names_are_never_changed() -> None:
    names = _real_names(2000, seed=5)
    assert [n for n in names if repair_text(n) != n] == []
    assert repair_series(pl.Series(names)).to_list() == names


def test_eth_is_read_as_d_only_where_vietnamese_has_it() -> None:
    # Vietnamese đ begins a syllable; Icelandic ð never begins a word.
    assert repair_text("ÐINH Văn Hùng") == "ĐINH Văn Hùng"
    assert repair_text("Guðmundsdóttir") == "Guðmundsdóttir"
    assert repair_series(pl.Series(["ÐINH Văn Hùng", "Lê ðào", "Guðmundsdóttir"])).to_list() == [
        "ĐINH Văn Hùng", "Lê đào", "Guðmundsdóttir"]


@pytest.mark.parametrize("family", list(FAMILIES))
def test_record_fields_are_repaired_together(family: str) -> None:
    damage = FAMILIES[family]
    fields = ("Nguyễn", "Văn", "Tú", "Nguyễn Văn Tú")
    assert repair_fields(*(damage(f) for f in fields)) == fields


_damage = st.sampled_from([*FAMILIES.values(), lambda s: s])


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.none(), st.tuples(full_names(), _damage)), max_size=25))
def test_repair_series_agrees_with_repair_text(items: list[tuple[str, object] | None]) -> None:
    values = [None if item is None else item[1](item[0]) for item in items]  # type: ignore[operator]
    repaired = repair_series(pl.Series("full_name", values, dtype=pl.String))
    assert repaired.to_list() == [None if v is None else repair_text(v) for v in values]
