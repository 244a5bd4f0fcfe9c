"""An incremental snapshot completed from the one before it, and a refused pull taken back.

An incremental pull brings only the students that changed since the last pull. The night reads
each school's latest snapshot and nothing else, so a snapshot must always hold the school's
whole population: the pull's snapshot is completed, in the transaction that loads it, from the
latest loaded snapshot of the same source and school (its *base*). Every student of the base
that the change set does not name (same stable key: source, school, local id) is copied in
under the new snapshot's record id, with its provenance; the grades of every student of the
base come along, since a pull of the student list says nothing of grades. A student whose
changed row was quarantined keeps the base's answer rather than vanishing from the night (the
quarantine says what was wrong with the new one).

A pull that cannot prove it read the vendor's whole list is not applied: its snapshots, which
never left ``loading``, are deleted with their rows and quarantined rows.

The statements are SQLAlchemy Core, run as they are by the SQLAlchemy writer and compiled to
SQLite text by the ADBC writer (:func:`sqlite_text`), so both writers say the same thing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ClauseElement, Delete, Insert, Select, delete, func, insert, literal, select
from sqlalchemy.dialects import sqlite

from doisoat.model import (
    QuarantinedRow,
    SourceSnapshot,
    StudentRecord,
    SubjectResult,
    TermResult,
    record_id,
)
from doisoat.store import table_of

_SNAPSHOT = table_of(SourceSnapshot)
_RECORD = table_of(StudentRecord)
_RESULTS = (table_of(SubjectResult), table_of(TermResult))
_QUARANTINED = table_of(QuarantinedRow)


def base_snapshot(source: str, school_code: str | None, night: dt.date,
                  snapshot_id: int) -> Select:
    """The id of the latest loaded snapshot of ``source`` and ``school_code`` up to ``night``,
    other than ``snapshot_id`` (of two of one night, the later loaded)."""
    school = (_SNAPSHOT.c.school_code.is_(None) if school_code is None
              else _SNAPSHOT.c.school_code == school_code)
    return (select(_SNAPSHOT.c.id)
            .where(_SNAPSHOT.c.source == source, school, _SNAPSHOT.c.status == "loaded",
                   _SNAPSHOT.c.night <= night, _SNAPSHOT.c.id != snapshot_id)
            .order_by(_SNAPSHOT.c.night.desc(), _SNAPSHOT.c.id.desc()).limit(1))


def _unchanged(base_id: int, snapshot_id: int):
    """The base's records whose student the new snapshot does not hold."""
    old = _RECORD.alias("old")
    fresh = select(_RECORD.c.local_id).where(_RECORD.c.snapshot_id == snapshot_id)
    return old, (old.c.snapshot_id == base_id) & old.c.local_id.not_in(fresh)


def count_unchanged(base_id: int, snapshot_id: int) -> Select:
    """How many students :func:`carry_statements` copies."""
    old, where = _unchanged(base_id, snapshot_id)
    return select(func.count()).select_from(old).where(where)


def carry_statements(base_id: int, snapshot_id: int, source: str) -> list[Insert]:
    """Copy the base's unchanged students into the new snapshot, then every base student's
    grades (the new record id is ``source:snapshot:local_id``, as :func:`record_id` says)."""
    prefix = literal(record_id(source, snapshot_id, ""))
    old, where = _unchanged(base_id, snapshot_id)
    names = [c.name for c in _RECORD.columns]
    values = [prefix + old.c.local_id if name == "record_id"
              else literal(snapshot_id) if name == "snapshot_id" else old.c[name]
              for name in names]
    statements = [insert(_RECORD).from_select(names, select(*values).where(where))]
    for table in _RESULTS:
        student = _RECORD.alias("student")
        columns = [c.name for c in table.columns if c.name != "id"]
        picked = [prefix + student.c.local_id if name == "record_id" else table.c[name]
                  for name in columns]
        statements.append(insert(table).from_select(columns, select(*picked)
            .select_from(table.join(student, student.c.record_id == table.c.record_id))
            .where(student.c.snapshot_id == base_id)))
    return statements


def discard_statements(snapshot_ids: list[int]) -> list[Delete]:
    """Delete these snapshots with their records, the records' grades and their quarantined
    rows (only ever snapshots still ``loading``: the guard is in the statement)."""
    loading = select(_SNAPSHOT.c.id).where(_SNAPSHOT.c.id.in_(snapshot_ids),
                                           _SNAPSHOT.c.status == "loading")
    records = select(_RECORD.c.record_id).where(_RECORD.c.snapshot_id.in_(loading))
    return [
        *(delete(table).where(table.c.record_id.in_(records)) for table in _RESULTS),
        delete(_RECORD).where(_RECORD.c.snapshot_id.in_(loading)),
        delete(_QUARANTINED).where(_QUARANTINED.c.snapshot_id.in_(loading)),
        delete(_SNAPSHOT).where(_SNAPSHOT.c.id.in_(loading)),
    ]


def sqlite_text(statement: ClauseElement) -> str:
    """A statement as SQLite text with its values inlined (ids, a source name: no user text)."""
    return str(statement.compile(dialect=sqlite.dialect(),
                                 compile_kwargs={"literal_binds": True}))


__all__ = ["base_snapshot", "carry_statements", "count_unchanged", "discard_statements",
           "sqlite_text"]
