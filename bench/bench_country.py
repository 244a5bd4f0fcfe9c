"""The national run on Spark at N students: seconds per stage, peak memory, pairs, accuracy.

    python -m bench.bench_country --students 1000000 [--master local[2]] [--single]
        [--data DIR] [--out DIR] [--seed 1]

Prints one JSON object. A simulated country is written first under ``--data`` (reused when its
manifest already says N students and the seed); then ``run_country`` runs as ``doisoat country``
does (models estimated on Spark). Memory is sampled from ``/proc`` every half second: this
process (the driver's Python), the JVM (in local mode: driver and executors in one process) and
the Python workers Spark starts (their sum at the peak, and the largest one). ``--single`` puts
the single-machine run (``service.country.run_single``) beside it, in a child process, so its
peak memory is its own. Accuracy: vendor→registry links against the truth (precision, recall),
and each conflict type's recall of the injected problems, cross-province ones apart.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import polars as pl

MIB = 1024 * 1024
PAGE = os.sysconf("SC_PAGE_SIZE")


TICK = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, str, int, float]]:
    """pid → (parent pid, command name, resident bytes, CPU seconds) of every process we can
    read."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                stat = handle.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        cpu = (int(fields[11]) + int(fields[12])) / TICK
        out[int(entry)] = (int(fields[1]), name, int(fields[21]) * PAGE, cpu)
    return out


def local_dirs(root: Path) -> set[Path]:
    """Spark's scratch folders (shuffle files, blocks spilled to disk) under its local dir."""
    return {*root.glob("blockmgr-*"), *root.glob("spark-*")}


def disk_bytes(folders: set[Path]) -> int:
    total = 0
    for folder in folders:
        for path, _, files in os.walk(folder):
            for name in files:
                try:
                    total += os.lstat(os.path.join(path, name)).st_size
                except OSError:  # deleted while counted
                    pass
    return total


class MemorySampler(threading.Thread):
    """Peak RSS of this process, its JVM and its Python workers (all descendants), and of the
    bytes in Spark's local dir (every ``disk_every`` seconds: the shuffle files a run keeps)."""

    def __init__(self, every: float = 0.5, disk_every: float = 10.0) -> None:
        super().__init__(daemon=True)
        self.every = every
        self.disk_every = disk_every
        self.local_dir = Path(tempfile.gettempdir())  # Spark's spark.local.dir unless set
        self.before = local_dirs(self.local_dir)  # other runs' folders are not this run's
        self.disk = 0
        self.peaks = {"driver_python": 0, "jvm": 0, "python_workers": 0, "largest_worker": 0}
        self.peaks["total"] = 0
        self.peaks["spark_local_disk"] = 0
        self._halt = threading.Event()
        self.cpu: dict[int, float] = {}  # pid → CPU seconds, the last seen

    def run(self) -> None:
        me = os.getpid()
        disk_at = 0.0
        while not self._halt.is_set():
            if time.monotonic() - disk_at >= self.disk_every:
                disk_at = time.monotonic()
                self.disk = disk_bytes(local_dirs(self.local_dir) - self.before)
                self.peaks["spark_local_disk"] = max(self.peaks["spark_local_disk"], self.disk)
            procs = _processes()
            mine = {me}
            for _ in range(6):  # descendants, a few generations deep
                mine |= {pid for pid, (parent, *_) in procs.items() if parent in mine}
            for pid in mine & procs.keys():
                self.cpu[pid] = max(self.cpu.get(pid, 0.0), procs[pid][3])
            jvm = sum(procs[p][2] for p in mine if p in procs and procs[p][1] == "java")
            workers = [
                procs[p][2]
                for p in mine
                if p != me and p in procs and procs[p][1].startswith("python")
            ]
            driver = procs.get(me, (0, "", 0, 0.0))[2]
            sample = {
                "driver_python": driver,
                "jvm": jvm,
                "python_workers": sum(workers),
                "largest_worker": max(workers, default=0),
                "total": driver + jvm + sum(workers),
            }
            for key, value in sample.items():
                self.peaks[key] = max(self.peaks[key], value)
            self._halt.wait(self.every)

    def stop(self) -> dict[str, float]:
        self._halt.set()
        self.join()
        out: dict[str, float] = {f"{k}_mib": round(v / MIB, 1) for k, v in self.peaks.items()}
        # CPU seconds of every process of the run: what a loaded or a bigger machine must pay
        out["cpu_seconds"] = round(sum(self.cpu.values()), 1)
        return out


