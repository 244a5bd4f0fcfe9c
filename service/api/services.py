"""What the routes and pages do, as plain functions of (engine, principal, arguments).

Every function that reads school data takes the :class:`Principal` and filters by
:meth:`Principal.school_scope` in SQL, so no route can forget it. Filters are bound parameters,
never text pasted into SQL.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, case, func, select, update

from doisoat.conflict_types import SEVERITY_ORDER
from doisoat.errors import BadRequest, NotFound, ReconcileError, StateConflict
from doisoat.model import (
    CONFLICT_STATUSES,
    OPEN_CONFLICT_STATUSES,
    REGISTRY_SOURCE,
    Conflict,
    Run,
    School,
    StudentRecord,
    UserAccount,
)
from service.api import audit, messages, redact
from service.api.auth import CAN_ACT_ON_CONFLICTS, Principal

SCHOOL_RE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
TYPE_RE = re.compile(r"^[A-Z_]{1,40}$")
COMPARED_FIELDS = (
    "source", "school_code", "local_id", "moet_code", "personal_id", "full_name", "dob",
    "gender", "ethnicity", "birthplace", "grade", "class_name", "status", "status_date",
    "transfer_school_code", "src_file", "src_row",
)  # fmt: skip

_conflict = Conflict.__table__
_run = Run.__table__
_school = School.__table__
_student = StudentRecord.__table__


def not_found(thing: str, id: object = "") -> NotFound:
    """``thing`` (a key of ``messages.THINGS``) does not exist or is not the caller's to see."""
    what = messages.THINGS[thing].format(id=id)
    return NotFound(f"{thing} {id} not found", message_vi=messages.error("not_found", what=what))


def bad_filter(field: str) -> BadRequest:
    return BadRequest(f"bad filter: {field}", message_vi=messages.error("bad_filter", field=field))


@dataclass(frozen=True)
class ConflictFilter:
    school: str | None = None
    type: str | None = None
    severity: str | None = None
    status: str | None = None  # a status, or "open" for every open status
    night: dt.date | None = None  # conflicts present that night
    limit: int = 50
    offset: int = 0

    def validate(self) -> None:
        checks = {
            "school": self.school is None or bool(SCHOOL_RE.match(self.school)),
            "type": self.type is None or bool(TYPE_RE.match(self.type)),
            "severity": self.severity is None or self.severity in SEVERITY_ORDER,
            "status": self.status is None
            or self.status == "open"
            or self.status in CONFLICT_STATUSES,
            "limit": 1 <= self.limit <= 500,
            "offset": 0 <= self.offset <= 10_000_000,
        }
        for field, ok in checks.items():
            if not ok:
                raise bad_filter(field)


def _loads(raw: str | None, default: Any) -> Any:
    try:
        return json.loads(raw) if raw else default
    except ValueError:
        return default


def conflict_out(row: Any, *, evidence: bool = True) -> dict[str, Any]:
    out = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
    out["record_ids"] = _loads(out.get("record_ids"), [])
    out["evidence"] = _loads(out.get("evidence"), {}) if evidence else {}
    return out


def _conflict_where(who: Principal, flt: ConflictFilter) -> list[Any]:
    flt.validate()
    school = who.school_scope(flt.school)
    where = []
    if school is not None:
        where.append(_conflict.c.school_code == school)
    if flt.type:
        where.append(_conflict.c.type == flt.type)
    if flt.severity:
        where.append(_conflict.c.severity == flt.severity)
    if flt.status == "open":
        where.append(_conflict.c.status.in_(OPEN_CONFLICT_STATUSES))
    elif flt.status:
        where.append(_conflict.c.status == flt.status)
    if flt.night:
        where.append(_conflict.c.first_seen <= flt.night)
        where.append(_conflict.c.last_seen >= flt.night)
    return where


def list_conflicts(
    engine: Engine, who: Principal, flt: ConflictFilter, *, evidence: bool = True
) -> tuple[list[dict[str, Any]], int]:
    """One page of conflicts (most severe first) and how many match in all. Pages that do not
    show the evidence skip parsing it (``evidence=False``)."""
    where = _conflict_where(who, flt)
    rank = case({s: i for i, s in enumerate(SEVERITY_ORDER)}, value=_conflict.c.severity, else_=9)
    query = (
        select(_conflict)
        .where(*where)
        .order_by(rank, _conflict.c.school_code, _conflict.c.type, _conflict.c.conflict_id)
        .limit(flt.limit)
        .offset(flt.offset)
    )
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(_conflict).where(*where)).scalar()
        rows = conn.execute(query).fetchall()
        items = _redacted(conn, who, [conflict_out(r, evidence=evidence) for r in rows])
    return items, int(total or 0)


