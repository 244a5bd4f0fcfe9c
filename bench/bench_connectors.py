"""Connector speed: read a 100 k-row vendor export; ingest a simulated province into the store.

Prints one JSON document. Reproduce with::

    .venv/bin/python bench/bench_connectors.py --read-rows 100000 --province 1000000
    DOISOAT_BENCH_PG_URL=postgresql://… .venv/bin/python bench/bench_connectors.py --province …
    # a province with its gradebooks: write the exports once (DOISOAT_BENCH_SETUP_ONLY=1),
    # then time the import of the same files as often as needed
    .venv/bin/python bench/bench_connectors.py --read-rows 0 --province 1000000 --grades \
        --exports DIR

Targets (issue 3): read 100 k rows in under 10 s; ingest a 1 M-student province (all schools,
all vendors, rosters and the registry) into SQLite in under 5 minutes; PostgreSQL beside it.
Setting up (simulating, writing the files) is not timed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import simulate  # noqa: E402
from connectors import ingest_paths, read_export  # noqa: E402
from doisoat import store  # noqa: E402
from simulate.exports import smas, vietschool  # noqa: E402
from simulate.exports.common import school_slices  # noqa: E402

NIGHT = dt.date(2026, 6, 10)


def _one_school(district, rows: int):
    """All of a district's vendor records as if one school exported them (one big file)."""
    part = school_slices(district, with_grades=False)[0]
    records = district.records.filter(pl.col("source") != "moet").head(rows)
    records = records.with_columns(  # one school numbers its students once (HS000001 …)
        pl.lit(part.code).alias("school_code"),
        pl.format("HS{}", pl.int_range(1, records.height + 1).cast(pl.Utf8).str.zfill(6))
        .alias("local_id"),
    )
    part.records = records
    return part


def bench_read(rows: int, work: Path) -> dict:
    district = simulate.generate(int(rows * 1.05), seed=7, night=NIGHT)
    part = _one_school(district, rows)
    out = {}
    for name, writer in (("xlsx_smas", smas.write), ("csv_vietschool", vietschool.write)):
        folder = work / name
        folder.mkdir()
        part.school = {**part.school, "export_text": "unicode", "serial": 2}  # cp1258 csv
        written = writer(part, folder)
        path = written[0] if isinstance(written, list) else written
        start, cpu = time.perf_counter(), time.process_time()
        read = read_export(path, night=NIGHT)
        seconds = time.perf_counter() - start
        out[name] = {"rows": read.rows_read, "accepted": read.rows_accepted,
                     "seconds": round(seconds, 2),
                     "cpu_seconds": round(time.process_time() - cpu, 2),
                     "rows_per_second": int(read.rows_read / seconds),
                     "bytes": path.stat().st_size, "encoding": read.encoding}
    return out


def write_province(students: int, folder: Path, grades: bool) -> dict:
    """Simulate a province and write every school's exports (not timed as the import is)."""
    from simulate.exports import write_district

    start = time.perf_counter()
    district = simulate.generate(students, seed=3, night=NIGHT)
    simulated = time.perf_counter() - start
    start = time.perf_counter()
    paths = write_district(district, folder, grades=grades)
    written = time.perf_counter() - start
    about = {"students": district.records.filter(pl.col("source") != "moet").height,
             "registry_records": district.records.filter(pl.col("source") == "moet").height,
             "schools": district.schools.height, "files": len(paths), "grades": grades,
             "setup_seconds": {"simulate": round(simulated, 1), "export": round(written, 1)}}
    (folder / "province.json").write_text(json.dumps(about))
    return about


def bench_province(students: int, work: Path, pg_url: str | None, grades: bool = False,
                   workers: int = 1, exports: Path | None = None) -> dict:
    folder = exports or work / "province"
    if exports is not None and (exports / "province.json").exists():
        result = json.loads((exports / "province.json").read_text())  # written earlier
        if result["students"] < students * 0.9 or result["grades"] != grades:
            sys.exit(f"{exports} holds another province: {result}")
    else:
        result = write_province(students, folder, grades)
    result["workers"] = workers
    if os.environ.get("DOISOAT_BENCH_SETUP_ONLY"):
        return result
    engines = {"sqlite": store.get_engine(f"sqlite:///{work / 'province.db'}")}
    schema = None
    if pg_url:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = store.get_engine(pg_url)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        engines["postgresql"] = store.get_engine(pg_url, schema=schema)
    try:
        for name, engine in engines.items():
            store.upgrade(engine)
            start, cpu = time.perf_counter(), time.process_time()
            children = _children_cpu()
            summary = ingest_paths([folder], engine=engine, night=NIGHT,
                                   workers=workers, bulk=True)
            seconds = time.perf_counter() - start
            result[name] = {"seconds": round(seconds, 1),
                            "cpu_seconds": round(time.process_time() - cpu, 1),
                            # the reading processes', once they have ended
                            "worker_cpu_seconds": round(_children_cpu() - children, 1),
                            # the writing process's; a worker's would count this one's
                            # size when it was forked (Linux keeps it across exec)
                            "peak_rss_mib": _peak_mib(),
                            "rows_read": summary.rows_read,
                            "rows_accepted": summary.rows_accepted,
                            "rows_quarantined": summary.rows_quarantined,
                            "refused_files": len(summary.refused),
                            "rows_per_second": int(summary.rows_read / seconds)}
    finally:
        if schema:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    return result


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _peak_mib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # Linux counts KiB


QUICK_ARGS = ["--read-rows", "10000", "--province", "20000"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--read-rows", type=int, default=100_000)
    parser.add_argument("--province", type=int, default=0, help="students (0: skip)")
    parser.add_argument("--grades", action="store_true", help="the schools' gradebooks too")
    parser.add_argument("--exports", type=Path, default=None,
                        help="keep the province's export files here and reuse them next time")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes reading files (default: the CPU count)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="doisoat-bench-") as tmp:
        work = Path(tmp)
        report = {"bench": "connectors", "cpu_count": os.cpu_count(),
                  "load_average_at_start": os.getloadavg()}
        if args.read_rows:
            report["read"] = bench_read(args.read_rows, work)
        if args.province:
            report["province"] = bench_province(args.province, work,
                                                os.environ.get("DOISOAT_BENCH_PG_URL"),
                                                args.grades, args.workers, args.exports)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
