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
import gc
import itertools
import json
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from sqlalchemy import Engine

from connectors.export_file import FileRead, file_hash, read_export, school_from_folder
from connectors.messages import msg
from connectors.profile import SourceProfile
from connectors.quarantine import Quarantined, quarantine_frame
from connectors.tabular.safety import check_name
from doisoat.errors import SourceError
from doisoat.model import (
    SUBJECT_RESULT_COLUMNS,
    TERM_RESULT_COLUMNS,
    StudentRecord,
    record_id_expr,
)
from doisoat.store.retry import AlreadyStored
from doisoat.store.writer import SnapshotWriter, open_writer

SUFFIXES = {".xlsx", ".xls", ".csv", ".txt", ".xml"}
_FILES_WORTH_A_POOL = 8  # below this, starting the worker processes costs more than it saves
_AHEAD = 4  # files queued per worker process
_POLARS_THREADS = "POLARS_MAX_THREADS"
# Address space of each worker process: 10× what the largest legitimate file we know needs;
# the size checks of connectors.tabular.safety refuse the known bombs long before.
WORKER_MEMORY_BYTES = 4 * 1024 ** 3
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
    """Files named, and the export files inside folders named (no symlinks followed).

    A path named here is one a person typed (``doisoat ingest ../exports``): its «..» are
    resolved before :func:`check_name`, which looks for tricks in a file's own name and would
    take them for one. The last component is kept as named, so a symlinked file or folder
    keeps its name (a folder's name can be the school code)."""
    found: list[Path] = []
    for raw in paths:
        path = _as_typed(Path(raw))
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


def _as_typed(path: Path) -> Path:
    """``path`` with the «..» of the folders leading to it resolved."""
    if ".." not in path.parts:
        return path
    if path.name in {"", ".", ".."}:
        return path.resolve()
    return path.parent.resolve() / path.name


def ingest_paths(paths: Iterable[str | Path], *, engine: Engine, night: dt.date,
                 profiles: tuple[SourceProfile, ...] | None = None, workers: int = 1,
                 bulk: bool = False) -> ImportSummary:
    """Import every export file in ``paths`` (files or folders) for ``night``.

    With ``workers`` > 1 the files are read (parsed, mapped, checked) by that many processes
    while this one writes them to the store, in the order of the paths. ``bulk`` writes a
    SQLite store through ADBC (see ``doisoat.store.writer``): for a process that owns the
    store, never for a server's request threads, which keep both defaults.
    """
    with open_writer(engine, bulk=bulk) as writer:
        return _ingest(paths, writer, night, profiles, workers)


def _ingest(paths: Iterable[str | Path], writer: SnapshotWriter, night: dt.date,
            profiles: tuple[SourceProfile, ...] | None, workers: int) -> ImportSummary:
    summary = ImportSummary()
    deferred: list[tuple[FileSummary, FileRead]] = []
    batch_students: dict[tuple[str, str | None], dict[str, str]] = {}
    files = expand_paths(paths)
    summary.files = [FileSummary(path=str(path), status="refused") for path in files]

    def wanted() -> Iterator[tuple[FileSummary, Path, str]]:
        """The files to read, checked one by one as the readers ask for more."""
        for entry, path in zip(summary.files, files, strict=True):
            try:
                check_name(path)
                digest = file_hash(path) if path.is_file() else ""
            except SourceError as exc:
                entry.message_vi = exc.message_vi
                continue
            except OSError as exc:
                entry.message_vi = msg("unreadable", detail=exc.strerror or str(exc))
                continue
            if digest and writer.already_imported(digest):
                entry.status, entry.message_vi = "skipped", msg("already_imported")
                continue
            yield entry, path, digest

    pool = workers if len(files) >= _FILES_WORTH_A_POOL else 1
    folder = None
    # closed on the way out, so that a Ctrl-C while a file is stored stops the readers too
    with closing(_read_all(wanted(), profiles, night, pool)) as reads:
        for entry, (read, refusal) in reads:
            if Path(entry.path).parent != folder:
                folder = Path(entry.path).parent
                deferred = _load_linkable(writer, night, deferred, batch_students)
            if read is None:
                entry.message_vi = refusal
                continue
            if writer.already_imported(read.content_hash):  # the same bytes twice in one batch
                entry.status, entry.message_vi = "skipped", msg("already_imported")
                continue
            if read.students.height == 0 and read.rows_read and (
                    read.subject_results.height or read.term_results.height):
                deferred.append((entry, read))
                continue
            _load(writer, night, read, entry, batch_students)
    for entry, read in deferred:
        _load(writer, night, read, entry, batch_students)
    return summary


