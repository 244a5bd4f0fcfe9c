"""The questions the organs ask the store, one named function each.

Why here: the SQL that answers a question lives next to the schema it reads, so a column
renamed or an index added is one module's change, and the organs (``reconcile``, ``reports``)
and the night say *what* they want to know (the conflicts of a night, the latest snapshots)
instead of handing the store fragments of SQL. Each function answers in a polars frame typed
as the model says (or in plain Python values for small answers).

Large tables (student records, grades, identities) are read through
:func:`doisoat.store.bulk_read.read_bulk`, which asks the database for columns (ADBC on
SQLite, ``COPY`` on PostgreSQL); a request's few rows go through :func:`doisoat.store.read_table`.
The run's own rows and the quality results written with a night are in :mod:`doisoat.store.runs`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any, Literal

import polars as pl
from sqlalchemy import Engine, func, select, text

from doisoat import store
from doisoat.model import (
    OPEN_CONFLICT_STATUSES,
    REGISTRY_SOURCE,
    Run,
    School,
    SourceSnapshot,
    StudentRecord,
    SubjectResult,
)
from doisoat.store.bulk_read import read_bulk, read_bulk_in

# SQLite's default limit of bound parameters is 999: lists of bound values are read in chunks.
IDS_PER_QUERY = 900
# Columns of source_snapshot a night's report and its quality checks need.
SNAPSHOT_COLUMNS = [
    "id", "source", "school_code", "night", "status", "rows_read", "rows_quarantined",
]  # fmt: skip
CONFLICT_DATES = ["conflict_id", "status", "first_seen", "last_seen", "resolved_on"]

_snapshot = store.table_of(SourceSnapshot)
_record = store.table_of(StudentRecord)
_subject = store.table_of(SubjectResult)
_school = store.table_of(School)
_run = store.table_of(Run)


def _in(column: str, values: list[Any]) -> tuple[str, dict[str, Any]]:
    """``column IN (:v0, :v1, …)`` with its parameters."""
    params = {f"v{i}": v for i, v in enumerate(values)}
    return f"{column} IN ({', '.join(':' + k for k in params)})", params


def _int_list(ids: Iterable[int]) -> str:
    """Snapshot ids written into the query (integers only: a province's thousands of
    snapshots in one statement, with no limit of bound parameters)."""
    return ", ".join(str(int(i)) for i in ids)


# --- snapshots ------------------------------------------------------------------------------


def loaded_snapshots(engine: Engine) -> pl.DataFrame:
    """Every snapshot still in play (``loaded``: neither loading nor excluded):
    id, source, school_code, night, status."""
    return store.read_table(
        engine, "source_snapshot", "status = 'loaded'",
        columns=["id", "source", "school_code", "night", "status"],
    )  # fmt: skip


def latest_snapshots(engine: Engine) -> pl.DataFrame:
    """The newest loaded snapshot of every (source, school), as :func:`loaded_snapshots`;
    of two snapshots of one night, the later loaded (higher id)."""
    return (
        loaded_snapshots(engine)
        .sort(["night", "id"], descending=True)
        .unique(subset=["source", "school_code"], keep="first")
    )


def snapshots_of_night(engine: Engine, night: dt.date) -> pl.DataFrame:
    """The snapshots loaded for ``night``, whatever their status (``SNAPSHOT_COLUMNS``)."""
    return store.read_table(
        engine, "source_snapshot", "night = :night", {"night": night}, columns=SNAPSHOT_COLUMNS
    )


def excluded_snapshot_ids(engine: Engine, night: dt.date) -> list[int]:
    """Ids of the snapshots of ``night`` left out of it (``excluded``), in the store's order."""
    query = select(_snapshot.c.id).where(
        (_snapshot.c.night == night) & (_snapshot.c.status == "excluded")
    )
    with engine.connect() as conn:
        return [int(i) for i in conn.execute(query).scalars()]


def snapshot_history(engine: Engine) -> pl.DataFrame:
    """Every snapshot's source, school, night and status (when each school last synced)."""
    return store.read_table(
        engine, "source_snapshot", columns=["source", "school_code", "night", "status"]
    )


# --- student records ------------------------------------------------------------------------


def records_of_snapshots(
    engine: Engine, snapshot_ids: Iterable[int], columns: list[str] | None = None
) -> pl.DataFrame:
    """The student records of these snapshots (every column, or ``columns``), read in bulk."""
    ids = _int_list(snapshot_ids)
    where = f"snapshot_id IN ({ids})" if ids else "1 = 0"
    return read_bulk(engine, "student_record", where, columns=columns)


def records_by_id(
    engine: Engine, record_ids: Iterable[str], columns: list[str] | None = None
) -> pl.DataFrame:
    """The student records of these ids (a conflict's people, a pair to decide on)."""
    ids = sorted(set(record_ids))
    parts = [
        store.read_table(engine, "student_record", *_in("record_id", chunk), columns=columns)
        for chunk in (ids[i : i + IDS_PER_QUERY] for i in range(0, len(ids), IDS_PER_QUERY))
    ]
    if parts:
        return pl.concat(parts)
    return store.read_table(engine, "student_record", "1 = 0", columns=columns)


