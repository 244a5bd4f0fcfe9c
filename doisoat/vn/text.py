"""Vietnamese text: NFC, repair of legacy encodings, and folded comparison keys.

``repair_text`` is called on every name of every source every night, so the common cases cost
almost nothing: ASCII is returned as is, and text holding a character no cp1252 or latin-1 byte
can produce (ă, đ, ơ, ư, ạ …, or a combining mark) cannot be a legacy encoding, so it only gets
NFC and the ``Ð``→``Đ`` fix. Only text made entirely of such characters with something beyond
ASCII (``Hà``, ``NguyÔn``, ``Nguyeãn``, ``Há»c``, ``NguyêÞn``) goes to the slow path, which is
cached; text whose words are all Vietnamese syllables (``Hà``) leaves it at once. The rest is
read as each legacy encoding (TCVN3, VNI; UTF-8 misread once or twice, Windows-1258 misread:
:mod:`doisoat.vn.codepages`), and a reading is kept only if it has fewer words that are not
Vietnamese syllables than the text as given. Correct Vietnamese is never changed, and neither
are foreign names (``Guðmundsdóttir``, ``Müller``): no reading of them is more Vietnamese.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Literal

import polars as pl

from .codepages import cp1258_reading, decode_cp1258, utf8_readings
from .legacy import (
    LEGACY_BYTE,
    NOT_LEGACY,
    TCVN3_CHARS,
    VNI_CHARS,
    decode_tcvn3,
    decode_vni,
)
from .syllable import invalid_word_count
from .syllable import words as syllable_words

Encoding = Literal["unicode", "tcvn3", "vni", "mojibake", "cp1258", "nfd"]

# Ð ð (Icelandic eth) typed for Đ đ. Vietnamese đ only ever begins a syllable, Icelandic ð never
# begins a word: only a word-initial eth is ours (ÐINH, Ðỗ; not Guðmundsdóttir).
_ETH = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})
_WORD_INITIAL_ETH = re.compile(r"(?<!\w)[\u00d0\u00f0]")


def _fix_eth(text: str) -> str:
    if "\u00d0" not in text and "\u00f0" not in text:
        return text
    return _WORD_INITIAL_ETH.sub(lambda m: m.group(0).translate(_ETH), text)


def nfc(text: str) -> str:
    """Unicode NFC (the only form stored): composes Unikey "Unicode tổ hợp" and macOS NFD."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def _may_be_legacy(text: str) -> bool:
    """Could every character of ``text`` come from a byte read as cp1252 or latin-1?

    One regex scan that stops at the first character no such byte gives (ă đ ơ ư ạ … in
    clean names come early); measured faster than ``max()`` or a cp1252 ``encode``.
    """
    return not NOT_LEGACY.search(text)


def _analyse(text: str) -> tuple[str, Encoding]:
    """The repaired text and the encoding it was found in."""
    if text.isascii():
        return text, "unicode"
    was_nfd = not unicodedata.is_normalized("NFC", text)
    composed = unicodedata.normalize("NFC", text) if was_nfd else text
    if not _may_be_legacy(composed):
        return _fix_eth(composed), "nfd" if was_nfd else "unicode"
    return _analyse_cp1252(composed, was_nfd)


@cache
def _lexicon() -> frozenset[str]:
    """Syllables known to occur in names and school data, lower case: the tie-breaker when two
    legacy readings are both well-formed Vietnamese (``Lê`` vs ``Leõ`` from ``Leâ``)."""
    from ._namedata import FAMILY_NAMES, MIDDLE_NAMES, NAME_FILES, read_name_file
    from .provinces import PROVINCES_2024, PROVINCES_2025
    from .subjects import SUBJECTS

    texts: list[str] = [*FAMILY_NAMES, *MIDDLE_NAMES["M"], *MIDDLE_NAMES["F"]]
    for filename in NAME_FILES:
        texts.extend(read_name_file(filename))
    texts.extend(PROVINCES_2024.values())
    texts.extend(p.name for p in PROVINCES_2025.values())
    texts.extend(s.name_vi for s in SUBJECTS.values())
    texts.append(_COMMON_WORDS)
    return frozenset(w.lower() for t in texts for w in syllable_words(t))


_COMMON_WORDS = (
    "Đang học chuyển đến kỳ trong hè thôi học đi lớp trường học sinh giáo viên chủ nhiệm hiệu "
    "trưởng phó sở phòng giáo dục đào tạo thành phố tỉnh huyện quận xã phường thị trấn ấp thôn "
    "bản tổ khu phố đường số nhà Kinh Tày Thái Mường Khơ-me Hoa Nùng Mông Dao Gia-rai Ê-đê Ba-na "
    "Xơ-đăng Sán Chay Cơ-ho Chăm Sán Dìu Hrê Mnông Ra-glai Xtiêng Bru-Vân Kiều Thổ Giáy Cơ-tu "
    "Giẻ-Triêng Mạ Khơ-mú Co Tà-ôi Chơ-ro Kháng Xinh-mun Hà Nhì Chu-ru Lào La Chí La Ha Phù Lá "
    "Lự Lô Lô Chứt Mảng Pà Thẻn Cơ Lao Cống Bố Y Si La Pu Péo Brâu Ơ Đu Rơ-măm nam nữ giỏi khá "
    "trung bình yếu kém tốt đạt chưa xuất sắc lên lớp ở lại rèn luyện hè"
)


