"""A small simulated district whose four schools use the four vendors, exported once per session.

The simulator sizes schools realistically (about a thousand students each); the round trips only
need a few classes per school, so the fixture keeps the first class of each grade plus every
transferred or dropped-out student, and gives each school a different vendor and text damage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

import simulate
from simulate.district import District
from simulate.exports import write_district

VENDORS = ["smas", "vnedu", "vietschool", "quangich"]
TEXT = ["unicode", "unicode", "tcvn3", "mojibake"]
NIGHT = dt.date(2026, 6, 10)


class _Results:
    def __init__(self, subjects: pl.DataFrame, terms: pl.DataFrame) -> None:
        self._frames = (subjects, terms)

    def frames(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        return self._frames

    def chunks(self):
        yield self._frames


def small_district(seed: int = 11, students: int = 4000) -> District:
    district = simulate.generate(students, seed=seed, night=NIGHT)
    schools = district.schools.head(4).with_columns(
        pl.Series("vendor", VENDORS[: min(4, district.schools.height)]),
        pl.Series("export_text", TEXT[: min(4, district.schools.height)]),
    )
    vendor_of = dict(zip(schools["school_code"], schools["vendor"], strict=True))
    records = district.records.filter(pl.col("school_code").is_in(list(vendor_of)))
    first_classes = (
        records.filter(pl.col("class_name").is_not_null())
        .group_by("school_code", "grade").agg(pl.col("class_name").min())
    )
    keep = records.join(first_classes, on=["school_code", "class_name"], how="semi")
    moved = records.filter(pl.col("status") != "studying")
    records = pl.concat([keep, moved]).unique("record_id", keep="first")
    records = records.with_columns(
        pl.when(pl.col("source") == "moet").then(pl.lit("moet"))
        .otherwise(pl.col("school_code").replace_strict(vendor_of, default=None))
        .alias("source")
    )
    ids = records["record_id"].implode()
    subjects = district.subject_results.filter(pl.col("record_id").is_in(ids))
    terms = district.term_results.filter(pl.col("record_id").is_in(ids))
    return replace(district, schools=schools, records=records,
                   persons=district.persons.filter(pl.col("record_id").is_in(ids)),
                   problems=district.problems.filter(pl.col("record_id").is_in(ids)),
                   results=_Results(subjects, terms))


@pytest.fixture(scope="session")
def district() -> District:
    return small_district()


@pytest.fixture(scope="session")
def exported(district: District, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exports")
    write_district(district, out)
    return out
