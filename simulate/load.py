"""Load a simulated district straight into the store (the spine's demo and benchmarks).

The connectors' round trip (simulate → export files → ingest) is the other way in; this one
skips the files so that the store and the engines can be exercised at a province's scale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import polars as pl
from sqlalchemy import Engine
from sqlmodel import Session, select

from doisoat.model import School, record_id_expr
from doisoat.store.writer import SnapshotWrite, open_writer
from simulate.district import District

T = TypeVar("T")


@dataclass
class LoadSummary:
    snapshots: int = 0
    skipped_snapshots: int = 0
    records: int = 0
    subject_results: int = 0
    term_results: int = 0


def _content_hash(district: District, source: str, school_code: str | None) -> str:
    key = (
        f"simulate:{district.seed}:{district.records.height}:{district.night}:"
        f"{source}:{school_code}"
    )
    return hashlib.sha256(key.encode()).hexdigest()


def load_school_directory(engine: Engine, district: District) -> int:
    """The district's school directory (names, levels, vendors and the last synchronisation the
    sector database reports for each school), as a district office configures it."""
    added = 0
    with Session(engine) as session:
        known = set(session.exec(select(School.school_code)).all())
        for row in district.schools.iter_rows(named=True):
            if row["school_code"] not in known:
                session.add(School(**{k: row[k] for k in School.model_fields}))
                added += 1
        session.commit()
    return added


def load_district(
    engine: Engine,
    district: District,
    progress: Callable[[str, int], None] | None = None,
) -> LoadSummary:
    """Write the district's schools, snapshots, records and grades; skip what is already there.

    Snapshot ids are allocated by the store, so record ids (``source:snapshot:local_id``) are
    re-keyed to them. Loading the same district twice adds nothing. The snapshots and their
    rows are one unit of the store's snapshot writer (ADBC on a SQLite file): committed
    together, or not at all.
    """
    summary = LoadSummary()
    note = progress or (lambda _stage, _n: None)
    counts = district.records.group_by("snapshot_id").len()
    count_of = dict(zip(counts["snapshot_id"].to_list(), counts["len"].to_list(), strict=True))
    load_school_directory(engine, district)
    bulky = ("student_record", "subject_result", "term_result")
    with open_writer(engine, bulk=True) as writer:
        todo = []
        for snap in district.snapshots.iter_rows(named=True):
            digest = _content_hash(district, snap["source"], snap["school_code"])
            if writer.already_imported(digest):
                summary.skipped_snapshots += 1
            else:
                todo.append((snap, digest))
        if not todo:
            return summary
        with writer.transaction(defer_indexes=bulky) as out:
            remap = _open_snapshots(out, todo, count_of)
            summary.snapshots = len(remap)
            mapping = pl.DataFrame(
                {"snapshot_id": list(remap), "new_snapshot": list(remap.values())},
                schema={"snapshot_id": pl.Int64, "new_snapshot": pl.Int64},
            )
            records = district.records.join(mapping, on="snapshot_id", how="inner").with_columns(
                record_id_expr(pl.col("new_snapshot")).alias("new_record_id")
            )
            ids = records.select("record_id", "new_record_id")
            records = (
                records.drop("record_id", "snapshot_id")
                .rename({"new_record_id": "record_id", "new_snapshot": "snapshot_id"})
                .select(district.records.columns)
            )
            summary.records = out.insert("student_record", records)
            note("records", summary.records)
            for subjects, terms in _prefetched(district.result_chunks()):
                summary.subject_results += out.insert("subject_result", _rekey(subjects, ids))
                summary.term_results += out.insert("term_result", _rekey(terms, ids))
                note("results", subjects.height + terms.height)
    return summary


def _open_snapshots(out: SnapshotWrite, todo: list[tuple[dict[str, Any], str]],
                    count_of: dict[int, int]) -> dict[int, int]:
    """The simulated snapshots opened in the store, loaded with every row they count;
    simulated snapshot id -> stored snapshot id."""
    remap: dict[int, int] = {}
    for snap, digest in todo:
        stored = out.open_snapshot(source=snap["source"], school_code=snap["school_code"],
                                   night=snap["night"], origin="simulate", content_hash=digest)
        rows = count_of.get(snap["snapshot_id"], 0)
        out.set_counts(stored, rows_read=rows, rows_quarantined=0, loaded=True)
        remap[snap["snapshot_id"]] = stored
    return remap


def _prefetched(chunks: Iterator[T]) -> Iterator[T]:
    """Draw the next chunk of grades on a second thread while this one writes (numpy, polars
    and the SQLite driver release the GIL, so the two cores both work)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(next, chunks, None)
        while (chunk := pending.result()) is not None:
            pending = pool.submit(next, chunks, None)
            yield chunk


def _rekey(frame: pl.DataFrame, ids: pl.DataFrame) -> pl.DataFrame:
    columns = frame.columns
    return (
        frame.join(ids, on="record_id", how="inner")
        .drop("record_id")
        .rename({"new_record_id": "record_id"})
        .select(columns)
    )