def ensure_country(data: Path, students: int, seed: int) -> dict[str, Any]:
    from simulate.country_files import write_country

    manifest = data / "manifest.json"
    if manifest.exists():
        known = json.loads(manifest.read_text(encoding="utf-8"))
        if known.get("seed") == seed and known.get("requested") == students:
            return {"reused": True, "seconds": 0.0}
    started = time.perf_counter()
    written = write_country(data, students, seed=seed)
    written["requested"] = students
    manifest.write_text(json.dumps(written, ensure_ascii=False, indent=2), encoding="utf-8")
    return {"reused": False, "seconds": round(time.perf_counter() - started, 2)}


def _read(folder: Path) -> pl.DataFrame:
    return pl.read_parquet(
        str(folder / "province=*" / "*.parquet"),
        hive_partitioning=True,
        hive_schema={"province": pl.String},
    )


def accuracy(data: Path, out: Path) -> dict[str, Any]:
    """Links and conflicts of the run against the simulated truth."""
    from reconcile.conflicts.identity import IDENTITY_TYPES
    from reconcile.evaluate import link_accuracy

    national = {*IDENTITY_TYPES, "DUAL_ENROLLMENT", "TRANSFER_UNRECEIVED", "TRANSFER_CODE_CHANGED"}

    truth = _read(data / "truth")
    records = _read(data / "records").select("record_id", "source")
    links = _read(out / "links").filter(
        (pl.col("kind") == "vendor_registry") & (pl.col("decision") == "match")
    )
    registry = records.filter(pl.col("source") == "moet")["record_id"]
    vendor = records.filter(pl.col("source") != "moet")["record_id"]
    result: dict[str, Any] = {"links": link_accuracy(links, truth, vendor, registry)}
    problems = _read(data / "problems")
    conflicts = _read(out / "conflicts").select("type", "record_ids").explode("record_ids")
    recall: dict[str, Any] = {}
    for (kind, cross), told in problems.group_by("problem", "cross_province"):
        found = conflicts.filter(pl.col("type") == kind)
        if kind not in national or told.height == 0:
            continue  # not a rule of the national run (grades, text repair, sync) or no conflict
        hit = told.join(found, left_on="record_id", right_on="record_ids", how="semi").height
        where = "cross_province" if cross else "within_province"
        recall.setdefault(kind, {})[where] = {"truth": told.height, "found": hit}
    result["conflict_recall"] = dict(sorted(recall.items()))
    return result


