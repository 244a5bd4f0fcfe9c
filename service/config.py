"""Settings of a district's installation: where things are, and the school calendar.

Read from environment variables and, when present, a ``doisoat.toml`` in the working directory
(or the file named by ``DOISOAT_CONFIG``). Every value has a default that works for the demo.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from doisoat.errors import ConfigError
from doisoat.vn.calendar import SchoolCalendar


@dataclass(frozen=True)
class Settings:
    inbox: tuple[Path, ...] = ()
    reports_dir: Path = Path("var") / "reports"
    transfer_grace_days: int = 15
    sync_deadline_days: int = 7
    lock_grace_days: int = 7
    incremental_identities: bool = True  # re-match only new or changed records
    calendars: dict[str, SchoolCalendar] = field(default_factory=dict)

    def calendar_for(self, night: dt.date) -> SchoolCalendar:
        """The configured calendar of the school year ``night`` belongs to, else the usual one."""
        usual = SchoolCalendar.usual(night)
        return self.calendars.get(usual.school_year, usual)


def load_settings(path: Path | None = None) -> Settings:
    path = path or Path(os.environ.get("DOISOAT_CONFIG", "doisoat.toml"))
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"cannot read {path}: {exc}",
            message_vi=f"Không đọc được tệp cấu hình «{path}»: {exc}",
        ) from exc
    nightly = data.get("nightly", {})
    calendars = {}
    for year, dates in data.get("calendar", {}).items():
        try:
            calendars[year] = SchoolCalendar(year, dates["term1_end"], dates["year_end"])
        except KeyError as exc:
            raise ConfigError(
                f"calendar {year} lacks {exc}",
                message_vi=f"Lịch năm học {year} thiếu mục {exc} trong «{path}».",
            ) from exc
    return Settings(
        inbox=tuple(Path(p) for p in nightly.get("inbox", ())),
        reports_dir=Path(nightly.get("reports_dir", Settings.reports_dir)),
        transfer_grace_days=int(nightly.get("transfer_grace_days", 15)),
        sync_deadline_days=int(nightly.get("sync_deadline_days", 7)),
        lock_grace_days=int(nightly.get("lock_grace_days", 7)),
        incremental_identities=bool(nightly.get("incremental_identities", True)),
        calendars=calendars,
    )
