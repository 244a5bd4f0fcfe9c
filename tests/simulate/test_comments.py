"""The homeroom teacher's comment: generated on the year row, exported by the vendors that export
term results (SMAS, Quảng Ích), and read back unchanged through their profiles."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

import simulate
from connectors import read_export
from simulate.comments import CONDUCT, STUDY
from simulate.exports import write_district

NIGHT = dt.date(2026, 6, 10)
VENDORS = ["smas", "quangich"]


@pytest.fixture(scope="module")
def district():
    district = simulate.generate(2_000, seed=7, night=NIGHT)
    schools = district.schools.head(2).with_columns(
        pl.Series("vendor", VENDORS), pl.lit("unicode").alias("export_text")
    )
    codes = schools["school_code"].implode()
    records = district.records.filter(pl.col("school_code").is_in(codes))
    vendor_of = dict(zip(schools["school_code"], schools["vendor"], strict=True))
    records = records.with_columns(
        pl.when(pl.col("source") == "moet").then(pl.lit("moet"))
        .otherwise(pl.col("school_code").replace_strict(vendor_of, default=None))
        .alias("source")
    )
    return replace(district, schools=schools, records=records)


def test_every_year_row_and_only_the_year_row_has_a_comment(district):
    terms = district.term_results
    year = terms.filter(pl.col("term") == "year")
    assert year.height > 0
    assert year["homeroom_comment"].null_count() == 0
    assert terms.filter(pl.col("term") != "year")["homeroom_comment"].null_count() == (
        terms.height - year.height
    )


def test_the_comment_follows_the_results_of_the_year(district):
    year = district.term_results.filter(pl.col("term") == "year")
    levels = {"CD": 0, "D": 1, "K": 2, "T": 3}
    for row in year.head(300).iter_rows(named=True):
        comment = row["homeroom_comment"]
        assert any(comment.startswith(s) for s in STUDY[levels[row["academic"]]]), row
        assert comment.endswith(CONDUCT[levels[row["conduct"]]]), row
    # a class does not read as one copied sentence
    assert year["homeroom_comment"].n_unique() > 8


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_comment_survives_export_and_import(district, vendor, tmp_path: Path):
    write_district(district, tmp_path)
    school = district.schools.filter(pl.col("vendor") == vendor)["school_code"][0]
    reads = [read_export(p, night=NIGHT) for p in sorted((tmp_path / school).iterdir())]
    got = pl.concat([r.term_results for r in reads if r.source == vendor and r.term_results.height])
    ids = district.records.filter(
        (pl.col("source") == vendor) & (pl.col("school_code") == school)
    ).select("record_id", "local_id")  # local ids are the school's own: one school at a time
    truth = district.term_results.join(ids, on="record_id")
    joined = truth.join(got, on=["local_id", "term"], suffix="_got")
    assert joined.height == truth.height > 0
    year = joined.filter(pl.col("term") == "year")
    assert year.height > 0
    assert year["homeroom_comment_got"].null_count() == 0
    assert (year["homeroom_comment"] == year["homeroom_comment_got"]).all()
    # term rows stay without a comment (the column is empty on the term sheets)
    assert joined.filter(pl.col("term") != "year")["homeroom_comment_got"].null_count() == (
        joined.height - year.height
    )
