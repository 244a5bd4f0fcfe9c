"""Property tests for the cell parsers, the text decoders and the fuzzy header mapping."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import math
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.profile import default_profiles, profile_for
from connectors.quarantine import Quarantined
from connectors.tabular.cells import cell_text
from connectors.tabular.header import find_header, fold_label, map_columns
from connectors.tabular.readers import decode_bytes
from connectors.values import parse_score, parse_scores, parse_term
from doisoat import vn
from simulate.exports.vietschool import encode_cp1258

SYLLABLES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ",
             "Hồ", "Ngô", "Dương", "Lý", "Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh",
             "Quỳnh", "Khánh", "Phương", "Tuấn", "Hải", "Yến", "Trâm", "Nghĩa", "Thủy",
             "Ánh", "Ước", "Ửng", "Ỷ", "Ỳ", "Ởn", "Tiến", "Lưu", "Thơ", "Cường"]
names = st.lists(st.sampled_from(SYLLABLES), min_size=2, max_size=4).map(" ".join)
texts = st.lists(names, min_size=3, max_size=30).map("\n".join)


@given(st.integers(min_value=0, max_value=100))
def test_scores_read_with_decimal_comma_or_point(tenths):
    value = tenths / 10
    assert parse_score(f"{value:g}".replace(".", ",")) == value
    assert parse_score(f"{value:g}") == value
    assert parse_score(value) == value


@given(st.floats(min_value=10.01, max_value=1e6) | st.floats(max_value=-0.01, min_value=-1e6))
def test_scores_out_of_range_are_refused(value):
    with pytest.raises(ValueError):
        parse_score(value)


@given(st.lists(st.integers(min_value=0, max_value=100), max_size=6),
       st.sampled_from([";", " ", "; ", "|"]))
def test_regular_scores_in_one_cell(tenths, separator):
    values = [t / 10 for t in tenths]
    cell = separator.join(f"{v:g}".replace(".", ",") for v in values)
    assert parse_scores(cell) == values


@pytest.mark.parametrize("raw,term", [("1", "1"), ("HK1", "1"), ("Học kỳ I", "1"),
                                      ("HỌC KỲ II", "2"), ("Cả năm", "year"), ("CN", "year")])
def test_terms(raw, term):
    assert parse_term(raw) == term


@settings(max_examples=60, deadline=None)
@given(texts, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258", "tcvn3", "vni"]))
def test_text_files_decode_back_to_nfc(tmp_path_factory, text, encoding):
    if encoding == "cp1258":
        data = encode_cp1258(text)
    elif encoding in {"tcvn3", "vni"}:
        from doisoat.vn.legacy import CP1252_ENCODE
        encoded = vn.encode_tcvn3(text) if encoding == "tcvn3" else vn.encode_vni(text)
        data = bytes(CP1252_ENCODE[ch] for ch in encoded)
    elif encoding == "utf-16":
        data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    else:
        data = text.encode(encoding)
    decoded, _ = decode_bytes(Path("x.csv"), data, ["utf-8", "cp1258"])
    if encoding == "tcvn3":
        # VN3 has no toned capitals: compare without case (names are re-capitalised later)
        assert decoded.lower() == unicodedata.normalize("NFC", text).lower()
    else:
        assert decoded == unicodedata.normalize("NFC", text)


def _variants(alias: str) -> list[str]:
    folded = vn.fold(alias)
    return [alias, alias.upper(), folded, folded.upper(), alias.replace(" ", "\u00a0", 1),
            f"  {alias}  ", unicodedata.normalize("NFD", alias)]


@pytest.mark.parametrize("profile", default_profiles(), ids=lambda p: p.source)
def test_every_alias_variant_maps_to_its_field(profile):
    for dataset in profile.datasets:
        for name, aliases in dataset.columns.items():
            for alias in aliases:
                for variant in _variants(alias):
                    labels = ["stt", fold_label(variant)]
                    found = map_columns(labels, dataset, profile.reader.min_confidence,
                                        ["STT", variant])
                    assert name in found, (profile.source, name, variant)
                    assert found[name].column == 1 and found[name].confidence >= 0.8


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
def test_fold_label_never_fails(value):
    assert isinstance(fold_label(value), str)


@given(names, st.sampled_from([str, str.upper, str.lower]))
def test_fold_label_is_a_stable_key_for_vietnamese_labels(value, case):
    once = fold_label(case(value))
    assert once.isascii() and fold_label(once) == once == fold_label(value)


def test_smas_header_variants_are_told_apart():
    dataset = profile_for("smas").datasets[0]
    raw = ["STT", "Mã HS", "Mã định danh Bộ GD&ĐT", "HỌ VÀ TÊN", "NS", "GT", "Số CCCD",
           "Họ tên cha", "Họ tên mẹ", "Ghi chú"]
    found = map_columns([fold_label(r) for r in raw], dataset, 0.8, raw)
    assert {k: v.column for k, v in found.items()} == {
        "local_id": 1, "moet_code": 2, "full_name": 3, "dob": 4, "gender": 5,
        "personal_id": 6, "father_name": 7, "mother_name": 8}


def _sheet_with_a_legend(gap: int) -> list[list[object]]:
    """A legend row naming two columns, ``gap`` blank rows, then the full header and data."""
    legend = ["Mã HS", "Họ và tên", "", "", ""]
    header = ["STT", "Mã HS", "Họ và tên", "Ngày sinh", "Giới tính"]
    data = [[i, f"HS{i:03d}", "Nguyễn Văn An", "01/02/2013", "Nam"] for i in range(1, 20)]
    return [legend] + [[""] * 5 for _ in range(gap)] + [header] + data


@pytest.mark.parametrize("gap", [0, 3])
def test_a_fuller_header_below_a_legend_wins(gap):
    dataset = profile_for("smas").datasets[0]
    found = find_header(_sheet_with_a_legend(gap), dataset, search_rows=15, cutoff=0.8)
    assert found is not None and found.row == gap + 1
    assert {"dob", "gender"} <= set(found.matches)


def test_header_lookahead_is_how_far_below_the_best_one_a_better_one_is_sought():
    dataset = profile_for("smas").datasets[0]
    rows = _sheet_with_a_legend(6)  # the full header is seven rows below the legend
    near = find_header(rows, dataset, search_rows=15, cutoff=0.8, lookahead=4)
    far = find_header(rows, dataset, search_rows=15, cutoff=0.8, lookahead=8)
    assert near is not None and near.row == 0 and "dob" not in near.matches
    assert far is not None and far.row == 7 and "dob" in far.matches


@given(st.one_of(st.none(), st.just(math.nan), st.just(""), st.text(" \t\r\n", max_size=4)))
def test_an_empty_cell_is_empty_text_to_every_reader(value):
    assert cell_text(value) == ""
    # the quarantine keeps the filled cells of a row, under their header
    row = Quarantined.of(file="f.xls", sheet="S", row=3, cells=["HS1", value], labels=["Mã HS",
                         "Điểm"], column=None, reason="r", reason_vi="r")
    assert json.loads(row.raw) == {"Mã HS": "HS1"}


@given(st.text(max_size=20) | st.integers() | st.floats(allow_nan=False, allow_infinity=False))
def test_a_cell_reads_as_its_text(value):
    text = cell_text(value)
    if isinstance(value, str):
        assert text == value.strip(" \t\r\n")  # NBSP kept: it may be half a mojibake letter
    elif isinstance(value, float) and value.is_integer():
        assert text == str(int(value))  # Excel's 7901234567.0 is the code 7901234567
    else:
        assert text == str(value)


def test_a_date_cell_reads_day_first():
    assert cell_text(dt.date(2013, 2, 1)) == cell_text(dt.datetime(2013, 2, 1)) == "01/02/2013"
