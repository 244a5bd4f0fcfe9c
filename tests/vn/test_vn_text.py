"""Text repair and folding: real-world damaged strings, and properties over generated text."""

from __future__ import annotations

import os
import random
import re
import unicodedata

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from doisoat.vn import (
    FAMILY_NAMES,
    MIDDLE_NAMES,
    detect_encoding,
    encode_mojibake,
    encode_tcvn3,
    encode_vni,
    fold,
    fold_expr,
    fold_series,
    given_names,
    join_name,
    messages,
    nfc,
    repair_fields,
    repair_series,
    repair_text,
    text_problem,
)
from doisoat.vn._alphabet import LETTERS
from doisoat.vn.legacy import _VNI_DECODE, CP1252_DECODE, decode_vni
from doisoat.vn.syllable import invalid_word_count
from tests.vn.strategies import VIETNAMESE_LETTERS, full_names, vietnamese_text

# VN_EXAMPLES=5000 for a deeper search when changing the repair heuristics.
FAST = settings(
    max_examples=int(os.environ.get("VN_EXAMPLES", "150")), deadline=None, derandomize=True
)


@pytest.mark.parametrize(
    ("damaged", "clean", "encoding"),
    [
        ("NguyÔn V¨n An", "Nguyễn Văn An", "tcvn3"),
        ("NGUYÔN THÞ MINH KHAI", "NGUYỄN THỊ MINH KHAI", "tcvn3"),
        ("T«n N÷ ThÞ Hµ", "Tôn Nữ Thị Hà", "tcvn3"),
        ("§ç ¸nh", "Đỗ Ánh", "tcvn3"),
        ("Nguyeãn Vaên An", "Nguyễn Văn An", "vni"),
        ("NGUYEÃN THÒ MINH KHAI", "NGUYỄN THỊ MINH KHAI", "vni"),
        ("Tröông Thò Ngoïc", "Trương Thị Ngọc", "vni"),
        ("Há»c Báº¡", "Học Bạ", "mojibake"),  # the 0x8D byte of "ọ" was lost
        ("Há»\x8dc Báº¡", "Học Bạ", "mojibake"),
        ("Nguyá»…n", "Nguyễn", "mojibake"),
        ("Ä\x90á»— Ã\x81nh", "Đỗ Ánh", "mojibake"),
        ("TÃ´n Ná»¯ Thá»‹ HÃ\xa0", "Tôn Nữ Thị Hà", "mojibake"),
        ("ÐỖ Văn Hùng", "ĐỖ Văn Hùng", "unicode"),  # U+00D0 typed for U+0110
        ("ÐINH Công Tráng", "ĐINH Công Tráng", "unicode"),
        ("Ðinh", "Đinh", "unicode"),
        (unicodedata.normalize("NFD", "Nguyễn Thị Ánh"), "Nguyễn Thị Ánh", "nfd"),
    ],
)
def test_real_world_damage_is_repaired(damaged: str, clean: str, encoding: str) -> None:
    assert repair_text(damaged) == clean
    assert detect_encoding(damaged) == encoding
    assert unicodedata.is_normalized("NFC", repair_text(damaged))


@pytest.mark.parametrize(
    "text",
    ["Hà", "Lê Tú", "Hoà", "Hòa", "Thuý", "Y Moan Êban", "H'Hen Niê", "Ksor", "Tó", "Lò Văn Pó"],
)
def test_correct_text_is_left_alone(text: str) -> None:
    assert repair_text(text) == text
    assert detect_encoding(text) == "unicode"


def test_every_shipped_name_survives_repair_unchanged() -> None:
    names = [n for g in "MF" for one in (True, False) for n in given_names(g, one_word=one)]
    assert len(names) > 3000
    assert [n for n in names if repair_text(n) != n] == []


