"""The engine's column keys are the ground floor's fold, with punctuation as word breaks: a name
folded in a connector, in a report or in the linkage gives the same words."""

from __future__ import annotations

import re
import unicodedata

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from doisoat.vn import fold as fold_one
from reconcile.normalise import fold
from tests.vn.strategies import full_names

_PUNCTUATION = st.sampled_from(["", ".", "-", ",", "'", " (", "&"])


@st.composite
def typed_names(draw: st.DrawFn) -> str:
    name = draw(full_names()) + draw(_PUNCTUATION)
    name = unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), name)
    return draw(st.sampled_from(["", " ", "\u00a0"])) + name.replace(
        " ", draw(st.sampled_from([" ", "  ", "\t", "-"])))


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.none(), st.just(""), st.just("  "), typed_names()), max_size=30),
       st.booleans())
def test_column_keys_are_the_scalar_keys(values: list[str | None], many: bool) -> None:
    if many:  # past the distinct-value threshold the column is folded a word at a time
        values = values + [f"Nguyễn Văn Số{i}" for i in range(1200)]
    got = pl.DataFrame({"name": values}, schema={"name": pl.String}).select(fold("name"))
    # a blank text has no key: two blank names never agree
    assert got["name"].to_list() == [None if v is None else _words(v) or None for v in values]


def _words(value: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", fold_one(value)).split())


def test_punctuation_breaks_words_in_a_linkage_key() -> None:
    names = ["Ánh-Tuyết", "Ánh Tuyết", "Ánh. Tuyết", "ÁNH  TUYẾT", "-", None]
    got = pl.DataFrame({"name": names}).select(fold("name"))["name"].to_list()
    assert got == ["anh tuyet"] * 4 + [None, None]