def decided_records(engine: Engine, columns: list[str] | None = None) -> pl.DataFrame:
    """The student records a person's link decision names (on either side)."""
    return read_bulk(
        engine, "student_record", "record_id IN (SELECT left_id FROM link_decision "
        "UNION SELECT right_id FROM link_decision)", columns=columns,
    )  # fmt: skip


def identified_records(engine: Engine, columns: list[str] | None = None) -> pl.DataFrame:
    """The student records the stored identities place (the last committed night's)."""
    return read_bulk(
        engine, "student_record", "record_id IN (SELECT record_id FROM identity)", columns=columns
    )


def student_counts(engine: Engine, night: dt.date) -> pl.DataFrame:
    """How many student records each (school, source) sent for ``night``:
    school_code, source, students."""
    query = (
        select(_record.c.school_code, _record.c.source, func.count().label("students"))
        .join(_snapshot, _record.c.snapshot_id == _snapshot.c.id)
        .where(_snapshot.c.night == night)
        .group_by(_record.c.school_code, _record.c.source)
    )
    return _frame(
        engine, query, {"school_code": pl.String, "source": pl.String, "students": pl.Int64}
    )


# --- grades ---------------------------------------------------------------------------------


def results_of_snapshots(
    engine: Engine, table: Literal["subject_result", "term_result"], snapshot_ids: list[int]
) -> pl.DataFrame:
    """Every subject (or term) result of the records of these snapshots, read in bulk."""
    if not snapshot_ids:
        return store.read_table(engine, table, "1 = 0")
    return read_bulk(
        engine,
        table,
        "record_id IN (SELECT record_id FROM student_record "
        f"WHERE snapshot_id IN ({_int_list(snapshot_ids)}))",
    )


def subject_results_of_records(
    engine: Engine, record_ids: list[str], *, chunk: int = 5_000
) -> pl.DataFrame:
    """The subject results of these records (what the transfer rules compare)."""
    return read_bulk_in(engine, "subject_result", "record_id", record_ids, chunk=chunk)


def grade_approvals(engine: Engine) -> pl.DataFrame:
    """Every recorded approval to change grades of a locked period."""
    return store.read_table(engine, "grade_approval")


GRADE_CHECK_SCHEMA = {
    "record_id": pl.String,
    "school_year": pl.String,
    "term": pl.String,
    "subject": pl.String,
    "midterm": pl.Float64,
    "final": pl.Float64,
    "average": pl.Float64,
    "rating": pl.String,
    "snapshot_id": pl.Int64,
    "school_code": pl.String,
}


def grades_of_snapshots(engine: Engine, snapshot_ids: list[int]) -> pl.DataFrame:
    """The subject results of these snapshots' records, each with its record's snapshot and
    school (what the quality suites of grades check, per snapshot)."""
    g, r = _subject, _record
    frames = []
    for i in range(0, len(snapshot_ids), IDS_PER_QUERY):
        query = select(
            g.c.record_id, g.c.school_year, g.c.term, g.c.subject, g.c.midterm, g.c.final,
            g.c.average, g.c.rating, r.c.snapshot_id, r.c.school_code,
        ).join(r, r.c.record_id == g.c.record_id).where(
            r.c.snapshot_id.in_(snapshot_ids[i : i + IDS_PER_QUERY])
        )  # fmt: skip
        frames.append(_frame(engine, query, GRADE_CHECK_SCHEMA))
    return pl.concat(frames) if frames else pl.DataFrame()


# --- conflicts ------------------------------------------------------------------------------


def conflict_dates(engine: Engine) -> pl.DataFrame:
    """Every conflict's lifecycle dates (``CONFLICT_DATES``): the trend over nights."""
    return store.read_table(engine, "conflict", columns=CONFLICT_DATES)


def conflicts_of_night(engine: Engine, night: dt.date) -> pl.DataFrame:
    """The conflicts open on ``night`` (their lifecycle covers it) or resolved that night,
    with today's status."""
    open_in, params = _in("status", list(OPEN_CONFLICT_STATUSES))
    return store.read_table(
        engine,
        "conflict",
        f"({open_in} AND first_seen <= :night AND last_seen >= :night) OR resolved_on = :night",
        {**params, "night": night},
    )


def conflicts_with(
    engine: Engine, *, statuses: Iterable[str] | None = None, school_code: str | None = None
) -> pl.DataFrame:
    """The conflicts in these statuses and of this school (None: any)."""
    clauses, params = [], {}
    if statuses is not None:
        names = list(statuses) or [""]
        clauses.append("status IN (" + ", ".join(f":s{i}" for i in range(len(names))) + ")")
        params.update({f"s{i}": s for i, s in enumerate(names)})
    if school_code is not None:
        clauses.append("school_code = :school")
        params["school"] = school_code
    return store.read_table(engine, "conflict", " AND ".join(clauses) or None, params)