@FAST
@given(vietnamese_text())
def test_valid_vietnamese_is_never_changed(text: str) -> None:
    # Well-formed syllables in any case style. (A soup of Latin-1 letters such as "Aã" is not
    # covered: it is equally VNI for "Ẫ", and only the syllable rules can tell text from damage.)
    assert repair_text(text) == nfc(text)
    assert repair_text(unicodedata.normalize("NFD", text)) == nfc(text)


@FAST
@given(st.text(alphabet=VIETNAMESE_LETTERS + [" "], max_size=30))
def test_letters_beyond_cp1252_are_never_reinterpreted(text: str) -> None:
    # ă đ ơ ư ạ ả … cannot come from a legacy byte, so such text is only NFC-composed.
    assume(any(ord(ch) > 0xFF for ch in text))
    assert repair_text(text) == nfc(text)


@FAST
@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=40))
def test_ascii_is_returned_as_is(text: str) -> None:
    assert repair_text(text) == text


def _untoned(ch: str) -> bool:
    return ch in LETTERS and LETTERS[ch].tone == 0


@FAST
@given(full_names())
def test_tcvn3_round_trip(name: str) -> None:
    # TCVN3 has no upper-case toned letters: in capitals, the case comes back only from a
    # letter without tone inside some word (NGUYỄN has G, U, Y, N; "CÙ HÀ TỐ" has none).
    assume(not name.isupper() or any(_untoned(ch) for w in name.split() for ch in w[1:]))
    encoded = encode_tcvn3(name)
    # When the TCVN3 bytes happen to spell valid Vietnamese (Tú → "Tó"), nothing can tell.
    assume(invalid_word_count(encoded) > 0)
    assert repair_text(encoded) == name


@FAST
@given(full_names())
def test_vni_round_trip(name: str) -> None:
    encoded = encode_vni(name)
    assume(invalid_word_count(encoded) > 0)
    assert repair_text(encoded) == name


_VNI_ALTERNATION = re.compile(
    "|".join(re.escape(seq) for seq in sorted(_VNI_DECODE, key=len, reverse=True)))


@FAST
@given(st.text(alphabet="".join(sorted(set("".join(_VNI_DECODE)))) + "aeouAEOU ,;", max_size=60))
def test_vni_decoding_is_the_longest_match_at_each_place(text: str) -> None:
    # the grouped pattern must read any text as a plain longest-first alternation does
    expected = _VNI_ALTERNATION.sub(lambda m: _VNI_DECODE[m.group(0)], text)
    assert decode_vni(text) == expected


@FAST
@given(full_names())
def test_mojibake_round_trip(name: str) -> None:
    assert repair_text(encode_mojibake(name)) == name


@FAST
@given(full_names())
def test_mojibake_round_trip_with_dropped_bytes(name: str) -> None:
    # Á Í Ý lose their only continuation byte (0x81 0x8D 0x9D): "BÁCH" and "BÍCH" both read
    # well, so which one was meant cannot be known. Every other letter comes back.
    assume(not any(ch in "ÁÍÝ" for ch in name))
    dropped = "".join(ch for ch in encode_mojibake(name) if ch not in "\x81\x8d\x8f\x90\x9d")
    assert repair_text(dropped) == name


def test_record_fields_are_repaired_together() -> None:
    # Alone, "Tó" is a word; next to the full name it is plainly TCVN3 for "Tú".
    assert repair_text("Tó") == "Tó"
    fields = ("NguyÔn", "V¨n", "Tó", "NguyÔn V¨n Tó")
    assert repair_fields(*fields) == ("Nguyễn", "Văn", "Tú", "Nguyễn Văn Tú")
    assert repair_fields("NGUYÔN", None, "¸NH", "") == ("NGUYỄN", None, "ÁNH", "")
    assert repair_fields("Nguyeãn", "Vaên", "Só") == ("Nguyễn", "Văn", "Sĩ")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("  NGUYỄN   Thị  Đào ", "nguyen thi dao"),
        ("Đặng Ðình Ưng", "dang dinh ung"),
        (unicodedata.normalize("NFD", "Trương Mỹ Lệ"), "truong my le"),
        ("Tôn Nữ\u00a0Hà", "ton nu ha"),
        ("Ｎｇｕｙễｎ Văn ﬁ", "nguyen van fi"),  # full-width letters, a ligature (NFKD)
        ("Lê\x1cHà\u3000Thu", "le ha thu"),  # every separator str.split() knows
        ("Bộ GD&ĐT, qi_", "bo gd&dt, qi_"),  # punctuation is kept
    ],
)
def test_fold_gives_comparison_keys(text: str, key: str) -> None:
    assert fold(text) == key