def _score(reading: str) -> tuple[int, int]:
    known = _lexicon()
    return invalid_word_count(reading), sum(
        1 for w in syllable_words(reading) if w.lower() not in known
    )


def _readings(text: str) -> Iterator[tuple[str, Encoding]]:
    """Every legacy reading of ``text``, lazily, in the order that breaks ties."""
    for reading in utf8_readings(text):
        yield reading, "mojibake"
    if any(ch in TCVN3_CHARS for ch in text):
        yield decode_tcvn3(text), "tcvn3"
    if any(ch in VNI_CHARS for ch in text):
        yield decode_vni(text), "vni"
    cp1258 = cp1258_reading(text)
    if cp1258 is not None:
        yield cp1258, "cp1258"


@lru_cache(maxsize=131072)
def _analyse_cp1252(text: str, was_nfd: bool) -> tuple[str, Encoding]:
    as_given = _fix_eth(text)
    given_bad = invalid_word_count(as_given)
    plain: Encoding = "nfd" if was_nfd else "unicode"
    if given_bad == 0:
        if as_given != text:
            # Windows-1258 shows Đ as Ð too: with the eth fixed the rest reads well (Ðãng →
            # Đãng), but a 1258 reading that is better Vietnamese (Đăng) is the truth.
            cp1258 = cp1258_reading(text)
            if cp1258 is not None and _score(cp1258) < _score(as_given):
                return cp1258, "cp1258"
        return as_given, plain
    best: tuple[tuple[int, int], str, Encoding] | None = None
    for reading, encoding in _readings(text):
        score = _score(reading)
        if score[0] < given_bad and (best is None or score < best[0]):
            best = (score, reading, encoding)
            if score == (0, 0):  # every word a known syllable: nothing later can beat it
                break
    if best is None:
        return as_given, plain
    return best[1], best[2]


def repair_text(text: str) -> str:
    """``text`` in NFC with TCVN3, VNI, UTF-8 read as cp1252 or latin-1 (once or twice),
    Windows-1258 read as cp1252 and ``Ð``-for-``Đ`` damage undone.

    >>> repair_text("NguyÔn V¨n An"), repair_text("Nguyeãn Vaên An"), repair_text("Há»c Báº¡")
    ('Nguyễn Văn An', 'Nguyễn Văn An', 'Học Bạ')
    >>> repair_text("NguyÃ¡Â»â€¦n"), repair_text("NguyêÞn Vãn An")
    ('Nguyễn', 'Nguyễn Văn An')

    A legacy reading is kept only when it is more Vietnamese than the text as given, so text
    that is already correct Vietnamese (or ASCII) comes back unchanged, only NFC-composed.
    """
    return _analyse(text)[0]


def repair_fields(*values: str | None) -> tuple[str | None, ...]:
    """Repair several fields of one record that share an encoding (family, middle, given and
    full name), deciding the encoding on all of them at once.

    A lone given name rarely proves anything (``Tó`` is TCVN3 for ``Tú`` but also a word);
    the full name next to it usually does.
    """
    present = [v for v in values if v]
    if not present:
        return tuple(values)
    _, encoding = _analyse(" ".join(present))
    if encoding == "tcvn3":
        pieces = decode_tcvn3(" ".join(present)).split(" ")
        out: list[str | None] = []
        for value in values:
            if not value:
                out.append(value)
                continue
            size = value.count(" ") + 1
            out.append(" ".join(pieces[:size]))
            pieces = pieces[size:]
        return tuple(out)
    if encoding == "vni":
        return tuple(decode_vni(v) if v else v for v in values)
    if encoding == "cp1258":
        return tuple(nfc(decode_cp1258(v)) if v else v for v in values)
    if encoding == "mojibake":
        return tuple(_best_mojibake(v) if v else v for v in values)
    return tuple(repair_text(v) if v else v for v in values)


def _best_mojibake(value: str) -> str:
    readings = list(utf8_readings(value))
    if not readings:
        return repair_text(value)
    return min((_score(r), i, r) for i, r in enumerate(readings))[2]


_PROBLEM_OF = {
    "tcvn3": "TEXT_TCVN3",
    "vni": "TEXT_VNI",
    "mojibake": "TEXT_MOJIBAKE",
    "cp1258": "TEXT_CP1258",
    "nfd": "TEXT_NFD",
}


def text_problem(text: str) -> str | None:
    """The data-quality code of what :func:`repair_text` fixed in ``text``, or None.

    ``TEXT_TCVN3``, ``TEXT_VNI``, ``TEXT_MOJIBAKE``, ``TEXT_CP1258``, ``TEXT_NFD`` or
    ``TEXT_D_ETH`` (``Ð`` typed
    for ``Đ``); the Vietnamese explanation is ``messages.text(code)``.
    """
    repaired, encoding = _analyse(text)
    if encoding in _PROBLEM_OF:
        return _PROBLEM_OF[encoding]
    if repaired != text and ("\u00d0" in text or "\u00f0" in text):
        return "TEXT_D_ETH"
    return None


