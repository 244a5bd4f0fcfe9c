"""A small simulated district after one night, for the command-line tests (SQLite, by URL: the
commands open the store themselves, as a user's shell would)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from doisoat import store
from service.config import Settings
from service.night.pipeline import run_nightly
from simulate import generate
from simulate.exports import write_district
from simulate.load import load_school_directory


@dataclass(frozen=True)
class NightStore:
    url: str
    folder: Path
    exports: Path
    night: dt.date
    schools: dict[str, str]  # code -> name


def district_store(folder: Path, *, students: int = 600, seed: int = 31, run: bool = True
                   ) -> NightStore:  # fmt: skip
    """The district's exports written and its school directory loaded; with ``run``, its first
    night reconciled (report under ``folder/reports``)."""
    district = generate(students, seed=seed)
    exports = folder / "exports"
    write_district(district, exports)
    url = f"sqlite:///{folder / 'store.db'}"
    engine = store.open_store(url)
    load_school_directory(engine, district)
    if run:
        settings = Settings(reports_dir=folder / "reports")
        outcome = run_nightly(engine, night=district.night, settings=settings, inbox=[exports])
        assert outcome.status == "committed"
    schools = dict(district.schools.select("school_code", "name").iter_rows())
    engine.dispose()
    return NightStore(url, folder, exports, district.night, schools)