@FAST
@given(st.text(alphabet=VIETNAMESE_LETTERS + [" ", "\u00a0"], max_size=30))
def test_fold_is_ascii_idempotent_and_form_blind(text: str) -> None:
    key = fold(text)
    assert key.isascii()
    assert fold(key) == key
    assert fold(unicodedata.normalize("NFD", text)) == key


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.none(), vietnamese_text(), full_names()), max_size=20))
def test_fold_series_agrees_with_fold(values: list[str | None]) -> None:
    series = pl.Series("name", values, dtype=pl.String)
    expected = [None if v is None else fold(v) for v in values]
    assert fold_series(series).to_list() == expected


# Vietnamese text as files and typists give it: NFC or NFD, any case, Đ written as Ð, the
# punctuation and the white space found in names and headers, full-width letters.
_SEPARATORS = [" ", "  ", "\t", "\n", "\u00a0", "\u3000", "\x1c", "\u2003"]
_MARKS = list(",.-'&_()/:;") + ["Ð", "ð", "Ａ", "ｎ", "ﬁ", "²"]


@st.composite
def typed_vietnamese(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.one_of(vietnamese_text(), full_names(), st.sampled_from(_MARKS)),
                          min_size=1, max_size=5))
    form = draw(st.sampled_from(["NFC", "NFD"]))
    pieces = [unicodedata.normalize(form, w) for w in words]
    return "".join(p + draw(st.sampled_from(_SEPARATORS + [""])) for p in pieces)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.none(), typed_vietnamese()), max_size=20))
def test_fold_expr_is_the_twin_of_fold(values: list[str | None]) -> None:
    series = pl.Series("name", values, dtype=pl.String)
    expected = [None if v is None else fold(v) for v in values]
    assert fold_series(series).to_list() == expected
    assert pl.DataFrame({"name": series}).select(fold_expr(pl.col("name")))[
        "name"].to_list() == expected


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(st.characters(exclude_categories=["Cs", "Cn"]), max_size=12))
def test_fold_expr_agrees_with_fold_beyond_vietnamese(text: str) -> None:
    # Characters younger than Python's Unicode tables (unassigned, Cn, to Python) may differ.
    assert fold_series(pl.Series([text])).to_list() == [fold(text)]


def test_repair_series_repairs_each_distinct_value_and_keeps_nulls() -> None:
    series = pl.Series("name", ["NguyÔn V¨n An", None, "Lê Hà", "Nguyeãn Vaên An", "NguyÔn V¨n An"])
    repaired = repair_series(series)
    assert repaired.name == "name"
    assert repaired.to_list() == [
        "Nguyễn Văn An",
        None,
        "Lê Hà",
        "Nguyễn Văn An",
        "Nguyễn Văn An",
    ]