def _load_linkable(writer: SnapshotWriter, night: dt.date,
                   deferred: list[tuple[FileSummary, FileRead]],
                   batch_students: dict[tuple[str, str | None], dict[str, str]]
                   ) -> list[tuple[FileSummary, FileRead]]:
    """Load, once the batch has left their folder, the result files whose school's roster it
    has loaded; return the others, which wait for the end of the batch (their roster may come
    later, or be in the store). Loading them as the batch goes keeps the writer busy while the
    readers read, rather than alone at the end."""
    waiting = []
    for entry, read in deferred:
        key = (read.source, read.school_code or _school_of_results(read))
        if key in batch_students:
            _load(writer, night, read, entry, batch_students)
        else:
            waiting.append((entry, read))
    return waiting


def _read_one(path: Path, digest: str, profiles: tuple[SourceProfile, ...] | None, night: dt.date
              ) -> tuple[FileRead | None, str]:
    """A file read, or why it is refused (in Vietnamese): what a worker process sends back."""
    try:
        return read_export(path, profiles=profiles, night=night, content_hash=digest or None), ""
    except SourceError as exc:
        return None, exc.message_vi
    except OSError as exc:
        return None, msg("unreadable", detail=exc.strerror or str(exc))
    except MemoryError:
        log.warning("out of memory reading %s", path)
        return None, msg("reader_died", file=path.name)
    except (ValueError, UnicodeError, csv.Error, IndexError, KeyError) as exc:
        # A file no check foresaw: refuse it, name it, and go on with the others.
        log.warning("unreadable file %s: %r", path, exc)
        return None, msg("unreadable", detail=f"{type(exc).__name__}: {exc}"[:300])


def _read_in_worker(path: Path, digest: str, profiles: tuple[SourceProfile, ...] | None,
                    night: dt.date) -> tuple[FileRead | None, str]:
    """:func:`_read_one` in a worker process, with the cyclic garbage collector paused: a
    file's cells (a list per row) all stay alive until the file is read, so collections
    during the read free nothing and cost a fifth of the time. The process reads one file
    at a time, so no other work runs without it."""
    gc.disable()
    try:
        return _read_one(path, digest, profiles, night)
    finally:
        gc.enable()


def _read_all(files: Iterator[tuple[FileSummary, Path, str]],
              profiles: tuple[SourceProfile, ...] | None, night: dt.date, workers: int
              ) -> Iterator[tuple[FileSummary, tuple[FileRead | None, str]]]:
    """The files read, in order; by ``workers`` processes, each a few files ahead so that a
    large file does not leave the other idle.

    A worker that dies (a reader that aborts, the memory ceiling reached) breaks the whole
    pool, and every file it had queued with it: those are read again in a new pool, one at a
    time, so that the one that kills its reader again is known, refused and named; then the
    batch goes on as before."""
    if workers <= 1:
        for entry, path, digest in files:
            yield entry, _read_one(path, digest, profiles, night)
        return
    context = multiprocessing.get_context("spawn")  # polars' threads do not survive fork
    suspects: deque[tuple[FileSummary, Path, str]] = deque()
    with _one_polars_thread_each():
        while True:
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                       initializer=_start_worker,
                                       initargs=(WORKER_MEMORY_BYTES, os.getpid()))
            try:
                suspects = yield from _read_in_pool(pool, files, suspects, profiles, night,
                                                    workers)
            except BaseException:  # Ctrl-C, or the batch closed early: stop reading now
                _stop(pool)
                raise
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
            if not suspects:
                return


def _read_in_pool(pool: ProcessPoolExecutor, files: Iterator[tuple[FileSummary, Path, str]],
                  suspects: deque[tuple[FileSummary, Path, str]],
                  profiles: tuple[SourceProfile, ...] | None, night: dt.date, workers: int
                  ) -> Generator[tuple[FileSummary, tuple[FileRead | None, str]], None,
                                 deque[tuple[FileSummary, Path, str]]]:
    """Read ``suspects`` one at a time, then ``files`` a few ahead; return the files queued
    when the pool broke (empty once every file is read)."""
    while suspects:
        entry, path, digest = suspects.popleft()
        try:
            done = pool.submit(_read_in_worker, path, digest, profiles, night).result()
        except BrokenProcessPool:
            log.error("the reader of %s died; file refused", path)
            yield entry, (None, msg("reader_died", file=path.name))
            return suspects
        yield entry, done
    pending: deque[tuple[FileSummary, Path, str, Future]] = deque()
    # a file taken from ``files`` when the pool had already broken (a worker died between two
    # submissions): it was never read, so it is read again with the queued ones
    unsent: deque[tuple[FileSummary, Path, str]] = deque()

    def submit(count: int) -> None:
        if unsent:
            return
        for entry, path, digest in itertools.islice(files, count):
            try:
                future = pool.submit(_read_in_worker, path, digest, profiles, night)
            except BrokenProcessPool:
                unsent.append((entry, path, digest))
                return
            pending.append((entry, path, digest, future))

    submit(_AHEAD * workers)
    while pending:
        entry, path, digest, future = pending[0]
        try:
            done = future.result()
        except BrokenProcessPool:
            log.warning("a reader process died with %d files queued: reading them again, "
                        "one at a time", len(pending) + len(unsent))
            return deque([*((e, p, d) for e, p, d, _ in pending), *unsent])
        pending.popleft()
        submit(1)
        yield entry, done
    return unsent


