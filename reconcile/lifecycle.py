"""Conflicts across nights: one row per conflict id, a status, and an append-only audit trail.

Each night the conflict rules produce a frame (the columns of
``reconcile.conflicts.base.CONFLICT_COLUMNS``); :func:`merge_night` folds it into the ``conflict``
table:

=====================  ======================  ============================================
before tonight         seen tonight            not seen tonight (and within what was checked)
=====================  ======================  ============================================
(unknown)              ``new``                 —
new / persisting       ``persisting``          ``resolved`` (``resolved_on`` = night)
reopened               ``persisting``          ``resolved``
acknowledged           ``acknowledged``        ``resolved``
resolved               ``reopened``            ``resolved`` (unchanged)
=====================  ======================  ============================================

A human decision wins: an acknowledged conflict stays acknowledged, with who and why, for as long
as it persists. A conflict whose id changes while the problem does not (the recipe of its
stable key changed: the school joined the key of a vendor record) keeps its history: when a
new id and a vanished open one are the only two of their kind with the same type, school and
records (a record named by source and local id, whatever the snapshot), the new id takes over
the old one's first night, status and acknowledgement, the old row goes, and an audit event
``conflict.renamed`` says so. When a resolved conflict comes back it is ``reopened`` and needs
attention again (the old acknowledgement stays in the audit trail). ``first_seen`` never
changes. Re-running a night changes no status a second time. Every status change and every
acknowledgement is an ``audit_event`` row; rows are only ever appended.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine, bindparam, select, update

from doisoat import store
from doisoat.errors import ReconcileError
from doisoat.model import OPEN_CONFLICT_STATUSES, AuditEvent, Conflict
from doisoat.store import queries
from reconcile.messages import LIFECYCLE_VI

OPEN = OPEN_CONFLICT_STATUSES
CONTENT = (
    "type",
    "severity",
    "school_code",
    "record_ids",
    "evidence",
    "suggested_fix",
    "message_vi",
)
SYSTEM_ACTOR = "doisoat"


_conflict = Conflict.__table__
_audit = AuditEvent.__table__


@dataclass(frozen=True)
class NightSummary:
    """How tonight changed the conflict table (counts of conflicts by status reached)."""

    night: dt.date
    new: int = 0
    persisting: int = 0
    acknowledged: int = 0
    reopened: int = 0
    resolved: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "night": self.night.isoformat()}


def _utc(at: dt.datetime | None) -> dt.datetime:
    """Audit times are aware UTC (the table's type insists); a naive time is taken as UTC."""
    if at is None:
        return dt.datetime.now(dt.UTC)
    return at.replace(tzinfo=dt.UTC) if at.utcoffset() is None else at.astimezone(dt.UTC)


def _date_vi(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def _tonight(conflicts: pl.DataFrame) -> pl.DataFrame:
    """Tonight's frame with record ids as the JSON text the table stores."""
    out = conflicts.unique(subset="conflict_id", keep="first", maintain_order=True)
    if out.schema.get("record_ids") != pl.Utf8:
        out = out.with_columns(
            pl.col("record_ids").map_elements(
                lambda ids: json.dumps(sorted(ids), ensure_ascii=False), return_dtype=pl.Utf8
            )
        )
    return out.select(*[pl.col(c) for c in ("conflict_id", *CONTENT)])


def _existing(conn: Connection) -> pl.DataFrame:
    schema = {
        "conflict_id": pl.Utf8,
        "type": pl.Utf8,
        "school_code": pl.Utf8,
        "status": pl.Utf8,
        "last_seen": pl.Date,
        "resolved_on": pl.Date,
        "first_seen": pl.Date,
        "record_ids": pl.Utf8,
        "acknowledged_by": pl.Utf8,
        "acknowledged_reason": pl.Utf8,
    }
    rows = conn.execute(select(*[_conflict.c[c] for c in schema])).fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")


def _problem(frame: pl.DataFrame) -> pl.Expr:
    """What a conflict is about, whatever its id: type, school and its records' names (source
    and local id; the snapshot in the middle of a record id changes every night)."""
    names = (
        pl.col("record_ids")
        .str.json_decode(pl.List(pl.Utf8))
        .list.eval(pl.element().str.replace(r"^([^:]*):[^:]*:", "${1}:"))
        .list.sort()
        .list.join("|")
    )
    return pl.concat_str(
        [pl.col("type"), pl.col("school_code").fill_null(""), names], separator="\x1f"
    ).alias("problem")


def _renamed(fresh: pl.DataFrame, vanished: pl.DataFrame) -> pl.DataFrame:
    """Pairs (new id, old row) of the same problem, where each side is alone of its kind."""
    if fresh.height == 0 or vanished.height == 0:
        return pl.DataFrame()
    new = fresh.select("conflict_id", _problem(fresh)).filter(pl.col("problem").is_unique())
    old = vanished.with_columns(_problem(vanished)).filter(pl.col("problem").is_unique())
    return new.rename({"conflict_id": "new_id"}).join(old, on="problem", how="inner")


def _transition(old: str, last_seen: dt.date, night: dt.date) -> str:
    if old == "resolved":
        return "reopened"
    if old == "acknowledged" or last_seen >= night:
        return old
    return "persisting"


def merge_night(
    engine: Engine,
    conflicts: pl.DataFrame,
    *,
    night: dt.date,
    run_id: int | None = None,
    checked_types: Iterable[str] | None = None,
    checked_schools: Iterable[str] | None = None,
    actor: str = SYSTEM_ACTOR,
    at: dt.datetime | None = None,
    connection: Connection | None = None,
) -> NightSummary:
    """Fold tonight's conflicts into the ``conflict`` table, all or nothing.

    ``connection``: a connection inside the caller's transaction (the nightly run commits the
    conflicts together with the identities and the run itself); otherwise its own transaction.

    ``checked_types`` / ``checked_schools`` say what tonight's run looked at: only open
    conflicts inside both can be resolved by their absence (a run that skipped the grade
    checks, or one school, must not resolve everyone else's conflicts). None = everything.
    """
    at = _utc(at)
    reason = LIFECYCLE_VI["NIGHT"].format(night=_date_vi(night))
    tonight = _tonight(conflicts)
    with nullcontext(connection) if connection is not None else engine.begin() as conn:
        existing = _existing(conn)
        last = existing["last_seen"].max()
        if last is not None and night < last:
            raise ReconcileError(
                f"night {night} is older than the last merged night {last}",
                message_vi=LIFECYCLE_VI["OUT_OF_ORDER"].format(
                    night=_date_vi(night), last=_date_vi(last)
                ),
            )
        status_of = {
            r[0]: (r[1], r[2])
            for r in existing.select("conflict_id", "status", "last_seen").iter_rows()
        }
        events: list[dict[str, Any]] = []

        def event(cid: str, before: str | None, after: str) -> None:
            events.append(
                {
                    "at": at,
                    "actor": actor,
                    "action": f"conflict.{after}",
                    "entity": "conflict",
                    "entity_id": cid,
                    "before": json.dumps({"status": before} if before else {}),
                    "after": json.dumps(
                        {"status": after, "night": night.isoformat(), "run_id": run_id}
                    ),
                    "reason": reason,
                }
            )

        fresh = tonight.filter(~pl.col("conflict_id").is_in(list(status_of)))
        vanished = _in_scope(
            existing.filter(
                pl.col("status").is_in(list(OPEN))
                & ~pl.col("conflict_id").is_in(tonight["conflict_id"].implode())
            ),
            checked_types,
            checked_schools,
        )
        renamed = _renamed(fresh, vanished)
        carried = _carry(renamed)
        if fresh.height:
            rows = fresh.join(carried, on="conflict_id", how="left").with_columns(
                pl.col("status").fill_null("new"),
                pl.col("first_seen").fill_null(night),
                pl.lit(night).alias("last_seen"),
                pl.lit(run_id, dtype=pl.Int64).alias("last_run_id"),
            )
            store.bulk_insert(engine, "conflict", rows, connection=conn)
            for cid in fresh["conflict_id"].to_list():
                if cid not in set(carried["conflict_id"].to_list()):
                    event(cid, None, "new")
        if renamed.height:
            conn.execute(
                _conflict.delete().where(
                    _conflict.c.conflict_id.in_(renamed["conflict_id"].to_list())
                )
            )
            for new_id, old_id, old_status, status in (
                renamed.join(carried.rename({"conflict_id": "new_id"}), on="new_id")
                .select("new_id", "conflict_id", pl.col("status"), pl.col("status_right"))
                .iter_rows()
            ):
                events.append(
                    {
                        "at": at,
                        "actor": actor,
                        "action": "conflict.renamed",
                        "entity": "conflict",
                        "entity_id": new_id,
                        "before": json.dumps({"conflict_id": old_id, "status": old_status}),
                        "after": json.dumps(
                            {
                                "conflict_id": new_id,
                                "status": status,
                                "night": night.isoformat(),
                                "run_id": run_id,
                            }
                        ),
                        "reason": reason,
                    }
                )

        counts = {
            "new": fresh.height - carried.height,
            "persisting": 0,
            "acknowledged": 0,
            "reopened": 0,
            "resolved": 0,
        }
        updates = []
        for row in tonight.filter(pl.col("conflict_id").is_in(list(status_of))).iter_rows(
            named=True
        ):
            old, last_seen = status_of[row["conflict_id"]]
            status = _transition(old, last_seen, night)
            counts[status] += 1
            change = {f"v_{c}": row[c] for c in CONTENT}
            change.update(
                cid=row["conflict_id"], v_status=status, v_last_seen=night, v_last_run_id=run_id
            )
            if status == "reopened":
                change.update(
                    v_resolved_on=None, v_acknowledged_by=None, v_acknowledged_reason=None
                )
            updates.append(change)
            if status != old:
                event(row["conflict_id"], old, status)
        _update_many(conn, updates)

        for status in carried["status"].to_list():
            counts[status] += 1
        taken_over = renamed["conflict_id"].to_list() if renamed.height else []
        gone = vanished.filter(~pl.col("conflict_id").is_in(taken_over))
        resolved = [
            {"cid": cid, "v_status": "resolved", "v_resolved_on": night}
            for cid in gone["conflict_id"].to_list()
        ]
        _update_many(conn, resolved)
        for cid, old in gone.select("conflict_id", "status").iter_rows():
            event(cid, old, "resolved")
        counts["resolved"] = len(resolved)
        if events:
            conn.execute(_audit.insert(), events)
    return NightSummary(night=night, **counts)


def _in_scope(
    conflicts: pl.DataFrame, types: Iterable[str] | None, schools: Iterable[str] | None
) -> pl.DataFrame:
    """The conflicts tonight's run looked at (None = everything)."""
    if types is not None:
        conflicts = conflicts.filter(pl.col("type").is_in(list(types)))
    if schools is not None:
        conflicts = conflicts.filter(pl.col("school_code").is_in(list(schools)))
    return conflicts


def _carry(renamed: pl.DataFrame) -> pl.DataFrame:
    """What a renamed conflict keeps: its first night, and its acknowledgement if it had one
    (any other open status goes on as ``persisting``)."""
    schema = {
        "conflict_id": pl.Utf8,
        "status": pl.Utf8,
        "first_seen": pl.Date,
        "acknowledged_by": pl.Utf8,
        "acknowledged_reason": pl.Utf8,
    }
    if renamed.height == 0:
        return pl.DataFrame(schema=schema)
    return renamed.select(
        pl.col("new_id").alias("conflict_id"),
        pl.when(pl.col("status") == "acknowledged")
        .then(pl.lit("acknowledged"))
        .otherwise(pl.lit("persisting"))
        .alias("status"),
        "first_seen",
        "acknowledged_by",
        "acknowledged_reason",
    ).cast(schema)


def _update_many(conn: Connection, changes: list[dict[str, Any]]) -> None:
    """One executemany per set of columns (rows that reopen also clear the acknowledgement)."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for change in changes:
        by_columns.setdefault(tuple(sorted(change)), []).append(change)
    for columns, rows in by_columns.items():
        values = {c.removeprefix("v_"): bindparam(c) for c in columns if c.startswith("v_")}
        statement = update(_conflict).where(_conflict.c.conflict_id == bindparam("cid"))
        conn.execute(statement.values(**values), rows)


def acknowledge(
    engine: Engine, conflict_id: str, who: str, why: str, *, at: dt.datetime | None = None
) -> None:
    """A person says they know about this conflict, and why it may stay; written to the audit
    trail. It stays acknowledged while it persists."""
    if not (who or "").strip() or not (why or "").strip():
        raise ReconcileError("acknowledging needs who and why", message_vi=LIFECYCLE_VI["WHO_WHY"])
    with engine.begin() as conn:
        row = conn.execute(
            select(
                _conflict.c.status,
                _conflict.c.resolved_on,
                _conflict.c.acknowledged_by,
                _conflict.c.acknowledged_reason,
            ).where(_conflict.c.conflict_id == conflict_id)
        ).first()
        if row is None:
            raise ReconcileError(
                f"unknown conflict {conflict_id}",
                message_vi=LIFECYCLE_VI["UNKNOWN"].format(conflict_id=conflict_id),
            )
        if row.status == "resolved":
            raise ReconcileError(
                f"conflict {conflict_id} is resolved",
                message_vi=LIFECYCLE_VI["RESOLVED"].format(
                    conflict_id=conflict_id, night=_date_vi(row.resolved_on)
                ),
            )
        conn.execute(
            update(_conflict)
            .where(_conflict.c.conflict_id == conflict_id)
            .values(
                status="acknowledged", acknowledged_by=who.strip(), acknowledged_reason=why.strip()
            )
        )
        conn.execute(
            _audit.insert().values(
                at=_utc(at),
                actor=who.strip(),
                action="conflict.acknowledged",
                entity="conflict",
                entity_id=conflict_id,
                before=json.dumps(
                    {
                        "status": row.status,
                        "acknowledged_by": row.acknowledged_by,
                        "acknowledged_reason": row.acknowledged_reason,
                    },
                    ensure_ascii=False,
                ),
                after=json.dumps(
                    {
                        "status": "acknowledged",
                        "acknowledged_by": who.strip(),
                        "acknowledged_reason": why.strip(),
                    },
                    ensure_ascii=False,
                ),
                reason=why.strip(),
            )
        )


def history(engine: Engine, conflict_id: str) -> pl.DataFrame:
    """Every audit event of a conflict, oldest first."""
    query = (
        select(_audit)
        .where((_audit.c.entity == "conflict") & (_audit.c.entity_id == conflict_id))
        .order_by(_audit.c.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).fetchall()
    schema = {c.name: pl.Utf8 for c in _audit.columns}
    schema.update(id=pl.Int64, at=pl.Datetime("us", "UTC"))
    return pl.DataFrame(rows, schema=schema, orient="row")


def read_conflicts(
    engine: Engine, *, statuses: Iterable[str] | None = None, school_code: str | None = None
) -> pl.DataFrame:
    """The conflict table (optionally only some statuses, or one school's), as a frame."""
    return queries.conflicts_with(engine, statuses=statuses, school_code=school_code)
