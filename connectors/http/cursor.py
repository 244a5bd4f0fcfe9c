"""What a pull remembers between pages and between runs (kept in the store's source_cursor
table by the snapshot writer, in the same transaction as the rows of the page it follows).

Between finished pulls: the ``since`` watermark. While a pull runs: where the next page is,
the rows read so far, and the snapshot each school's rows fill — a vendor's district holds
many schools, each numbering its students from HS0001, and the store keeps one snapshot per
source, school and night, so a resumed pull must go on filling the same snapshots.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class SchoolPart:
    """One school's snapshot in a running pull, and what went into it so far."""

    school_code: str | None
    snapshot_id: int
    rows_read: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0  # a student read again: the later answer replaced the earlier

    @property
    def rows_stored(self) -> int:
        return self.rows_read - self.rows_quarantined - self.rows_duplicate


@dataclass
class PullRun:
    """A pull under way."""

    page: str  # the paginator's position of the next page
    since: str | None
    max_updated: str | None
    schools: list[SchoolPart] = field(default_factory=list)
    pages_with_rows: int = 0
    visited: list[str] = field(default_factory=list)  # positions asked, to see a cursor loop
    attempt: int = 1  # the pass over the listing (a listing that moved is read again)
    rows_again: int = 0  # rows naming a student an earlier page of this pass named

    def part(self, school_code: str | None) -> SchoolPart | None:
        return next((p for p in self.schools if p.school_code == school_code), None)

    @property
    def rows_read(self) -> int:
        return sum(p.rows_read for p in self.schools)

    @property
    def rows_quarantined(self) -> int:
        return sum(p.rows_quarantined for p in self.schools)

    @property
    def rows_duplicate(self) -> int:
        return sum(p.rows_duplicate for p in self.schools)

    def state(self) -> dict[str, Any]:
        """The cursor saved after a page: the run, and the watermark it started from."""
        return {"since": self.since, "run": asdict(self)}

    @classmethod
    def of(cls, state: dict[str, Any]) -> PullRun | None:
        """The run a saved cursor holds; None when there is none, or when an older version
        saved it (one snapshot for the whole district): that run starts again from its first
        page, with the watermark it had started from."""
        run = state.get("run")
        if not isinstance(run, dict) or "schools" not in run:
            return None
        return cls(page=str(run["page"]), since=run.get("since"),
                   max_updated=run.get("max_updated"),
                   schools=[SchoolPart(**part) for part in run["schools"]],
                   pages_with_rows=int(run.get("pages_with_rows", 0)),
                   visited=[str(v) for v in run.get("visited", [])],
                   attempt=int(run.get("attempt", 1)),
                   rows_again=int(run.get("rows_again", 0)))


def finished(watermark: str | None) -> dict[str, Any]:
    """The cursor saved when a pull has read its last page."""
    return {"since": watermark}
