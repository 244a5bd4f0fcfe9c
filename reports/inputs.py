"""What a night's report is made from: plain frames, whoever read them (the store, a test, a bench).

Frames may be partial: only the columns listed in ``*_COLUMNS`` are used, missing optional ones
are filled with nulls, so callers build them from the store tables or by hand alike.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import polars as pl

CONFLICT_COLUMNS: dict[str, pl.DataType] = {
    "conflict_id": pl.String,
    "type": pl.String,
    "severity": pl.String,
    "school_code": pl.String,
    "record_ids": pl.String,
    "evidence": pl.String,
    "suggested_fix": pl.String,
    "message_vi": pl.String,
    "status": pl.String,
    "first_seen": pl.Date,
    "last_seen": pl.Date,
    "resolved_on": pl.Date,
    "acknowledged_by": pl.String,
    "acknowledged_reason": pl.String,
}
SCHOOL_COLUMNS: dict[str, pl.DataType] = {
    "school_code": pl.String,
    "name": pl.String,
    "level": pl.String,
    "province_code": pl.String,
    "district": pl.String,
    "vendor": pl.String,
}
PEOPLE_COLUMNS: dict[str, pl.DataType] = {
    "record_id": pl.String,
    "source": pl.String,
    "school_code": pl.String,
    "moet_code": pl.String,
    "family_name": pl.String,
    "middle_name": pl.String,
    "given_name": pl.String,
    "full_name": pl.String,
    "dob": pl.Date,
    "class_name": pl.String,
}
COUNT_COLUMNS: dict[str, pl.DataType] = {
    "school_code": pl.String,
    "source": pl.String,
    "students": pl.Int64,
}
SNAPSHOT_COLUMNS: dict[str, pl.DataType] = {
    "id": pl.Int64,
    "source": pl.String,
    "school_code": pl.String,
    "status": pl.String,
    "rows_read": pl.Int64,
    "rows_quarantined": pl.Int64,
}
QUALITY_COLUMNS: dict[str, pl.DataType] = {
    "snapshot_id": pl.Int64,
    "source": pl.String,
    "school_code": pl.String,
    "suite": pl.String,
    "expectation": pl.String,
    "critical": pl.Boolean,
    "success": pl.Boolean,
    "element_count": pl.Int64,
    "unexpected_count": pl.Int64,
    "details": pl.String,
}
EXPORT_COLUMNS: dict[str, pl.DataType] = {
    "school_code": pl.String,
    "source": pl.String,
    "night": pl.Date,
    "students": pl.Int64,
}
TREND_COLUMNS: dict[str, pl.DataType] = {
    "night": pl.Date,
    "open": pl.Int64,
    "new": pl.Int64,
    "resolved": pl.Int64,
}


def conform(frame: pl.DataFrame | None, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    """The frame with exactly ``columns``, typed; absent columns become nulls."""
    if frame is None:
        return pl.DataFrame(schema=columns)
    exprs = []
    for name, dtype in columns.items():
        if name not in frame.columns:
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
        elif name == "record_ids" and frame.schema[name] != pl.String:
            # A list of ids (as reconcile/ builds them) is stored as JSON text.
            exprs.append(
                pl.col(name).map_elements(
                    lambda ids: json.dumps(list(ids), ensure_ascii=False), return_dtype=pl.String
                )
            )
        else:
            exprs.append(pl.col(name).cast(dtype))
    return frame.select(exprs)


@dataclass
class ReportInputs:
    """Everything the night's report reads; ``conform`` is applied on construction.

    ``conflicts``: the conflict table's rows of interest (open tonight, resolved tonight; older
    rows are ignored). ``people``: student records the conflicts point at (names for worklists).
    ``student_counts``: students per school and source tonight. ``trend``: open/new/resolved
    counts of earlier nights (tonight's are computed here). ``exports``: each school's latest
    export up to tonight per vendor source (its night, its students): a school that sent
    nothing tonight is named with the date of its last export, never counted as zero; when
    given, a school's students are those of its latest export. ``contacts``: whom to reach at
    each school (its administrators' names), for a worklist that names another school.
    """

    night: dt.date
    conflicts: pl.DataFrame
    schools: pl.DataFrame
    people: pl.DataFrame | None = None
    student_counts: pl.DataFrame | None = None
    snapshots: pl.DataFrame | None = None
    quality: pl.DataFrame | None = None
    trend: pl.DataFrame | None = None
    exports: pl.DataFrame | None = None
    contacts: dict[str, list[str]] = field(default_factory=dict)
    previous_night: dt.date | None = None
    title: str | None = None
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def __post_init__(self) -> None:
        self.conflicts = conform(self.conflicts, CONFLICT_COLUMNS)
        self.schools = conform(self.schools, SCHOOL_COLUMNS)
        self.people = conform(self.people, PEOPLE_COLUMNS)
        self.student_counts = conform(self.student_counts, COUNT_COLUMNS)
        self.snapshots = conform(self.snapshots, SNAPSHOT_COLUMNS)
        self.quality = conform(self.quality, QUALITY_COLUMNS)
        self.trend = conform(self.trend, TREND_COLUMNS)
        self.exports = conform(self.exports, EXPORT_COLUMNS)


def student_counts(records: pl.DataFrame) -> pl.DataFrame:
    """Students per school and source, from tonight's student records."""
    return records.group_by("school_code", "source").agg(pl.len().cast(pl.Int64).alias("students"))