def _redacted(conn: Any, who: Principal, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A list shows no more than a single conflict does: another school's records named in a
    row are left out, its students' details hidden (:mod:`service.api.redact`)."""
    if who.is_district:
        return items
    ids = sorted({str(i) for item in items for i in item["record_ids"]})
    if not ids:
        return items
    found = {r["record_id"]: r for r in _records(conn, ids)}
    out = []
    for item in items:
        mine = [found[str(i)] for i in item["record_ids"] if str(i) in found]
        hidden = [r for r in mine if not who.can_see(r["school_code"])]
        visible = [r for r in mine if who.can_see(r["school_code"])]
        out.append(redact.redact(item, hidden, visible) if hidden else item)
    return out


def _records(conn: Any, ids: list[str]) -> list[dict[str, Any]]:
    """Student records by id, in batches a database accepts as bound parameters."""
    rows: list[dict[str, Any]] = []
    for start in range(0, len(ids), 900):
        batch = ids[start : start + 900]
        query = select(_student).where(_student.c.record_id.in_(batch))
        rows.extend(dict(r._mapping) for r in conn.execute(query).fetchall())
    return rows


def _visible_conflict(conn: Any, who: Principal, conflict_id: str) -> Any:
    row = conn.execute(select(_conflict).where(_conflict.c.conflict_id == conflict_id)).first()
    # Another school's conflict answers exactly like a missing one: its id tells nothing.
    if row is None or not who.can_see(row.school_code):
        raise not_found("conflict", conflict_id)
    return row


def get_conflict(engine: Engine, who: Principal, conflict_id: str) -> dict[str, Any]:
    """A conflict with its records, a field-by-field comparison and its audit history. Another
    school's records are left out of the comparison (``hidden_records`` counts them) and named
    only by their school, in ``other_schools``."""
    with engine.connect() as conn:
        out = conflict_out(_visible_conflict(conn, who, conflict_id))
        ids = [str(i) for i in out["record_ids"]][:50]
        records = _records(conn, ids)
    hidden = [r for r in records if not who.can_see(r["school_code"])]
    records = [r for r in records if who.can_see(r["school_code"])]
    out["other_schools"] = redact.other_schools(out, hidden, who.school_code)
    if hidden:
        out = redact.redact(out, hidden, records)
    records.sort(key=lambda r: (r["source"] != REGISTRY_SOURCE, r["record_id"]))
    out["records"] = records
    out["comparison"] = compare_records(records)
    out["history"] = audit.events(engine, entity="conflict", entity_id=conflict_id, limit=200)
    out["hidden_records"] = len(ids) - len(records)
    out["elsewhere"] = [
        {f: r.get(f) for f in redact.KEPT_FIELDS} for r in hidden
    ]  # where the student is at the other school (its status), nothing of its record
    return out


_BOOKKEEPING = frozenset({"source", "local_id", "src_file", "src_row"})


def compare_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of (field, values per record, differs?) for the fields people check."""
    rows = []
    for field in COMPARED_FIELDS:
        values = [r.get(field) for r in records]
        shown = ["" if v is None else str(v) for v in values]
        rows.append(
            {
                "field": field,
                "label": messages.FIELDS.get(field, field),
                "values": shown,
                # where records come from always differs: no use pointing at it
                "differs": field not in _BOOKKEEPING and len({v for v in shown if v}) > 1,
            }
        )
    return rows


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise BadRequest("a reason is required", message_vi=messages.error("reason_required"))
    return reason[:2000]


def _already_resolved() -> StateConflict:
    return StateConflict("already resolved", message_vi=messages.error("already_resolved"))


def acknowledge(engine: Engine, who: Principal, conflict_id: str, reason: str) -> dict[str, Any]:
    who.require(CAN_ACT_ON_CONFLICTS)
    reason = _require_reason(reason)
    with engine.connect() as conn:
        row = _visible_conflict(conn, who, conflict_id)
    if row.status == "resolved":
        raise _already_resolved()
    from reconcile import acknowledge as lifecycle_acknowledge

    try:
        lifecycle_acknowledge(engine, conflict_id, who.username, reason)
    except ReconcileError as exc:  # resolved or gone since we looked: the state changed
        raise StateConflict(exc.message, message_vi=exc.message_vi) from exc
    return get_conflict(engine, who, conflict_id)


def resolve(engine: Engine, who: Principal, conflict_id: str, reason: str) -> dict[str, Any]:
    """A person says the conflict is fixed at the source. If the next night still sees it, the
    lifecycle reopens it; the audit trail keeps both."""
    who.require(CAN_ACT_ON_CONFLICTS)
    reason = _require_reason(reason)
    today = dt.date.today()
    with engine.begin() as conn:
        row = _visible_conflict(conn, who, conflict_id)
        if row.status == "resolved":
            raise _already_resolved()
        conn.execute(
            update(_conflict)
            .where(_conflict.c.conflict_id == conflict_id)
            .values(status="resolved", resolved_on=today)
        )
        audit.record(
            conn,
            actor=who.username,
            action="conflict.resolved_by_user",
            entity="conflict",
            entity_id=conflict_id,
            before={"status": row.status, "resolved_on": row.resolved_on},
            after={"status": "resolved", "resolved_on": today.isoformat()},
            reason=reason,
        )
    return get_conflict(engine, who, conflict_id)


def dashboard(engine: Engine, who: Principal, school: str | None = None) -> dict[str, Any]:
    """Open conflicts by severity, type and school, within what the principal may see."""
    where = _conflict_where(who, ConflictFilter(school=school, status="open"))
    c = _conflict.c
    with engine.connect() as conn:
        by_severity = dict(
            conn.execute(select(c.severity, func.count()).where(*where).group_by(c.severity)).all()
        )
        by_type = conn.execute(
            select(c.type, func.count()).where(*where).group_by(c.type).order_by(c.type)
        ).all()
        by_school = conn.execute(
            select(c.school_code, func.count())
            .where(*where)
            .group_by(c.school_code)
            .order_by(c.school_code)
        ).all()
        last = conn.execute(select(_run).order_by(_run.c.id.desc()).limit(1)).first()
    return {
        "last_run": run_out(last, who) if last is not None else None,
        "last_night": last_night(engine),
        "total": sum(by_severity.values()),
        "by_severity": {s: int(by_severity.get(s, 0)) for s in SEVERITY_ORDER},
        "by_type": [{"type": t, "count": int(n)} for t, n in by_type],
        "by_school": [{"school_code": s, "count": int(n)} for s, n in by_school],
    }


def last_night(engine: Engine) -> dt.date | None:
    """The newest night with a committed run: the one whose report and worklists hold."""
    with engine.connect() as conn:
        night = conn.execute(
            select(func.max(_run.c.night)).where(_run.c.status == "committed")
        ).scalar()
    return dt.date.fromisoformat(night) if isinstance(night, str) else night


def school_directory(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every school of the district by code: its name, area and vendor, and whom to contact
    there (its administrators' accounts). Not secret: a school must be able to name and reach
    the school a transferred student went to."""
    c = _school.c
    user = UserAccount.__table__.c
    with engine.connect() as conn:
        rows = conn.execute(select(c.school_code, c.name, c.district, c.vendor)).fetchall()
        admins = conn.execute(
            select(user.username, user.full_name, user.school_code, user.role)
            .where(user.active.is_(True), user.role.in_(("school_admin", "district_officer")))
            .order_by(user.username)
        ).fetchall()
    out = {r.school_code: {**dict(r._mapping), "contacts": []} for r in rows}
    for admin in admins:
        if admin.school_code in out and admin.role == "school_admin":
            out[admin.school_code]["contacts"].append(admin.full_name or admin.username)
    return out


def district_contacts(engine: Engine) -> list[str]:
    """The district officers a school can turn to (names, or account names)."""
    user = UserAccount.__table__.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(user.username, user.full_name)
            .where(user.active.is_(True), user.role == "district_officer")
            .order_by(user.username)
        ).fetchall()
    return [r.full_name or r.username for r in rows]


