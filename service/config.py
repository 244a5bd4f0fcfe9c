"""Settings of a district's installation: where things are, and the school calendar.

Read from environment variables and, when present, a ``doisoat.toml`` in the working directory
(or the file named by ``DOISOAT_CONFIG``). Every value has a default that works for the demo;
``doisoat.example.toml`` at the repository's root shows and explains each one.

A setting misspelt or of the wrong kind is refused with the file and the key named, rather than
ignored: a ``transfer_grace_day = 30`` that silently kept the default 15 would raise conflicts
the district thought it had relaxed.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from doisoat.errors import ConfigError
from doisoat.vn.calendar import SchoolCalendar

_NIGHTLY_INTS = ("transfer_grace_days", "sync_deadline_days", "lock_grace_days")
_NIGHTLY_KEYS = frozenset({"inbox", "reports_dir", "incremental_identities", *_NIGHTLY_INTS})
_CALENDAR_KEYS = frozenset({"term1_end", "year_end"})
_SERVER_KEYS = frozenset({"public_url"})


@dataclass(frozen=True)
class Settings:
    inbox: tuple[Path, ...] = ()
    reports_dir: Path = Path("var") / "reports"
    transfer_grace_days: int = 15
    sync_deadline_days: int = 7
    lock_grace_days: int = 7
    incremental_identities: bool = True  # re-match only new or changed records
    calendars: dict[str, SchoolCalendar] = field(default_factory=dict)
    # The service's address as the public reaches it: a transcript's QR code links to its
    # /verify page. Empty: the code holds the bare payload (offline issuing stays valid).
    public_url: str = ""

    def calendar_for(self, night: dt.date) -> SchoolCalendar:
        """The configured calendar of the school year ``night`` belongs to, else the usual one."""
        usual = SchoolCalendar.usual(night)
        return self.calendars.get(usual.school_year, usual)


def config_path() -> Path:
    """The settings file: ``DOISOAT_CONFIG``, else ``doisoat.toml`` in the working directory."""
    return Path(os.environ.get("DOISOAT_CONFIG", "doisoat.toml"))


def load_settings(path: Path | None = None) -> Settings:
    path = path or config_path()
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"cannot read {path}: {exc}",
            message_vi=f"Không đọc được tệp cấu hình «{path}»: {exc}",
        ) from exc
    _known(path, "", data, {"nightly", "calendar", "server"})
    server = _table(path, "server", data.get("server", {}))
    _known(path, "server", server, _SERVER_KEYS)
    public_url = server.get("public_url", "")
    _expect(path, "server.public_url", public_url, str, "địa chỉ http(s)://…")
    if public_url and not public_url.startswith(("https://", "http://")):
        raise ConfigError(
            f"server.public_url in {path} must start with https:// or http://",
            message_vi=(
                f"Mục 'server.public_url' trong «{path}» phải là địa chỉ bắt đầu bằng https:// "
                f"(hoặc http://), không phải «{public_url}»."
            ),
        )
    nightly = _table(path, "nightly", data.get("nightly", {}))
    _known(path, "nightly", nightly, _NIGHTLY_KEYS)
    calendars = {}
    for year, dates in _table(path, "calendar", data.get("calendar", {})).items():
        dates = _table(path, f'calendar."{year}"', dates)
        _known(path, f'calendar."{year}"', dates, _CALENDAR_KEYS)
        missing = sorted(_CALENDAR_KEYS - set(dates))
        if missing:
            raise ConfigError(
                f"calendar {year} lacks {missing[0]}",
                message_vi=f"Lịch năm học {year} thiếu mục '{missing[0]}' trong «{path}».",
            )
        for key in sorted(_CALENDAR_KEYS):
            _expect(path, f'calendar."{year}".{key}', dates[key], dt.date, "ngày (yyyy-mm-dd)")
        calendars[year] = SchoolCalendar(year, dates["term1_end"], dates["year_end"])
    inbox = nightly.get("inbox", [])
    _expect(path, "nightly.inbox", inbox, list, "danh sách đường dẫn")
    for key in _NIGHTLY_INTS:
        if key in nightly:
            _expect(path, f"nightly.{key}", nightly[key], int, "số nguyên")
    if "incremental_identities" in nightly:
        _expect(path, "nightly.incremental_identities", nightly["incremental_identities"], bool,
                "true hoặc false")  # fmt: skip
    if "reports_dir" in nightly:
        _expect(path, "nightly.reports_dir", nightly["reports_dir"], str, "đường dẫn")
    return Settings(
        inbox=tuple(Path(p) for p in inbox),
        reports_dir=Path(nightly.get("reports_dir", Settings.reports_dir)),
        transfer_grace_days=nightly.get("transfer_grace_days", 15),
        sync_deadline_days=nightly.get("sync_deadline_days", 7),
        lock_grace_days=nightly.get("lock_grace_days", 7),
        incremental_identities=nightly.get("incremental_identities", True),
        calendars=calendars,
        public_url=public_url.rstrip("/"),
    )


def _table(path: Path, name: str, value: Any) -> dict[str, Any]:
    _expect(path, name, value, dict, "bảng [" + name + "]")
    return value


def _known(path: Path, where: str, table: dict[str, Any], known: frozenset[str] | set[str]) -> None:
    unknown = sorted(set(table) - set(known))
    if unknown:
        name = f"{where}.{unknown[0]}" if where else unknown[0]
        raise ConfigError(
            f"unknown setting {name} in {path}",
            message_vi=(
                f"Mục cấu hình không có: '{name}' trong «{path}». Các mục được đọc: "
                f"{', '.join(sorted(known))} (xem doisoat.example.toml)."
            ),
        )


def _expect(path: Path, name: str, value: Any, kind: type, kind_vi: str) -> None:
    wrong_bool = kind is int and isinstance(value, bool)  # TOML true is not a number of days
    if not isinstance(value, kind) or wrong_bool:
        raise ConfigError(
            f"{name} in {path} must be {kind.__name__}, not {value!r}",
            message_vi=f"Mục '{name}' trong «{path}» phải là {kind_vi}, không phải {value!r}.",
        )
