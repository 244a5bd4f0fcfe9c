"""The night's report and every school's worklist for a province; the quality checks; print JSON.

Target (issue 7): the report (HTML + JSON) and every school's worklist for a 1 M-student
province in under 2 minutes. The frames are built at realistic rates (one school per ~500
students, ~4 % of students with an open conflict, conflicts of every type, 30 earlier nights,
20 quality outcomes per snapshot) straight in memory, so the figure is the report's own; the
store read is measured apart (``load_inputs``) by the spine's store benchmark sizes.
Quality: the columnar evaluator and Great Expectations on the same student frame.

    .venv/bin/python -m bench.bench_reports                 # 100k and 1M
    .venv/bin/python -m bench.bench_reports 100000          # chosen sizes
    .venv/bin/python -m bench.bench_reports --gx 100000     # also time GX at that size
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from bench._measure import measure, peak_rss_mib

TARGET_SECONDS_1M = 120
QUICK_ARGS = [100_000]
STUDENTS_PER_SCHOOL = 500
CONFLICT_RATE = 0.04
NIGHT = dt.date(2026, 6, 10)
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hoài", "Quốc", "Gia", "Bảo", "Khánh"]
GIVEN = [
    "An",
    "Anh",
    "Ánh",
    "Bình",
    "Châu",
    "Dũng",
    "Đức",
    "Giang",
    "Hà",
    "Hải",
    "Hương",
    "Khoa",
    "Linh",
    "Long",
    "My",
    "Nam",
    "Ngân",
    "Oanh",
    "Ơn",
    "Phúc",
    "Quân",
    "Tâm",
    "Thảo",
    "Trang",
    "Tú",
    "Uyên",
    "Vy",
    "Yến",
]
TYPE_WEIGHTS = {
    "ID_MISSING": 18,
    "ID_INVALID": 8,
    "ID_NOT_IN_REGISTRY": 8,
    "ID_MISMATCH": 6,
    "ID_DUPLICATE": 5,
    "ID_SHARED": 3,
    "UNREGISTERED": 6,
    "DEMOGRAPHIC_DRIFT": 16,
    "PERSONAL_ID_INCONSISTENT": 6,
    "TRANSFER_UNRECEIVED": 3,
    "DUAL_ENROLLMENT": 2,
    "TRANSFER_CODE_CHANGED": 2,
    "TRANSFER_RECORD_MISMATCH": 2,
    "GRADE_AVERAGE_MISMATCH": 10,
    "LOCKED_PERIOD_EDITED": 2,
    "SYNC_OVERDUE": 1,
}


def province(students: int, seed: int = 11) -> dict:
    """Frames of one night of a province of ``students`` students."""
    from reports.quality.suites import load_suite

    rng = np.random.default_rng(seed)
    n_schools = max(students // STUDENTS_PER_SCHOOL, 1)
    codes = [f"79{i:06d}" for i in range(n_schools)]
    vendors = rng.choice(["smas", "vnedu", "vietschool", "quangich"], n_schools)
    schools = pl.DataFrame(
        {
            "school_code": codes,
            "name": [f"Trường THCS số {i + 1}" for i in range(n_schools)],
            "level": "thcs",
            "province_code": "79",
            "district": "",
            "vendor": vendors,
        }
    )
    n_conf = int(students * CONFLICT_RATE)
    kinds = list(TYPE_WEIGHTS)
    weights = np.array(list(TYPE_WEIGHTS.values()), dtype=float)
    kind = rng.choice(kinds, n_conf, p=weights / weights.sum())
    school_of = rng.integers(0, n_schools, n_conf)
    student_no = rng.integers(0, STUDENTS_PER_SCHOOL, n_conf)
    vendor_ids = [
        f"{vendors[s]}:{s + 2}:{s}-{k}" for s, k in zip(school_of, student_no, strict=True)
    ]
    registry_ids = [f"moet:1:{s}-{k}" for s, k in zip(school_of, student_no, strict=True)]
    status = rng.choice(["new", "persisting", "reopened"], n_conf, p=[0.1, 0.85, 0.05])
    age = rng.integers(0, 40, n_conf)
    severity = {
        k: s
        for k, s in zip(
            kinds,
            [
                "medium",
                "high",
                "high",
                "critical",
                "high",
                "critical",
                "high",
                "low",
                "medium",
                "high",
                "critical",
                "high",
                "medium",
                "medium",
                "high",
                "medium",
            ],
            strict=True,
        )
    }
    evidence = [
        json.dumps(
            {
                "moet_code": {"vendor": f"79{k:08d}", "registry": f"79{k + 1:08d}"},
                "dob": {"vendor": "2012-03-04", "registry": "2012-04-03"},
            }
        )
        for k in student_no
    ]
    conflicts = pl.DataFrame(
        {
            "conflict_id": [f"{k}-{i:08x}" for i, k in enumerate(kind)],
            "type": kind,
            "severity": [severity[k] for k in kind],
            "school_code": [codes[s] for s in school_of],
            "record_ids": [
                json.dumps([a, b]) for a, b in zip(vendor_ids, registry_ids, strict=True)
            ],
            "evidence": evidence,
            "suggested_fix": "Sửa mã định danh theo CSDL ngành",
            "message_vi": "Mã định danh trong phần mềm khác với CSDL ngành",
            "status": status,
            "first_seen": [
                NIGHT - dt.timedelta(days=int(a)) if s != "new" else NIGHT
                for a, s in zip(age, status, strict=True)
            ],
            "last_seen": NIGHT,
        }
    )
    people_ids = vendor_ids + registry_ids
    m = len(people_ids)
    people = (
        pl.DataFrame(
            {
                "record_id": people_ids,
                "source": [i.split(":")[0] for i in people_ids],
                "school_code": [codes[s] for s in school_of] * 2,
                "moet_code": [f"79{k:08d}" for k in student_no] * 2,
                "family_name": rng.choice(FAMILY, m),
                "middle_name": rng.choice(MIDDLE, m),
                "given_name": rng.choice(GIVEN, m),
                "dob": [
                    dt.date(2012, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 700, m)
                ],
                "class_name": [
                    f"{g}A{c}"
                    for g, c in zip(rng.integers(6, 10, m), rng.integers(1, 9, m), strict=True)
                ],
            }
        )
        .unique("record_id")
        .with_columns(
            pl.concat_str(["family_name", "middle_name", "given_name"], separator=" ").alias(
                "full_name"
            )
        )
    )
    counts = pl.DataFrame(
        {
            "school_code": codes,
            "source": list(vendors),
            "students": [STUDENTS_PER_SCHOOL] * n_schools,
        }
    ).vstack(
        pl.DataFrame(
            {
                "school_code": codes,
                "source": ["moet"] * n_schools,
                "students": [STUDENTS_PER_SCHOOL] * n_schools,
            }
        )
    )
    names = [e.name for e in load_suite("smas").expectations]
    critical = [e.critical for e in load_suite("smas").expectations]
    q = n_schools * len(names)
    quality = pl.DataFrame(
        {
            "snapshot_id": np.repeat(np.arange(2, n_schools + 2), len(names)),
            "source": np.repeat(vendors, len(names)),
            "school_code": np.repeat(codes, len(names)),
            "suite": "student_record",
            "expectation": names * n_schools,
            "critical": critical * n_schools,
            "success": rng.random(q) > 0.01,
            "element_count": STUDENTS_PER_SCHOOL,
            "unexpected_count": rng.integers(0, 3, q),
            "details": json.dumps(
                {"type": "expect_column_values_to_match_regex", "examples": ["12345"]}
            ),
        }
    )
    trend = pl.DataFrame(
        {
            "night": [NIGHT - dt.timedelta(days=d) for d in range(30, 0, -1)],
            "open": rng.integers(n_conf - 500, n_conf + 500, 30),
            "new": rng.integers(100, 600, 30),
            "resolved": rng.integers(100, 600, 30),
        }
    )
    return dict(
        schools=schools,
        conflicts=conflicts,
        people=people,
        student_counts=counts,
        quality=quality,
        trend=trend,
    )


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the worklist writers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_report(students: int, workers: int | None = None) -> dict:
    from reports import ReportInputs, build_report, render_html, worklist_items, write_worklists

    started = time.perf_counter()
    frames = province(students)
    built = time.perf_counter()
    inputs = ReportInputs(night=NIGHT, previous_night=NIGHT - dt.timedelta(days=1), **frames)
    wall: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def timed(name, work):
        w, c = time.perf_counter(), _cpu()
        value = work()
        wall[name], cpu[name] = time.perf_counter() - w, _cpu() - c
        return value

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        items = timed("items", lambda: worklist_items(inputs))
        report = timed("build", lambda: build_report(inputs, items))
        html = timed("html", lambda: render_html(report))
        timed("write_html", lambda: (out / "report.html").write_text(html, encoding="utf-8"))
        timed(
            "json",
            lambda: (out / "report.json").write_text(
                json.dumps(report, ensure_ascii=False), encoding="utf-8"
            ),
        )
        paths = timed(
            "worklists", lambda: write_worklists(out, report, items, NIGHT, workers=workers)
        )
        sizes = {
            "html_mib": round(len(html.encode()) / 2**20, 2),
            "json_mib": round((out / "report.json").stat().st_size / 2**20, 2),
            "worklists_mib": round(sum(p.stat().st_size for p in paths) / 2**20, 1),
        }
    return {
        "part": "report",
        "students": students,
        "schools": frames["schools"].height,
        "conflicts": frames["conflicts"].height,
        "worklists": len(paths),
        "worklist_workers": workers if workers is not None else min(os.cpu_count() or 1, 4),
        "frames_seconds": round(built - started, 2),
        "wall_seconds_by_step": {k: round(v, 2) for k, v in wall.items()},
        "cpu_seconds_by_step": {k: round(v, 2) for k, v in cpu.items()},
        "report_seconds": round(sum(wall.values()), 2),
        "report_cpu_seconds": round(sum(cpu.values()), 2),
        "load_average_1min_after": round(os.getloadavg()[0], 1),
        "cores": os.cpu_count(),
        **sizes,
        "peak_rss_mib": peak_rss_mib(),
    }


def run_quality_bench(students: int, engines: list[str]) -> dict:
    from reports import run_quality

    rng = np.random.default_rng(5)
    n_schools = max(students // STUDENTS_PER_SCHOOL, 1)
    school = rng.integers(0, n_schools, students)
    codes = rng.integers(10**9, 10**10, students).astype(str).astype(object)
    codes[rng.random(students) < 0.01] = None
    frame = pl.DataFrame(
        {
            "record_id": [f"smas:{s}:{i}" for i, s in enumerate(school)],
            "source": "smas",
            "snapshot_id": school + 2,
            "school_code": [f"79{s:06d}" for s in school],
            "local_id": [str(i) for i in range(students)],
            "moet_code": list(codes),
            "personal_id": None,
            "family_name": rng.choice(FAMILY, students),
            "middle_name": rng.choice(MIDDLE, students),
            "given_name": rng.choice(GIVEN, students),
            "full_name": "x",
            "dob": [
                dt.date(2010, 1, 1) + dt.timedelta(days=int(d))
                for d in rng.integers(0, 3000, students)
            ],
            "gender": rng.choice(["M", "F"], students),
            "school_year": "2025-2026",
            "grade": rng.integers(1, 13, students),
            "class_name": "6A",
            "status": "studying",
        },
        schema_overrides={"personal_id": pl.String, "moet_code": pl.String},
    )
    out = {"part": "quality", "students": students, "snapshots": n_schools}
    if "gx" in engines:  # GX's import alone takes seconds: measured apart from the validation
        t = time.perf_counter()
        import great_expectations  # noqa: F401

        out["gx_import_seconds"] = round(time.perf_counter() - t, 2)
    for engine in engines:
        t = time.perf_counter()
        result = run_quality(frame, "smas", evaluator=engine)
        out[f"{engine}_seconds"] = round(time.perf_counter() - t, 2)
        out[f"{engine}_failed_outcomes"] = len(result.failures)
    out["peak_rss_mib"] = peak_rss_mib()
    return out


def main(sizes: list[int], gx_sizes: list[int] | None = None) -> None:
    runs = []
    for n in sizes:
        run = measure("bench.bench_reports", "--child-report", str(n))
        if n >= 1_000_000:
            run["meets_target"] = run["report_seconds"] < TARGET_SECONDS_1M
        runs.append(run)
        engines = "columnar,gx" if n in (gx_sizes or []) else "columnar"
        runs.append(measure("bench.bench_reports", "--child-quality", str(n), engines))
    print(json.dumps({"benchmark": "night report + worklists; quality", "runs": runs}, indent=2))


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--child-report":
        workers = int(args[2]) if len(args) > 2 else None
        print(json.dumps(run_report(int(args[1]), workers)))
    elif args and args[0] == "--child-quality":
        print(json.dumps(run_quality_bench(int(args[1]), args[2].split(","))))
    else:
        gx = [int(a) for a in args[args.index("--gx") + 1 :]] if "--gx" in args else []
        plain = [int(a) for a in args if a != "--gx" and int(a) not in gx] + gx
        main(plain or [100_000, 1_000_000], gx)
