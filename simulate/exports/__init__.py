"""Write a simulated district as the files its schools and the registry really produce.

``write_district(district, out_dir)`` writes each school's exports in its vendor's format
(SMAS .xlsx, vnEdu .xls, Vietschool .csv, Quảng Ích .xml) and the school's registry list
(CSDL ngành .xlsx/.xls) into ``out_dir/<school_code>/``, so that every connector can be tested
end to end: simulate → export → import → compare with the ground truth.
"""

from __future__ import annotations

from pathlib import Path

from simulate.district import District
from simulate.exports import moet, quangich, smas, vietschool, vnedu
from simulate.exports.common import SchoolSlice, school_slices

WRITERS = {"smas": smas.write, "vnedu": vnedu.write, "vietschool": vietschool.write,
           "quangich": quangich.write}

__all__ = ["WRITERS", "write_district", "write_school"]


def write_school(part: SchoolSlice, out_dir: Path, *, registry: bool = True) -> list[Path]:
    folder = Path(out_dir) / part.code
    folder.mkdir(parents=True, exist_ok=True)
    written = WRITERS[part.vendor](part, folder)
    paths = list(written) if isinstance(written, list) else [written]
    if registry:
        path = moet.write(part, folder)
        if path is not None:
            paths.append(path)
    return paths


def write_district(district: District, out_dir: str | Path, *, grades: bool = True,
                   registry: bool = True) -> list[Path]:
    """Every school's vendor exports and registry list; returns the files written."""
    paths: list[Path] = []
    for part in school_slices(district, with_grades=grades):
        paths.extend(write_school(part, Path(out_dir), registry=registry))
    return paths