def schools(engine: Engine, who: Principal) -> list[dict[str, Any]]:
    c = _school.c
    query = select(c.school_code, c.name, c.level, c.vendor).order_by(c.school_code)
    if not who.is_district:
        query = query.where(_school.c.school_code == who.school_code)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query).fetchall()]


def list_students(
    engine: Engine, who: Principal, school: str | None, *, limit: int = 100, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    if school is not None and not SCHOOL_RE.match(school):
        raise bad_filter("school")
    if not (1 <= limit <= 500 and 0 <= offset):
        raise bad_filter("limit")
    scope = who.school_scope(school)
    where = [] if scope is None else [_student.c.school_code == scope]
    query = (
        select(_student).where(*where).order_by(_student.c.record_id).limit(limit).offset(offset)
    )
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(_student).where(*where)).scalar()
        rows = [dict(r._mapping) for r in conn.execute(query).fetchall()]
    return rows, int(total or 0)


def get_student(engine: Engine, who: Principal, record_id: str) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(select(_student).where(_student.c.record_id == record_id)).first()
    if row is None or not who.can_see(row.school_code):
        raise not_found("student", record_id)
    return dict(row._mapping)


def run_out(row: Any, who: Principal) -> dict[str, Any]:
    out = dict(row._mapping)
    # A run's summary counts every school's problems: the district's view only.
    out["summary"] = _loads(out.get("summary"), {}) if who.is_district else {}
    return out