def _stop(pool: ProcessPoolExecutor) -> None:
    """End the pool's workers without waiting for the files they are reading: after a Ctrl-C
    the batch ends now, not when the largest file queued is read."""
    pool.shutdown(wait=False, cancel_futures=True)
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.terminate()


def _start_worker(ceiling: int, parent: int) -> None:
    """Each worker process: its memory ceiling; Ctrl-C left to the main process, which ends
    the batch and its workers (a worker that took it would break the pool with a traceback of
    its own); and an exit of its own when the main process is gone (killed), so that no
    reader outlives its batch."""
    _limit_memory(ceiling)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_without, args=(parent,), daemon=True,
                     name="doisoat-parent-watch").start()


def _exit_without(parent: int, every: float = 0.5) -> None:
    """Poll for the main process; once it is gone (the worker re-parented), exit at once."""
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


def _limit_memory(ceiling: int) -> None:
    """In each worker process (never in the main one): a file that needs more than ``ceiling``
    bytes fails its own reader, not the machine."""
    try:
        import resource
    except ImportError:  # not on this platform: the size checks still hold
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > ceiling:
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


@contextmanager
def _one_polars_thread_each() -> Iterator[None]:
    """Worker processes started meanwhile run polars on one thread: the processes already
    keep the cores busy, and two thread pools per core cost more than they give. Polars reads
    the setting when a process imports it, so this process keeps its own pool."""
    before = os.environ.get(_POLARS_THREADS)
    os.environ[_POLARS_THREADS] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(_POLARS_THREADS, None)
        else:
            os.environ[_POLARS_THREADS] = before


def _load(writer: SnapshotWriter, night: dt.date, read: FileRead, entry: FileSummary,
          batch_students: dict[tuple[str, str | None], dict[str, str]]) -> None:
    """Store one file read (one transaction, rolled back if anything breaks it).

    A file that another import running at the same time stored first (the database refused
    the second copy: :class:`~doisoat.store.retry.AlreadyStored`) is skipped as a file already
    imported, with its own words: the same bytes add nothing, and it is no error."""
    try:
        _write_file(writer, night, read, entry, batch_students)
    except AlreadyStored as exc:
        entry.status, entry.message_vi = "skipped", exc.message_vi
        entry.snapshot_id = None
    except Exception as exc:
        # A Ctrl-C during a bulk insert reaches the user as the driver's own error: ADBC's
        # SQLite driver cannot cancel the insert and raises ``NotSupportedError:
        # NOT_IMPLEMENTED`` from the KeyboardInterrupt. It is the interrupt, and said so.
        if isinstance(exc.__cause__, KeyboardInterrupt):
            raise KeyboardInterrupt from None
        raise


def _write_file(writer: SnapshotWriter, night: dt.date, read: FileRead, entry: FileSummary,
                batch_students: dict[tuple[str, str | None], dict[str, str]]) -> None:
    students = read.students
    school_code = read.school_code or _school_of_results(read)
    entry.source, entry.school_code = read.source, school_code
    quarantined = list(read.quarantined)
    with writer.transaction() as out:
        snapshot_id = out.open_snapshot(source=read.source, school_code=school_code,
                                        night=night, origin=str(read.path),
                                        content_hash=read.content_hash)
        students = students.with_columns(
            pl.lit(snapshot_id, dtype=pl.Int64).alias("snapshot_id"),
            record_id_expr(snapshot_id).alias("record_id"),
        )
        known = dict(zip(students["local_id"].to_list(), students["record_id"].to_list(),
                         strict=True))
        key = (read.source, school_code)
        if read.subject_results.height or read.term_results.height:
            lookup = {**batch_students.get(key, {}), **known}
            if not known:
                lookup = {**out.stored_students(read.source, school_code, night), **lookup}
            subjects, lost_s = _link(read.subject_results, lookup)
            terms, lost_t = _link(read.term_results, lookup)
            quarantined += _lost_rows(lost_s, read) + _lost_rows(lost_t, read)
        else:
            subjects = terms = None
        batch_students.setdefault(key, {}).update(known)
        out.insert("student_record", students.select(list(StudentRecord.model_fields)))
        if subjects is not None:
            out.insert("subject_result", subjects.select(list(SUBJECT_RESULT_COLUMNS)))
            out.insert("term_result", terms.select(list(TERM_RESULT_COLUMNS)))
        rows_q = len({(q.src_file, q.src_sheet, q.src_row) for q in quarantined})
        if quarantined:
            out.insert("quarantined_row", quarantine_frame(quarantined).with_columns(
                pl.lit(snapshot_id, dtype=pl.Int64).alias("snapshot_id"),
                pl.lit(read.source).alias("source")))
        out.set_counts(snapshot_id, rows_read=read.rows_read, rows_quarantined=rows_q,
                       loaded=True)
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


__all__ = ["FileSummary", "ImportSummary", "expand_paths", "ingest_paths"]
