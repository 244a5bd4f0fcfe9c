"""A batch import (files read by worker processes, SQLite written through ADBC) stores exactly
what the one-file-at-a-time import stores, and keeps its promises: the same file twice adds
nothing, a refused file is named, rows read = accepted + quarantined."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from test_unsafe_files import hostile_workbook, sheet_xml

import connectors.ingest
from connectors import ingest_paths
from doisoat import store

NIGHT = dt.date(2026, 6, 10)
VOLATILE = {"id", "taken_at"}


def _tables(engine) -> dict[str, pl.DataFrame]:
    out = {}
    for name in ("source_snapshot", "student_record", "subject_result", "term_result",
                 "quarantined_row"):
        frame = store.read_table(engine, name)
        frame = frame.drop([c for c in frame.columns if c in VOLATILE])
        out[name] = frame.sort(frame.columns, nulls_last=True)
    return out


def test_batch_import_stores_what_the_plain_import_stores(exported, tmp_path):
    folder = tmp_path / "exports"
    shutil.copytree(exported, folder)
    (folder / "79000001" / "hỏng.csv").write_bytes(b"\x00\x01\x02binary\xff" * 50)
    plain = store.get_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    batch = store.get_engine(f"sqlite:///{tmp_path / 'batch.db'}")
    for engine in (plain, batch):
        store.upgrade(engine)
    one = ingest_paths([folder], engine=plain, night=NIGHT)
    many = ingest_paths([folder], engine=batch, night=NIGHT, workers=2, bulk=True)
    assert [(f.path, f.status, f.rows_read, f.rows_quarantined, f.message_vi)
            for f in many.files] == [(f.path, f.status, f.rows_read, f.rows_quarantined,
                                      f.message_vi) for f in one.files]
    assert len(many.refused) == 1 and "hỏng.csv" in many.refused[0].path
    assert many.rows_read == many.rows_accepted + many.rows_quarantined > 10_000
    left, right = _tables(plain), _tables(batch)
    for name, frame in left.items():
        assert frame.height == right[name].height, name
        assert_frame_equal(frame, right[name], check_dtypes=False)
    assert left["subject_result"].height > 10_000
    again = ingest_paths([folder], engine=batch, night=NIGHT, workers=2, bulk=True)
    assert len(again.skipped) == len(many.loaded) and again.rows_read == 0
    assert store.read_table(batch, "student_record").height == right["student_record"].height


def test_a_file_twice_in_one_batch_is_stored_once(exported, tmp_path):
    folder = tmp_path / "twice"
    source = next(p for p in sorted(exported.rglob("SMAS_*.xlsx")))
    (folder / "a" / source.parent.name).mkdir(parents=True)
    (folder / "b" / source.parent.name).mkdir(parents=True)
    shutil.copy(source, folder / "a" / source.parent.name / source.name)
    shutil.copy(source, folder / "b" / source.parent.name / source.name)
    engine = store.get_engine(f"sqlite:///{tmp_path / 'twice.db'}")
    store.upgrade(engine)
    summary = ingest_paths([folder], engine=engine, night=NIGHT, workers=2, bulk=True)
    assert [f.status for f in summary.files] == ["loaded", "skipped"]
    assert store.read_table(engine, "source_snapshot").height == 1


def test_a_grade_file_finds_the_students_an_earlier_import_stored(exported, tmp_path):
    """Vietschool's grade file carries no roster: its students are the ones of the same source,
    school and night already in the store, through either writer."""
    grades = next(p for p in sorted(exported.rglob("diem_*.csv")))
    roster = grades.with_name(grades.name.replace("diem_", "hocsinh_"))
    for bulk in (False, True):
        engine = store.get_engine(f"sqlite:///{tmp_path / f'later-{bulk}.db'}")
        store.upgrade(engine)
        first = ingest_paths([roster], engine=engine, night=NIGHT, bulk=bulk)
        later = ingest_paths([grades], engine=engine, night=NIGHT, bulk=bulk)
        assert first.loaded and later.loaded and later.rows_quarantined == 0, bulk
        subjects = store.read_table(engine, "subject_result")
        records = store.read_table(engine, "student_record")
        assert subjects.height == later.files[0].subject_results > 100
        assert subjects.join(records, on="record_id", how="anti").height == 0


def test_a_reader_that_dies_refuses_its_file_and_the_batch_goes_on(exported, tmp_path,
                                                                   monkeypatch):
    """A sheet bomb is refused before it is read; a file that still kills its reader (here: a
    big sheet under a small memory ceiling) is refused by name, the readers are started again
    and every good file of the batch is stored."""
    folder = tmp_path / "exports"
    shutil.copytree(exported, folder)
    school = sorted(p for p in folder.iterdir() if p.is_dir())[0]
    hostile_workbook(school / "DanhSach_bom.xlsx",
                     [("Danh sách", sheet_xml("A1:XFD1048576", ["A1", "XFD1048576"]))])
    hostile_workbook(school / "DanhSach_lon.xlsx",
                     [("Danh sách", sheet_xml("A1:Z900000", ["A1", "Z900000"]))])
    good = [p for p in sorted(folder.rglob("*")) if p.is_file()
            and p.name not in {"DanhSach_bom.xlsx", "DanhSach_lon.xlsx"}]
    plain = store.get_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    batch = store.get_engine(f"sqlite:///{tmp_path / 'batch.db'}")
    for engine in (plain, batch):
        store.upgrade(engine)
    expected = ingest_paths(good, engine=plain, night=NIGHT)
    monkeypatch.setattr(connectors.ingest, "WORKER_MEMORY_BYTES", 1200 * 1024 ** 2)
    summary = ingest_paths([folder], engine=batch, night=NIGHT, workers=2, bulk=True)
    refused = {Path(f.path).name: f.message_vi for f in summary.refused}
    assert set(refused) == {"DanhSach_bom.xlsx", "DanhSach_lon.xlsx"}
    assert "quá lớn" in refused["DanhSach_bom.xlsx"]
    assert "dừng đột ngột" in refused["DanhSach_lon.xlsx"]
    assert "DanhSach_lon.xlsx" in refused["DanhSach_lon.xlsx"]
    assert len(summary.loaded) == len(expected.loaded) >= 8
    assert summary.rows_read == expected.rows_read > 10_000
    assert summary.rows_read == summary.rows_accepted + summary.rows_quarantined
    assert "2 tệp bị từ chối" in summary.message_vi()
    left, right = _tables(plain), _tables(batch)
    for name, frame in left.items():
        assert frame.height == right[name].height, name


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc: psutil is not a dependency)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT"])
def test_an_interrupted_batch_leaves_no_reader_behind(tmp_path, how):
    """``doisoat ingest`` killed (SIGKILL) or stopped with Ctrl-C (SIGINT) while its workers
    read: no worker process survives it, and Ctrl-C does not end in a misleading error."""
    folder = tmp_path / "exports"
    header = "Mã số;Họ tên học sinh;Ngày sinh;Phái;Lớp"
    rows = "\n".join(f"VS{i};Nguyễn Văn An {i};01/02/2013;Nam;7A1" for i in range(30_000))
    for school in range(16):
        code = f"79{school:06d}"
        (folder / code).mkdir(parents=True)
        (folder / code / f"hocsinh_{code}.csv").write_text(f"{header}\n{rows}\n",
                                                           encoding="utf-8")
    command = Path(sys.executable).parent / "doisoat"
    batch = subprocess.Popen(
        [str(command), "ingest", str(folder), "--workers", "2", "--night", "2026-06-10",
         "--url", f"sqlite:///{tmp_path / 'store.db'}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 3 and time.monotonic() < deadline and batch.poll() is None:
            time.sleep(0.1)
            workers = _children(batch.pid)  # the resource tracker and two readers
        assert len(workers) >= 3, "the batch never started its readers"
        time.sleep(1.5)  # the readers are reading
        assert batch.poll() is None, "the batch ended before it could be interrupted"
        batch.send_signal(getattr(signal, how))
        _, stderr = batch.communicate(timeout=60)  # a surviving worker holds the pipes open
        deadline = time.monotonic() + 10
        while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in workers if _running(pid)] == []
        if how == "SIGINT":
            assert batch.returncode != 0
            assert b"TypeError" not in stderr and b"Traceback" not in stderr, stderr.decode()
    finally:
        for pid in [batch.pid, *workers]:
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
        if batch.poll() is None:
            batch.wait()
