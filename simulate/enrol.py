"""From people to records: each school's vendor roster, the registry, transfers and the mess.

Every problem injected here is written to the ground truth with the records it touches, so the
reconciliation can be scored per conflict type. Sets of students chosen for different problems
are disjoint, so that each record tells one story.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata

import numpy as np
import polars as pl

from doisoat.model import STUDENT_COLUMNS

LOCAL_ID_PREFIX = "HS"  # vendors number students per school: every school has an HS0001


def local_id(number: int) -> str:
    """A school's own number for a student (``HS0001``…), as the vendors give it: unique in the
    school only, so two schools of one vendor both have an ``HS0001``."""
    return f"{LOCAL_ID_PREFIX}{number:04d}"


CLASS_SIZE = 42
# Shares of students (per person) chosen for each problem.
RATES = {
    "transfer": 0.03,
    "dropped_out": 0.005,
    "ID_MISSING": 0.005,
    "ID_INVALID": 0.003,
    "ID_NOT_IN_REGISTRY": 0.003,
    "ID_MISMATCH": 0.002,
    "ID_SHARED": 0.0015,
    "ID_DUPLICATE": 0.004,
    "UNREGISTERED": 0.003,
    "DEMOGRAPHIC_DRIFT": 0.015,
    "PERSONAL_ID_INCONSISTENT": 0.003,
    "TEXT_NFD": 0.01,
}
TRANSFER_CASES = {
    "normal": 0.55,
    "TRANSFER_UNRECEIVED": 0.1,
    "DUAL_ENROLLMENT": 0.1,
    "TRANSFER_CODE_CHANGED": 0.1,
    "TRANSFER_RECORD_MISMATCH": 0.15,
}
DRIFT_KINDS = (
    "name_typo",
    "name_no_diacritics",
    "name_order_swapped",
    "dob_day_month_swapped",
    "gender_flipped",
)


def strip_diacritics(text: str) -> str:
    """A name typed without Vietnamese diacritics (case kept): 'Đỗ Thị Hà' → 'Do Thi Ha'."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def problem_row(
    problem: str,
    record_id: str,
    other: str | None,
    person: int,
    school: str | None,
    **detail: object,
) -> dict:
    return {
        "problem": problem,
        "record_id": record_id,
        "other_record_id": other,
        "person_id": int(person),
        "school_code": school,
        "detail": json.dumps(detail, ensure_ascii=False, default=str),
    }


class Partition:
    """Hands out disjoint random sets of people for the problems."""

    def __init__(self, rng: np.random.Generator, candidates: np.ndarray) -> None:
        self.order = rng.permutation(candidates)
        self.cursor = 0

    def take(self, share: float, total: int) -> np.ndarray:
        count = int(round(share * total))
        chosen = self.order[self.cursor : self.cursor + count]
        self.cursor += count
        return np.sort(chosen)


def class_names(persons: pl.DataFrame) -> pl.Series:
    """Classes of about 42 students per school and grade: 6A1, 6A2 …"""
    ranked = persons.with_columns(
        (pl.int_range(pl.len()).over(["school_code", "grade"]) // CLASS_SIZE + 1).alias("k")
    )
    return ranked.select(
        pl.concat_str([pl.col("grade").cast(pl.String), pl.lit("A"), pl.col("k").cast(pl.String)])
    ).to_series()


MIN_WINDOW_DAYS = 90


def dates_between(
    rng: np.random.Generator, start: dt.date, end: dt.date, size: int
) -> list[dt.date]:
    """``size`` dates from ``start`` to ``end``. Stories are dated from term 2 up to the night;
    a night early in the school year (September, before term 2 begins) has no such window, so
    the window then reaches back ``MIN_WINDOW_DAYS`` before ``end`` (last year's term 2 and
    summer: when a September night's transfers and drop-outs happened)."""
    start = min(start, end - dt.timedelta(days=MIN_WINDOW_DAYS))
    span = (end - start).days
    return [start + dt.timedelta(days=int(d)) for d in rng.integers(0, span + 1, size=size)]


def to_records(frame: pl.DataFrame) -> pl.DataFrame:
    """Put a frame in canonical column order, adding the missing columns as nulls."""
    missing = [pl.lit(None).alias(c) for c in STUDENT_COLUMNS if c not in frame.columns]
    return frame.with_columns(missing).select(STUDENT_COLUMNS)


def record_cols(frame: pl.DataFrame) -> list[str]:
    return [c for c in (*RECORD_COLS, "person_id") if c in frame.columns]


RECORD_COLS = (
    "record_id",
    "source",
    "snapshot_id",
    "school_code",
    "local_id",
    "moet_code",
    "personal_id",
    "family_name",
    "middle_name",
    "given_name",
    "full_name",
    "dob",
    "dob_raw",
    "gender",
    "ethnicity",
    "birthplace",
    "father_name",
    "mother_name",
    "school_year",
    "grade",
    "class_name",
    "status",
    "status_date",
    "transfer_school_code",
)


def rows_frame(rows: list[dict], like: pl.DataFrame) -> pl.DataFrame:
    cols = record_cols(like)
    schema = {c: like.schema[c] for c in cols}
    return pl.DataFrame([{c: r.get(c) for c in cols} for r in rows], schema=schema)


def holdings(vendor: pl.DataFrame, held_terms: dict, mismatch: set[str]) -> pl.DataFrame:
    """Which terms each vendor record holds grades for, and how its term 1 departs from truth."""
    terms = pl.Series([held_terms.get(r, (0, "1,2"))[1] for r in vendor["record_id"].to_list()])
    differs = pl.col("record_id").is_in(list(mismatch))
    return vendor.select("record_id", "person_id", "school_code", "grade", "status").with_columns(
        terms.alias("terms"),
        pl.when(differs).then(-2.0).otherwise(0.0).alias("term1_shift"),
        pl.lit(0, dtype=pl.Int64).alias("term1_shift_subject"),
    )