_damage = st.sampled_from(
    [
        encode_tcvn3,
        encode_vni,
        encode_mojibake,
        lambda s: unicodedata.normalize("NFD", s),
        lambda s: s.replace("Đ", "\u00d0"),
        lambda s: s,
    ]
)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.none(), st.tuples(full_names(), _damage)), max_size=25))
def test_repair_series_agrees_with_repair_text(items: list[tuple[str, object] | None]) -> None:
    values = [None if item is None else item[1](item[0]) for item in items]  # type: ignore[operator]
    repaired = repair_series(pl.Series("full_name", values, dtype=pl.String))
    assert repaired.to_list() == [None if v is None else repair_text(v) for v in values]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("NguyÔn V¨n An", "TEXT_TCVN3"),
        ("Nguyeãn Vaên An", "TEXT_VNI"),
        ("Há»c Báº¡", "TEXT_MOJIBAKE"),
        (unicodedata.normalize("NFD", "Nguyễn"), "TEXT_NFD"),
        ("ÐỖ Văn Hùng", "TEXT_D_ETH"),
        ("Nguyễn Văn An", None),
        ("Hà", None),
    ],
)
def test_text_problem_names_what_was_fixed(text: str, problem: str | None) -> None:
    assert text_problem(text) == problem
    if problem:
        assert messages.text(problem)  # a Vietnamese explanation exists for the report


@pytest.mark.parametrize("encode", [encode_tcvn3, encode_vni, encode_mojibake])
def test_damaged_records_are_repaired_or_left_alone_never_misread(encode) -> None:
    """2,000 records drawn like the population: per record, all name fields share the damage."""
    rng = random.Random(20240905)
    families, shares = list(FAMILY_NAMES), list(FAMILY_NAMES.values())
    unrepaired = 0
    for _ in range(2000):
        gender = rng.choice("MF")
        parts = [
            rng.choices(families, shares)[0],
            rng.choice(list(MIDDLE_NAMES[gender])),
            rng.choice(given_names(gender)),
        ]
        fields = [*parts, join_name(*parts)]
        damaged = [encode(f) for f in fields]
        for got, truth, bad in zip(repair_fields(*damaged), fields, damaged, strict=True):
            if got != truth:
                # Only when the damaged form is itself valid Vietnamese ("Tú" → TCVN3 "Tó").
                assert got == bad
                unrepaired += 1
    assert unrepaired <= 0.01 * 4 * 2000


def _iconv_tcvn(text: str) -> bytes:
    """TCVN 5712 bytes from glibc's converter, an implementation independent of ours."""
    import shutil
    import subprocess

    if shutil.which("iconv") is None:
        pytest.skip("iconv (glibc) is not installed")
    done = subprocess.run(
        ["iconv", "-f", "UTF-8", "-t", "TCVN5712-1"], input=text.encode(), capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("this iconv has no TCVN5712-1 converter")
    return done.stdout


def test_tcvn3_table_agrees_with_glibc() -> None:
    # VN3 (.VnTime) has every lower-case letter and the seven untoned upper-case ones.
    letters = [ch for ch in VIETNAMESE_LETTERS if ch.islower() and not ch.isascii()]
    letters += list("ĂÂÊÔƠƯĐ")
    glibc = _iconv_tcvn("\n".join(letters)).split(b"\n")
    assert [encode_tcvn3(ch) for ch in letters] == [CP1252_DECODE[b[0]] for b in glibc]


def test_names_written_by_a_full_tcvn_converter_are_repaired() -> None:
    # glibc writes full TCVN 5712 (VN1), upper-case toned letters included.
    rng = random.Random(5)
    families, shares = list(FAMILY_NAMES), list(FAMILY_NAMES.values())
    names = []
    for _ in range(500):
        gender = rng.choice("MF")
        parts = (rng.choices(families, shares)[0], rng.choice(list(MIDDLE_NAMES[gender])))
        name = join_name(*parts, rng.choice(given_names(gender)))
        names += [name, name.upper()]
    encoded = "".join(CP1252_DECODE[b] for b in _iconv_tcvn("\n".join(names))).split("\n")
    for name, damaged in zip(names, encoded, strict=True):
        if invalid_word_count(damaged) > 0:  # else the bytes spell valid Vietnamese themselves
            assert repair_text(damaged) == name
