"""What ``doisoat nightly`` tells the person (or the scheduler's mail) after a night.

Why a standing read from the store rather than the run's own counters: a night whose inputs
were unchanged does not run again, yet whoever reads the mail still wants to know where the
district stands; and the per-type counts of new, open and resolved conflicts, the schools that
sent nothing and the date of their last export are the first things an officer acts on in the
morning. The JSON form (``--json``) keeps the codes, for programs; the words are Vietnamese.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine

from doisoat.conflict_types import label_of, type_rank
from doisoat.model import OPEN_CONFLICT_STATUSES, REGISTRY_SOURCE
from doisoat.store import queries
from service.cli.dates import format_date
from service.cli.messages import NIGHTLY, NIGHTLY_COLUMNS, NIGHTLY_STATUS


@dataclass(frozen=True)
class TypeCounts:
    """One conflict type on the night: new tonight, open after it, resolved by it."""

    type: str
    new: int
    open: int
    resolved: int


@dataclass(frozen=True)
class SilentSchool:
    """A school of the directory that sent no export for the night."""

    school_code: str
    name: str
    last_export: dt.date | None


@dataclass(frozen=True)
class NightStanding:
    night: dt.date
    by_type: list[TypeCounts] = field(default_factory=list)
    silent_schools: list[SilentSchool] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Codes and ISO dates, for programs."""
        return {
            "conflicts_by_type": {
                t.type: {"new": t.new, "open": t.open, "resolved": t.resolved}
                for t in self.by_type
            },
            "silent_schools": [
                {
                    "school_code": s.school_code,
                    "name": s.name,
                    "last_export": s.last_export.isoformat() if s.last_export else None,
                }
                for s in self.silent_schools
            ],
        }


def night_standing(engine: Engine, night: dt.date) -> NightStanding:
    """The conflicts of ``night`` by type and the schools that sent nothing for it."""
    return NightStanding(night, _by_type(engine, night), _silent_schools(engine, night))


def _by_type(engine: Engine, night: dt.date) -> list[TypeCounts]:
    conflicts = queries.conflicts_of_night(engine, night)
    if conflicts.height == 0:
        return []
    is_open = pl.col("status").is_in(list(OPEN_CONFLICT_STATUSES))
    counts = conflicts.group_by("type").agg(
        (is_open & (pl.col("first_seen") == night)).sum().alias("new"),
        is_open.sum().alias("open"),
        (pl.col("resolved_on") == night).fill_null(False).sum().alias("resolved"),
    )
    rows = [TypeCounts(r["type"], r["new"], r["open"], r["resolved"])
            for r in counts.iter_rows(named=True)]  # fmt: skip
    return sorted(rows, key=lambda t: (type_rank(t.type), t.type))


def _silent_schools(engine: Engine, night: dt.date) -> list[SilentSchool]:
    """Schools with no vendor snapshot of ``night``, with the night of their last one."""
    schools = queries.school_directory(engine, columns=["school_code", "name"])
    history = queries.snapshot_history(engine).filter(
        (pl.col("source") != REGISTRY_SOURCE) & pl.col("school_code").is_not_null()
    )
    tonight = set(history.filter(pl.col("night") == night)["school_code"].to_list())
    last = dict(
        history.filter(pl.col("night") <= night)
        .group_by("school_code")
        .agg(pl.col("night").max())
        .iter_rows()
    )
    return [
        SilentSchool(code, name, last.get(code))
        for code, name in sorted(schools.iter_rows())
        if code not in tonight
    ]


def render(outcome: dict[str, Any], standing: NightStanding) -> str:
    """The night in Vietnamese: what ran, the counts by type, the silent schools, the report."""
    lines = [
        NIGHTLY_STATUS[outcome["status"]].format(
            night=format_date(standing.night), run_id=outcome.get("run_id")
        )
    ]
    ingest = outcome.get("ingest")
    if ingest:
        files = ingest.get("files") or []
        status = [f.get("status") for f in files]
        lines.append(NIGHTLY["ingest"].format(
            files=len(files), loaded=status.count("loaded"), skipped=status.count("skipped"),
            refused=status.count("refused"), read=ingest.get("rows_read", 0),
            accepted=ingest.get("rows_accepted", 0),
            quarantined=ingest.get("rows_quarantined", 0),
        ))  # fmt: skip
    if outcome.get("excluded_snapshots"):
        lines.append(NIGHTLY["excluded"].format(count=len(outcome["excluded_snapshots"])))
    lines.append("")
    lines.extend(_type_table(standing.by_type))
    lines.append("")
    if standing.silent_schools:
        lines.append(NIGHTLY["silent"].format(count=len(standing.silent_schools)))
        for school in standing.silent_schools:
            last = format_date(school.last_export) if school.last_export else NIGHTLY["never"]
            lines.append(NIGHTLY["silent_school"].format(
                name=school.name, code=school.school_code, last=last
            ))  # fmt: skip
    else:
        lines.append(NIGHTLY["all_sent"])
    if outcome.get("report_dir"):
        lines.append(NIGHTLY["report"].format(path=Path(outcome["report_dir"]) / "report.html"))
    return "\n".join(lines)


def _type_table(by_type: list[TypeCounts]) -> list[str]:
    if not by_type:
        return [NIGHTLY["no_conflicts"]]
    head = NIGHTLY_COLUMNS
    labels = [label_of(t.type) for t in by_type]
    width = max(len(head[0]), *(len(label) for label in labels))
    numbers = [(t.new, t.open, t.resolved) for t in by_type]
    totals = tuple(sum(column) for column in zip(*numbers, strict=True))
    rows: list[tuple[str, ...]] = [head]
    rows += [(label, *map(str, n)) for label, n in zip(labels, numbers, strict=True)]
    rows.append((NIGHTLY["total"], *map(str, totals)))
    return [f"{r[0]:<{width}}  {r[1]:>6}  {r[2]:>9}  {r[3]:>14}" for r in rows]
