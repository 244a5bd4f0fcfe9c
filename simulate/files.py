"""Write a simulated district to a folder: canonical tables and ground truth as Parquet."""

from __future__ import annotations

import json
from pathlib import Path

from simulate.district import District


def write_parquet(district: District, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    tables = {
        "schools": district.schools,
        "snapshots": district.snapshots,
        "records": district.records,
        "persons": district.persons,
        "problems": district.problems,
    }
    if district.relations.height:  # the hard simulation's twins, siblings and namesakes
        tables["relations"] = district.relations
    for name, frame in tables.items():
        path = out / f"{name}.parquet"
        frame.write_parquet(path)
        written.append(path)
    for i, (subjects, terms) in enumerate(district.result_chunks()):
        for name, frame in (("subject_results", subjects), ("term_results", terms)):
            folder = out / name
            folder.mkdir(exist_ok=True)
            path = folder / f"part-{i:05d}.parquet"
            frame.write_parquet(path)
            written.append(path)
    meta = {
        "seed": district.seed,
        "night": str(district.night),
        "school_year": district.school_year,
    }
    (out / "district.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2))
    return written
