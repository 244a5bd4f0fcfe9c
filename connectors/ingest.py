"""The import service: export files -> snapshots, records, results and quarantine in the store.

One file is one :class:`~doisoat.model.SourceSnapshot` (its ``content_hash`` makes a second
import of the same bytes a no-op) written in one transaction with its rows. Grade files that
carry no roster (Vietschool's ``diem_*.csv``) are linked, by local id, to the students of the
same source, school and night, read from the same batch or already in the store; results whose
student cannot be found are quarantined, never dropped. Rows read = accepted + quarantined.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from sqlalchemy import Engine, insert, select

from connectors.messages import msg
from connectors.profile import Profile
from connectors.quarantine import Quarantined, quarantine_frame
from connectors.reader import FileRead, file_hash, read_export, school_from_folder
from connectors.tabular.safety import check_name
from doisoat import store
from doisoat.errors import SourceError
from doisoat.model import (
    SUBJECT_RESULT_COLUMNS,
    TERM_RESULT_COLUMNS,
    SourceSnapshot,
    StudentRecord,
)

SUFFIXES = {".xlsx", ".xls", ".csv", ".txt", ".xml"}
log = logging.getLogger(__name__)


@dataclass
class FileSummary:
    path: str
    status: str  # loaded | skipped | refused
    source: str | None = None
    school_code: str | None = None
    snapshot_id: int | None = None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    students: int = 0
    subject_results: int = 0
    term_results: int = 0
    message_vi: str = ""


@dataclass
class ImportSummary:
    files: list[FileSummary] = field(default_factory=list)

    def _sum(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    @property
    def rows_read(self) -> int:
        return self._sum("rows_read")

    @property
    def rows_accepted(self) -> int:
        return self._sum("rows_accepted")

    @property
    def rows_quarantined(self) -> int:
        return self._sum("rows_quarantined")

    @property
    def loaded(self) -> list[FileSummary]:
        return [f for f in self.files if f.status == "loaded"]

    @property
    def skipped(self) -> list[FileSummary]:
        return [f for f in self.files if f.status == "skipped"]

    @property
    def refused(self) -> list[FileSummary]:
        return [f for f in self.files if f.status == "refused"]

    def message_vi(self) -> str:
        notes = []
        if self.skipped:
            notes.append(f"{len(self.skipped)} tệp đã nhập trước đó được bỏ qua")
        if self.refused:
            notes.append(f"{len(self.refused)} tệp bị từ chối")
        note = ("; " + "; ".join(notes)) if notes else ""
        return msg("summary", read=self.rows_read, accepted=self.rows_accepted,
                   quarantined=self.rows_quarantined, skipped_note=note)

    def as_dict(self) -> dict:
        return {"rows_read": self.rows_read, "rows_accepted": self.rows_accepted,
                "rows_quarantined": self.rows_quarantined,
                "files": [vars(f) for f in self.files]}


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the export files inside folders named (no symlinks followed)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs.sort()
                for name in sorted(files):
                    candidate = Path(root) / name
                    if candidate.suffix.lower() in SUFFIXES and not candidate.is_symlink():
                        found.append(candidate)
        else:
            found.append(path)
    return found


def ingest_paths(paths: Iterable[str | Path], *, engine: Engine, night: dt.date,
                 profiles: tuple[Profile, ...] | None = None) -> ImportSummary:
    """Import every export file in ``paths`` (files or folders) for ``night``."""
    summary = ImportSummary()
    deferred: list[tuple[FileSummary, FileRead]] = []
    batch_students: dict[tuple[str, str | None], dict[str, str]] = {}
    for path in expand_paths(paths):
        entry = FileSummary(path=str(path), status="refused")
        summary.files.append(entry)
        try:
            check_name(path)
            digest = file_hash(path) if path.is_file() else ""
            if digest and _already_imported(engine, digest):
                entry.status, entry.message_vi = "skipped", msg("already_imported")
                continue
            read = read_export(path, profiles=profiles, night=night)
        except SourceError as exc:
            entry.message_vi = exc.message_vi
            continue
        except OSError as exc:
            entry.message_vi = msg("unreadable", detail=exc.strerror or str(exc))
            continue
        except (ValueError, UnicodeError, csv.Error, IndexError, KeyError) as exc:
            # A file no check foresaw: refuse it, name it, and go on with the others.
            log.warning("unreadable file %s: %r", path, exc)
            entry.message_vi = msg("unreadable", detail=f"{type(exc).__name__}: {exc}"[:300])
            continue
        if read.students.height == 0 and read.rows_read and (
                read.subject_results.height or read.term_results.height):
            deferred.append((entry, read))
            continue
        _load(engine, night, read, entry, batch_students)
    for entry, read in deferred:
        _load(engine, night, read, entry, batch_students)
    return summary


def _already_imported(engine: Engine, digest: str) -> bool:
    with engine.connect() as conn:
        row = conn.execute(
            select(SourceSnapshot.id).where(SourceSnapshot.content_hash == digest).limit(1)
        ).first()
    return row is not None


def _load(engine: Engine, night: dt.date, read: FileRead, entry: FileSummary,
          batch_students: dict[tuple[str, str | None], dict[str, str]]) -> None:
    students = read.students
    school_code = read.school_code or _school_of_results(read)
    entry.source, entry.school_code = read.source, school_code
    quarantined = list(read.quarantined)
    with engine.begin() as conn:
        result = conn.execute(insert(SourceSnapshot.__table__).values(
            source=read.source, school_code=school_code, night=night,
            taken_at=dt.datetime.now(dt.UTC), origin=str(read.path),
            content_hash=read.content_hash, rows_read=read.rows_read, rows_accepted=0,
            rows_quarantined=0, status="loading"))
        snapshot_id = int(result.inserted_primary_key[0])
        students = students.with_columns(
            pl.lit(snapshot_id, dtype=pl.Int64).alias("snapshot_id"),
            pl.concat_str([pl.col("source"), pl.lit(str(snapshot_id)), pl.col("local_id")],
                          separator=":").alias("record_id"),
        )
        known = dict(zip(students["local_id"].to_list(), students["record_id"].to_list(),
                         strict=True))
        key = (read.source, school_code)
        if read.subject_results.height or read.term_results.height:
            lookup = {**batch_students.get(key, {}), **known}
            if not known:
                lookup = {**_stored_students(conn, read.source, school_code, night), **lookup}
            subjects, lost_s = _link(read.subject_results, lookup)
            terms, lost_t = _link(read.term_results, lookup)
            quarantined += _lost_rows(lost_s, read) + _lost_rows(lost_t, read)
        else:
            subjects = terms = None
        batch_students.setdefault(key, {}).update(known)
        store.bulk_insert(engine, "student_record",
                          students.select(list(StudentRecord.model_fields)), connection=conn)
        if subjects is not None:
            store.bulk_insert(engine, "subject_result", _scores_json(subjects).select(
                list(SUBJECT_RESULT_COLUMNS)), connection=conn)
            store.bulk_insert(engine, "term_result", terms.select(list(TERM_RESULT_COLUMNS)),
                              connection=conn)
        rows_q = len({(q.src_file, q.src_sheet, q.src_row) for q in quarantined})
        if quarantined:
            frame = quarantine_frame(quarantined).with_columns(
                pl.lit(snapshot_id, dtype=pl.Int64).alias("snapshot_id"),
                pl.lit(read.source).alias("source"))
            store.bulk_insert(engine, "quarantined_row", frame, connection=conn)
        conn.execute(SourceSnapshot.__table__.update().where(
            SourceSnapshot.__table__.c.id == snapshot_id).values(
            rows_accepted=read.rows_read - rows_q, rows_quarantined=rows_q, status="loaded"))
    entry.status, entry.snapshot_id = "loaded", snapshot_id
    entry.rows_read, entry.rows_quarantined = read.rows_read, rows_q
    entry.rows_accepted = read.rows_read - rows_q
    entry.students = students.height
    entry.subject_results = subjects.height if subjects is not None else 0
    entry.term_results = terms.height if terms is not None else 0
    entry.message_vi = msg("summary", read=entry.rows_read, accepted=entry.rows_accepted,
                           quarantined=entry.rows_quarantined, skipped_note="")


def _school_of_results(read: FileRead) -> str | None:
    return school_from_folder(read.path)


def _stored_students(conn, source: str, school_code: str | None, night: dt.date
                     ) -> dict[str, str]:
    """local_id -> record_id of the latest snapshot of this source and school for the night."""
    snap = SourceSnapshot.__table__
    latest = conn.execute(
        select(snap.c.id).where(snap.c.source == source, snap.c.school_code == school_code,
                                snap.c.night == night, snap.c.status == "loaded")
        .order_by(snap.c.id.desc())
    ).scalars().all()
    table = StudentRecord.__table__
    found: dict[str, str] = {}
    for snapshot_id in reversed(latest):
        rows = conn.execute(select(table.c.local_id, table.c.record_id)
                            .where(table.c.snapshot_id == snapshot_id)).all()
        found.update(dict(rows))
    return found


def _link(frame: pl.DataFrame, lookup: dict[str, str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Results with their record id, and the results whose student is unknown."""
    ids = pl.DataFrame({"local_id": list(lookup), "record_id": list(lookup.values())},
                       schema={"local_id": pl.String, "record_id": pl.String})
    joined = frame.join(ids, on="local_id", how="left")
    return joined.filter(pl.col("record_id").is_not_null()), joined.filter(
        pl.col("record_id").is_null())


def _lost_rows(lost: pl.DataFrame, read: FileRead) -> list[Quarantined]:
    out = []
    for row in lost.unique(["src_sheet", "src_row"]).iter_rows(named=True):
        out.append(Quarantined(
            row["src_file"], row["src_sheet"], row["src_row"], "local_id",
            "row_unknown_student", msg("row_unknown_student", local_id=row["local_id"]),
            json.dumps({"local_id": row["local_id"]}, ensure_ascii=False)))
    return out


def _scores_json(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.concat_str([
            pl.lit("["),
            pl.col("regular_scores").list.eval(pl.element().cast(pl.String)).list.join(", "),
            pl.lit("]"),
        ]).alias("regular_scores")
    )


__all__ = ["FileSummary", "ImportSummary", "expand_paths", "ingest_paths"]