def detect_encoding(text: str) -> Encoding:
    """Which damage :func:`repair_text` found: unicode (none), tcvn3, vni, mojibake, cp1258
    or nfd."""
    return _analyse(text)[1]


# --- folding --------------------------------------------------------------------------------
#
# One definition of a comparison key, in two engines: :func:`fold` for one string and
# :func:`fold_expr` for a polars column. Both apply, in this order:
#   1. NFKD: accents split from their letters, compatibility forms (full-width ``Ａ``, ``ﬁ``,
#      ``²``) made plain;
#   2. every mark (Unicode category M) removed;
#   3. ``Đ đ`` (and ``Ð ð``, typed for them) → ``d``;
#   4. lower case;
#   5. runs of whitespace → one space, trimmed.
# Punctuation is kept: ``gd&dt`` or ``qi_`` in a profile, ``&`` in a subject's name carry
# meaning; callers that want it gone (header labels) remove it on top of the key.
# tests/vn/test_vn_text.py checks that the two engines agree.

_D_LETTERS = "\u0110\u0111\u00d0\u00f0"  # Đ đ Ð ð
_TO_D = str.maketrans(dict.fromkeys(_D_LETTERS, "d"))
# Python's str.split() also splits on the four ASCII separators \x1c–\x1f, which Unicode does
# not count as white space (polars' \s): fold_expr names them.
_SPACES = r"[\s\x1C-\x1F]+"


def _fold_chars(text: str) -> str:
    """Steps 1–4 of the key, literally (white space is left to the caller)."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return kept.translate(_TO_D).lower()


# The same steps precomputed for every character names are written with (ASCII, Latin-1, Latin
# Extended, combining marks, Vietnamese letters): ``str.translate`` is fastest without misses.
_FOLD: dict[int, str] = {
    cp: _fold_chars(chr(cp))
    for cp in (*range(0x0250), *range(0x0300, 0x0370), *range(0x1E00, 0x1F00))
}


@lru_cache(maxsize=1 << 18)
def fold(text: str) -> str:
    """Comparison key: lower case, diacritics removed, đ→d, single spaces, trimmed.

    The one definition of a key for matching and blocking (the steps are listed above this
    function); never store it. :func:`fold_expr` is its twin for polars columns.

    >>> fold("  NGUYỄN   Thị  Đào ")
    'nguyen thi dao'
    """
    folded = text.translate(_FOLD)
    if not folded.isascii():  # characters of other scripts or forms: the steps one by one
        folded = _fold_chars(folded)
    return " ".join(folded.split())


def fold_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`fold` as a polars expression over a string column (nulls stay null).

    The same steps in polars' own engine, for columns of millions of values."""
    return (
        expr.str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.replace_all(f"[{_D_LETTERS}]", "d")
        .str.to_lowercase()
        .str.replace_all(_SPACES, " ")
        .str.strip_chars(" ")
    )


def fold_series(series: pl.Series) -> pl.Series:
    """:func:`fold` over a polars string column (nulls stay null)."""
    name = series.name
    return pl.select(fold_expr(pl.lit(series.cast(pl.String)))).to_series().alias(name)


_LEGACY_ONLY = "^[" + "".join(f"\\x{{{ord(c):X}}}" for c in LEGACY_BYTE) + "]*$"


def repair_series(series: pl.Series) -> pl.Series:
    """:func:`repair_text` over a polars string column (nulls stay null)."""
    name = series.name
    return repair_columns(pl.DataFrame({name: series.cast(pl.String)}), [name])[name]


def repair_columns(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """:func:`repair_text` over several string columns of ``frame`` at once (nulls stay null).

    NFC and the ``Ð`` fix run in polars; only values made entirely of cp1252 or latin-1
    characters (the ones a legacy encoding could have produced) go through Python, once per
    distinct value of all the columns together. Three polars queries whatever the number of
    columns: each query costs a fixed time, and a roster file has several text columns.
    """
    nfc = frame.select(pl.col(n).cast(pl.String).str.normalize("NFC") for n in names)
    legacy = {n: (pl.col(n).str.contains(_LEGACY_ONLY)
                  & ~pl.col(n).str.contains("^[\\x00-\\x7F]*$")).fill_null(False)
              for n in names}
    candidates = nfc.select(pl.col(n).filter(flag).unique().implode()
                            for n, flag in legacy.items()).row(0)
    distinct = set().union(*candidates)
    changed = {value: repair_text(value) for value in distinct}
    changed = {k: v for k, v in changed.items() if k != v}
    out = []
    for n, flag in legacy.items():
        plain = (pl.col(n).str.replace_all(r"(^|\W)\x{D0}", "${1}\u0110")
                 .str.replace_all(r"(^|\W)\x{F0}", "${1}\u0111"))
        fixed = pl.col(n).replace(list(changed), list(changed.values())) if changed else pl.col(n)
        out.append(pl.when(flag).then(fixed).otherwise(plain).alias(n))
    return nfc.select(out)