def conflicts_naming_record(engine: Engine, record_id: str) -> pl.DataFrame:
    """The conflicts whose records include ``record_id``."""
    return store.read_table(
        engine, "conflict", "record_ids LIKE :pat", {"pat": f'%"{record_id}"%'}
    )


# --- identities, links, decisions -----------------------------------------------------------


def link_decisions(
    engine: Engine, record_id: str | None = None, columns: list[str] | None = None
) -> pl.DataFrame:
    """Every person's decision on a pair, or those naming ``record_id``."""
    if record_id is None:
        return store.read_table(engine, "link_decision", columns=columns)
    return store.read_table(
        engine, "link_decision", "left_id = :r OR right_id = :r", {"r": record_id},
        columns=columns,
    )  # fmt: skip


def links_of_record(engine: Engine, record_id: str) -> pl.DataFrame:
    """The engine's stored pairs naming ``record_id``, with their explanations."""
    return store.read_table(
        engine, "link", "left_id = :rid OR right_id = :rid", {"rid": record_id}
    )


def identity_of_record(engine: Engine, record_id: str) -> pl.DataFrame:
    """The stored identity row of ``record_id`` (none or one)."""
    return store.read_table(engine, "identity", "record_id = :rid", {"rid": record_id})


def stored_links(engine: Engine) -> pl.DataFrame:
    """The last committed night's pairs: left_id, right_id."""
    return store.read_table(engine, "link", columns=["left_id", "right_id"])


def stored_identities(engine: Engine) -> pl.DataFrame:
    """The last committed night's identities: record_id, identity_id (read in bulk)."""
    return read_bulk(engine, "identity", columns=["record_id", "identity_id"])


# --- runs -----------------------------------------------------------------------------------


def earlier_run_nights(engine: Engine, night: dt.date) -> list[dt.date]:
    """The nights before ``night`` that had a run (of any status), oldest first."""
    query = select(_run.c.night).distinct().where(_run.c.night < night)
    with engine.connect() as conn:
        nights = conn.execute(query).scalars().all()
    return sorted({dt.date.fromisoformat(str(n)[:10]) for n in nights})


def committed_runs_before(engine: Engine, night: dt.date) -> pl.DataFrame:
    """The committed runs of nights before ``night``, newest first: id, night, summary."""
    return store.read_table(
        engine, "run", "status = 'committed' AND night < :n", {"n": night},
        columns=["id", "night", "summary"],
    ).sort(["night", "id"], descending=True)  # fmt: skip


def input_fingerprint_rows(engine: Engine, night: dt.date) -> Iterator[tuple[Any, ...]]:
    """Every row a night's result depends on, in a fixed order: each snapshot up to ``night``
    (its content hash), each person's link decision, each grade approval. A night whose rows
    are the same as its committed run's has nothing to do again."""
    with engine.connect() as conn:
        for sql in (
            "SELECT id, content_hash FROM source_snapshot WHERE night <= :n ORDER BY id",
            "SELECT left_id, right_id, decision FROM link_decision ORDER BY left_id, right_id",
            "SELECT school_code, local_id, subject, term, approved_at FROM grade_approval "
            "ORDER BY school_code, local_id, subject, term",
        ):
            for row in conn.execute(text(sql), {"n": night}):
                yield tuple(row)


# --- schools --------------------------------------------------------------------------------


def school_directory(engine: Engine, columns: list[str] | None = None) -> pl.DataFrame:
    """The schools of the directory (every column, or ``columns``)."""
    return store.read_table(engine, "school", columns=columns)


def schools_missing_from_directory(engine: Engine) -> pl.DataFrame:
    """Schools a vendor's export names that the directory does not have: school_code, source
    (the vendor) and max_grade (the highest grade of its records, None if unknown)."""
    s, r = _snapshot, _record
    query = (
        select(s.c.school_code, s.c.source, func.max(r.c.grade).label("max_grade"))
        .join(r, r.c.snapshot_id == s.c.id)
        .where(
            (s.c.source != REGISTRY_SOURCE)
            & s.c.school_code.is_not(None)
            & s.c.school_code.not_in(select(_school.c.school_code))
        )
        .group_by(s.c.school_code, s.c.source)
    )
    return _frame(
        engine, query, {"school_code": pl.String, "source": pl.String, "max_grade": pl.Int64}
    )


# --- quality --------------------------------------------------------------------------------


def quality_results_of_night(engine: Engine, night: dt.date) -> pl.DataFrame:
    """The quality outcomes kept with ``night``."""
    return store.read_table(engine, "quality_result", "night = :night", {"night": night})


def _frame(engine: Engine, query: Any, schema: dict[str, Any]) -> pl.DataFrame:
    """The rows of a small aggregate query as a frame of ``schema``."""
    with engine.connect() as conn:
        rows = conn.execute(query).fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")
