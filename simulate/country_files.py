"""Write a simulated country as Parquet partitioned by province (the layout of
:mod:`simulate.country`), one province at a time."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import polars as pl

from simulate.country import ProvinceFrames, simulate_country
from simulate.crossings import CROSS_RATES
from simulate.generate import DEFAULT_NIGHT, school_calendar

LAYOUT_VERSION = 1
DATASETS = {
    "records": "student records, canonical columns (source = moet: the registry)",
    "schools": "the province's schools: code, name, level, vendor, snapshot_id",
    "truth": "record_id -> person_id (the true person; one id across provinces)",
    "problems": "every injected problem: problem, record_id, other_record_id, person_id, "
    "school_code, detail (JSON), cross_province",
    "relations": "--hard only: person_id, relation (twin, sibling, namesake), of_person_id",
}


def partition(root: Path, dataset: str, province: str) -> Path:
    """``<root>/<dataset>/province=<PP>``: the folder of one province's part of a dataset."""
    return root / dataset / f"province={province}"


def write_part(frame: pl.DataFrame, root: Path, dataset: str, province: str, part: int = 0) -> Path:
    folder = partition(root, dataset, province)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"part-{part:05d}.parquet"
    frame.write_parquet(path, compression="zstd", statistics=True)
    return path


def write_country(
    out: Path,
    students: int,
    seed: int = 1,
    night: dt.date | None = None,
    *,
    hard: bool = False,
    progress: Callable[[ProvinceFrames], None] | None = None,
) -> dict:
    """Simulate a country and write it under ``out``; returns the manifest (also written).

    The datasets of an earlier country in ``out`` are replaced, not mixed with this one."""
    night = night or DEFAULT_NIGHT
    for dataset in DATASETS:
        shutil.rmtree(out / dataset, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    provinces = []
    cases: Counter[str] = Counter()
    for frames in simulate_country(students, seed, night, hard=hard):
        write_part(frames.records, out, "records", frames.code)
        write_part(frames.schools.drop("weight", strict=False), out, "schools", frames.code)
        write_part(frames.truth, out, "truth", frames.code)
        write_part(frames.problems, out, "problems", frames.code)
        if frames.relations.height:
            write_part(frames.relations, out, "relations", frames.code)
        provinces.append(frames.summary())
        cases.update(frames.problems.filter(pl.col("cross_province"))["problem"].to_list())
        if progress is not None:
            progress(frames)
    manifest = {
        "layout": LAYOUT_VERSION,
        "kind": "simulated",
        "seed": seed,
        "hard": hard,
        "night": night.isoformat(),
        "school_year": str(school_calendar(night)["school_year"]),
        "students": sum(p["students"] for p in provinces),
        "records": sum(p["records"] for p in provinces),
        "provinces": provinces,
        "cross_province_rates": CROSS_RATES,
        "cross_province_cases": dict(sorted(cases.items())),
        "datasets": {k: v for k, v in DATASETS.items() if (out / k).exists()},
        "partition": "province=<2-digit code of the 2025 province, text>",
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest
