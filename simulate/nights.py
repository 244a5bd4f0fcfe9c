"""The night after: the same district one night later, with locked grades edited.

Every record gets the new night's snapshot id (so new record ids, as a real import would give),
the grades are redrawn from the same seed, and a few term-1 grades — a locked period by June —
are changed. Half of the changes come with the principal's approval (``District.approvals``) and
are legitimate; the others are ``LOCKED_PERIOD_EDITED`` in the ground truth.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import numpy as np
import polars as pl

from doisoat import model
from simulate.district import APPROVAL_SCHEMA, District
from simulate.grades import GradeBook

RATE_LOCKED_EDIT = 0.002


def _rekey(column: pl.Expr, offset: int) -> pl.Expr:
    parts = column.str.split_exact(":", 2)
    return (
        pl.when(column.is_null() | (column == ""))
        .then(column)
        .otherwise(
            pl.concat_str(
                [
                    parts.struct.field("field_0"),
                    (parts.struct.field("field_1").cast(pl.Int64) + offset).cast(pl.String),
                    parts.struct.field("field_2"),
                ],
                separator=":",
            )
        )
    )


def next_night(district: District, days: int = 1) -> District:
    """The district ``days`` later: same people and problems, new snapshots, locked edits."""
    offset = int(district.snapshots["snapshot_id"].max())
    night = district.night + dt.timedelta(days=days)
    snapshots = district.snapshots.with_columns(
        pl.col("snapshot_id") + offset, pl.lit(night).alias("night")
    )
    records = district.records.with_columns(
        _rekey(pl.col("record_id"), offset), pl.col("snapshot_id") + offset
    )
    persons = district.persons.with_columns(_rekey(pl.col("record_id"), offset))
    problems = district.problems.with_columns(
        _rekey(pl.col("record_id"), offset), _rekey(pl.col("other_record_id"), offset)
    )
    book = district.results
    holdings = book.holdings.with_columns(_rekey(pl.col("record_id"), offset))
    rng = np.random.default_rng([district.seed, offset, days])
    chosen = (rng.random(holdings.height) < RATE_LOCKED_EDIT) & (
        holdings["term1_shift"] == 0
    ).to_numpy()
    subject = rng.integers(0, 1000, holdings.height)
    delta = np.where(rng.random(holdings.height) < 0.5, 1.0, -1.0)
    approved = rng.random(holdings.height) < 0.5
    holdings = holdings.with_columns(
        pl.when(pl.Series(chosen))
        .then(pl.Series(delta))
        .otherwise(pl.col("term1_shift"))
        .alias("term1_shift"),
        pl.when(pl.Series(chosen))
        .then(pl.Series(subject))
        .otherwise(pl.col("term1_shift_subject"))
        .alias("term1_shift_subject"),
    )
    new_book = GradeBook.from_holdings(book, holdings)
    edits = holdings.filter(pl.Series(chosen)).with_columns(pl.Series("approved", approved[chosen]))
    local = records.select("record_id", "local_id")
    edits = edits.join(local, on="record_id")
    approval_rows, truth_rows = [], []
    for row in edits.iter_rows(named=True):
        scored = new_book.scored_subjects(row["level"], row["grade"])
        code = scored[row["term1_shift_subject"] % len(scored)]
        if row["approved"]:
            approval_rows.append(
                {
                    "school_code": row["school_code"],
                    "local_id": row["local_id"],
                    "subject": code,
                    "term": "1",
                    "approved_by": "Hiệu trưởng",
                    "approved_at": night,
                    "witness": "Giáo viên chủ nhiệm",
                    "reason": "Sửa điểm nhập sai, có biên bản",
                }
            )
        else:
            previous = row["record_id"]
            truth_rows.append(
                {
                    "problem": "LOCKED_PERIOD_EDITED",
                    "record_id": row["record_id"],
                    "other_record_id": _rekey_one(previous, -offset),
                    "person_id": row["person_id"],
                    "school_code": row["school_code"],
                    "detail": json.dumps({"subject": code, "term": "1"}, ensure_ascii=False),
                }
            )
    approvals = pl.DataFrame(approval_rows, schema=APPROVAL_SCHEMA)
    problems = pl.concat([problems, pl.DataFrame(truth_rows, schema=problems.schema)])
    return dataclasses.replace(
        district,
        night=night,
        snapshots=snapshots,
        records=records,
        persons=persons,
        problems=problems,
        results=new_book,
        approvals=pl.concat([district.approvals, approvals]),
    )


def _rekey_one(record_id: str, offset: int) -> str:
    source, snapshot, local = record_id.split(":", 2)
    return model.record_id(source, int(snapshot) + offset, local)
