"""One module per source behind a small protocol: each declares what it reads.

A source names its profile (layout, aliases, API) and the kinds of data its exports carry; the
shared tabular reader and HTTP client do the loops, retries and pagination. Adding a vendor is a
profile plus a module like these, no change to the engine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import Engine

from connectors.http.pull import PullSummary, pull
from connectors.profile import Profile, profile_for
from connectors.reader import FileRead, read_export


@dataclass(frozen=True)
class Source:
    """What a source provides: its export formats, its data kinds, whether it has an API."""

    name: str
    label: str
    formats: tuple[str, ...]
    reads: tuple[str, ...]  # roster, transfers, subject_results, term_results
    has_api: bool

    @property
    def profile(self) -> Profile:
        return profile_for(self.name)

    def read(self, path: str | Path, *, night: dt.date | None = None) -> FileRead:
        """Read one of this source's export files (detection limited to this source)."""
        return read_export(path, night=night, source=self.name)

    def pull(self, *, engine: Engine, client: httpx.Client, night: dt.date,
             **options) -> PullSummary:
        if not self.has_api:
            raise NotImplementedError(f"{self.name} has no API")
        return pull(self.name, engine=engine, client=client, night=night, **options)


from connectors.sources import moet, quangich, smas, vietschool, vnedu  # noqa: E402

SOURCES: dict[str, Source] = {m.SOURCE.name: m.SOURCE
                              for m in (smas, vnedu, vietschool, quangich, moet)}

__all__ = ["SOURCES", "Source"]