def single_in_child(data: Path) -> dict[str, Any]:
    """The single-machine run in a fresh process (its own peak memory)."""
    import subprocess

    code = (
        "import json, resource, time\n"
        "from pathlib import Path\n"
        "from service.country import run_single_from\n"
        "t = time.perf_counter()\n"
        f"r = run_single_from(Path({str(data)!r}))\n"
        "print(json.dumps({'seconds': {k: round(v, 2) for k, v in r.seconds.items()},"
        " 'total_seconds': round(time.perf_counter() - t, 2),"
        " 'candidate_pairs': r.links.stats.get('candidate_pairs'),"
        " 'registry_candidate_pairs': r.registry_links.stats.get('candidate_pairs'),"
        " 'conflicts': r.conflicts.height,"
        " 'peak_rss_mib': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"failed": proc.stderr[-2000:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


class _Stopped(Exception):
    """``--until``: the stage asked for has ended."""


def longest_tasks(spark: Any, top: int = 5) -> list[dict[str, Any]]:
    """The stages whose longest task ran longest, from the web UI's REST API (skew shows as a
    task far longer than its stage's median)."""
    import urllib.request

    base = f"{spark.sparkContext.uiWebUrl}/api/v1/applications/{spark.sparkContext.applicationId}"

    def get(path: str) -> Any:
        with urllib.request.urlopen(base + path, timeout=30) as response:
            return json.loads(response.read())

    found = []
    for stage in get("/stages?status=complete"):
        where = f"/stages/{stage['stageId']}/{stage['attemptId']}"
        summary = get(where + "/taskSummary?quantiles=0.5,1.0")
        found.append(
            {
                "stage": stage["stageId"],
                "name": stage.get("description") or stage["name"],
                "tasks": stage["numTasks"],
                "task_seconds_median": round(summary["duration"][0] / 1000, 2),
                "task_seconds_max": round(summary["duration"][1] / 1000, 2),
                "input_records_max": summary.get("inputMetrics", {}).get("recordsRead", [0, 0])[1],
            }
        )
    return sorted(found, key=lambda s: -s["task_seconds_max"])[:top]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    # local mode: the driver's JVM is the executors too; 8 GiB from 500 k students on
    parser.add_argument("--driver-memory", default=None)
    parser.add_argument("--shuffle-partitions", type=int, default=None)
    parser.add_argument("--single", action="store_true", help="also the single-machine run")
    parser.add_argument(
        "--until", default=None, help="stop after this stage ends (e.g. link.comparing)"
    )
    parser.add_argument(
        "--task-times", action="store_true", help="the web UI on: the longest tasks of the run"
    )
    args = parser.parse_args(argv)
    base = Path("var/bench/country") / str(args.students)
    data = args.data or base / "data"
    out = args.out or base / "out"

    from reconcile.spark import spark_session
    from service.country import run_country

    made = ensure_country(data, args.students, args.seed)
    sampler = MemorySampler()
    sampler.start()
    started = time.perf_counter()
    spark = spark_session(
        args.master,
        app_name="doisoat-bench-country",
        driver_memory=args.driver_memory or ("8g" if args.students >= 500_000 else "4g"),
        # one partition per ~25 k students (2 on a test-sized country, 40 at 1 M): few enough
        # that a small run is not all task start-ups, enough that a large one's tasks fit memory
        shuffle_partitions=args.shuffle_partitions or max(2, min(400, args.students // 25_000)),
        conf={"spark.ui.enabled": "true"} if args.task_times else None,
    )
    session_seconds = round(time.perf_counter() - started, 2)
    sub: dict[str, Any] = {}

    blocking: dict[str, Any] = {}

    def progress(stage: str, info: dict[str, Any]) -> None:
        if "seconds" in info and "." in stage:
            sub[stage] = info["seconds"]
        if "blocking" in info:
            blocking[stage] = info["blocking"]
        if info.get("event") == "start":  # names the stage's jobs in the UI (--task-times)
            spark.sparkContext.setJobDescription(stage)
        info = {**info, "spark_local_mib": round(sampler.disk / MIB)}
        print(stage, json.dumps(info, default=str), file=sys.stderr, flush=True)
        if args.task_times and "." not in stage and "seconds" in info:
            # read as each stage ends, so a run that fails later keeps them
            tasks = longest_tasks(spark)
            print("longest_tasks", json.dumps(tasks), file=sys.stderr, flush=True)
        if stage == args.until and "seconds" in info:
            raise _Stopped(stage)

    try:
        run = run_country(spark, data, out, progress=progress)
    except _Stopped:
        run = None
    finally:
        tasks = longest_tasks(spark) if args.task_times else None
        spark.stop()
    memory = sampler.stop()
    if run is None:  # a partial run: what the stages said until then
        partial = {
            "students": args.students,
            "master": args.master,
            "simulate": made,
            "until": args.until,
            "seconds_until": round(time.perf_counter() - started, 2),
            "executor_seconds": sub,
            "resources": memory,
            "blocking": blocking,
            "longest_tasks": tasks,
        }
        print(json.dumps(partial, ensure_ascii=False, default=str))
        return partial
    summary = run.summary
    result: dict[str, Any] = {
        "students": args.students,
        "records": summary["records"]["total"],
        "master": args.master,
        "cores": os.cpu_count(),
        "simulate": made,
        "session_seconds": session_seconds,
        "seconds": summary["seconds"],
        "executor_seconds": sub,
        "resources": memory,  # peak RSS per process kind, CPU seconds of all
        "candidate_pairs": {
            "link": summary["linkage"]["link"].get("candidate_pairs"),
            "registry": summary["linkage"]["registry"].get("candidate_pairs"),
        },
        "worst_block": {
            "link": summary["linkage"]["link"].get("worst_block"),
            "registry": summary["linkage"]["registry"].get("worst_block"),
        },
        "joining_edges": summary["linkage"]["joining_edges"],
        "identities": summary["identities"],
        "conflicts": summary["conflicts"]["total"],
        "cross_province_conflicts": summary["conflicts"]["cross_province"],
        "accuracy": accuracy(data, out),
        "longest_tasks": tasks,
    }
    if args.single:
        result["single_machine"] = single_in_child(data)
    print(json.dumps(result, ensure_ascii=False, default=str))
    return result


if __name__ == "__main__":
    main()