def list_runs(engine: Engine, who: Principal, *, limit: int = 50) -> list[dict[str, Any]]:
    query = select(_run).order_by(_run.c.id.desc()).limit(max(1, min(limit, 500)))
    with engine.connect() as conn:
        return [run_out(r, who) for r in conn.execute(query).fetchall()]


def get_run(engine: Engine, who: Principal, run_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(select(_run).where(_run.c.id == run_id)).first()
    if row is None:
        raise not_found("run", run_id)
    return run_out(row, who)


def start_run(
    engine: Engine, who: Principal, night: dt.date, *, today: dt.date | None = None
) -> None:
    """Check that a run may start and record who asked (the caller runs :func:`execute_run`
    in the background; the run's own row appears in ``run`` as it starts).

    Refused before «started», as the night itself would refuse it in the background where
    nobody sees it: a night in the future (:class:`BadRequest`, 422) and a night while another
    holds the nightly lock (:class:`StateConflict`, 409). A row left ``running`` by a killed
    process does not hold the lock: the next run marks it failed."""
    from service.night import nightly_lock, refuse_future_night

    who.require(frozenset({"district_officer"}))
    refuse_future_night(night, today=today)
    with nightly_lock(engine):  # taken and given back at once: is anyone running?
        pass
    with engine.begin() as conn:
        audit.record(
            conn, actor=who.username, action="run.requested", entity="run",
            entity_id=night.isoformat(), after={"night": night.isoformat()},
        )  # fmt: skip


def execute_run(engine: Engine, night: dt.date, reports_dir: Any) -> None:
    """The whole night (ingest of the configured inbox, checks, conflicts, report). The pipeline
    marks its run failed itself; nothing here may take the server down."""
    import dataclasses
    import logging

    from doisoat.store.bulk_read import row_reads_only
    from service.config import load_settings
    from service.night.pipeline import run_nightly

    settings = dataclasses.replace(load_settings(), reports_dir=reports_dir)
    try:
        # other request threads hold connections to the same SQLite file: no second library
        with row_reads_only():
            run_nightly(engine, night=night, settings=settings)
    except Exception:  # noqa: BLE001 - reported by the run's row and the server log
        logging.getLogger("service.api").exception("nightly run for %s failed", night)


@dataclass(frozen=True)
class AuditFilter:
    """Who did it, what, when (Vietnam dates, both ends included), and for which school."""

    actor: str | None = None
    action: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    school: str | None = None
    entity: str | None = None


def audit_log(
    engine: Engine,
    who: Principal,
    *,
    entity: str | None = None,
    limit: int = 100,
    offset: int = 0,
    flt: AuditFilter | None = None,
) -> list[dict[str, Any]]:
    who.require(frozenset({"district_officer"}))
    flt = flt or AuditFilter(entity=entity)
    if flt.school is not None and not SCHOOL_RE.match(flt.school):
        raise bad_filter("school")
    return audit.events(
        engine, entity=flt.entity or entity, limit=max(1, min(limit, 500)),
        offset=max(0, offset), actor=flt.actor, action=flt.action, since=flt.since,
        until=flt.until, school=flt.school,
    )  # fmt: skip


def audit_actors(engine: Engine, who: Principal) -> list[str]:
    """Everyone who appears in the trail, for the page's «who» filter."""
    who.require(frozenset({"district_officer"}))
    return audit.actors(engine)
