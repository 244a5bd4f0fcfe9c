"""The night: ingest → quality → reconcile → conflicts → report, as one unit of work.

* **Idempotent**: the run records a fingerprint of everything it read (snapshots, human link
  decisions, grade approvals, settings). A second run of the same night over the same inputs
  changes nothing and says so.
* **All or nothing**: identities, links, every family of conflicts and the run's ``committed``
  status are written in one transaction. A run that fails is marked ``failed`` and leaves the
  previous night's results as they were; a run that was killed stays ``running`` until the next
  run marks it ``failed`` (crashed). Readers only trust committed runs. The report is written
  into a temporary folder and moved into place after the commit, with a marker naming the run
  that wrote it (``run.json``): a rerun that finds nothing new still rewrites a report that is
  not the committed run's (its writer was killed half-way) and clears a leftover ``.partial``.
* **Never ahead of the calendar**: a night more than one day after today (Vietnam time) is
  refused before anything is written; the conflicts' lifecycle refuses a night older than the
  last merged one, so a mistyped year would otherwise block every real night after it.
* **Locked**: two runs never overlap (:mod:`service.night.lock`).
* **Told**: every step logs to ``doisoat.night`` with the night and the run id, so an
  engineer reading a server's log can follow one run among many (``doisoat nightly`` prints
  these lines on stderr).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine

from doisoat import store
from doisoat.errors import BadRequest
from doisoat.store import queries, runs
from doisoat.store.bulk_read import bulk_access_allowed
from doisoat.vn.dates import format_date_vi
from service.config import Settings
from service.night.grades import grade_families, subjects_loader
from service.night.lock import nightly_lock

log = logging.getLogger("doisoat.night")

VIETNAM_TIME = dt.timezone(dt.timedelta(hours=7), "ICT")
NIGHTS_AHEAD_ALLOWED = 1  # a scheduler may start tonight's batch after midnight, or early
FUTURE_NIGHT_VI = (
    "Đêm {night} chưa tới (hôm nay là {today}, giờ Việt Nam): không đối soát một đêm trong "
    "tương lai. Hãy kiểm tra lại ngày (dd/mm/yyyy)."
)
REPORT_MARKER = "run.json"  # in the report folder: which run wrote it


def vietnam_today(now: dt.datetime | None = None) -> dt.date:
    """Today's date in Vietnam (UTC+7), whatever the server's own time zone."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(VIETNAM_TIME).date()


def refuse_future_night(night: dt.date, *, today: dt.date | None = None) -> None:
    """Raise :class:`BadRequest` for a night more than one day after ``today`` (default: today,
    Vietnam time). The API asks it before answering «started»; the night asks it again."""
    today = today or vietnam_today()
    if night > today + dt.timedelta(days=NIGHTS_AHEAD_ALLOWED):
        raise BadRequest(
            f"night {night.isoformat()} is in the future (today is {today.isoformat()})",
            message_vi=FUTURE_NIGHT_VI.format(
                night=format_date_vi(night), today=format_date_vi(today)
            ),
        )


class RunLog(logging.LoggerAdapter):
    """Prefixes each line with the night and, once there is one, the run id."""

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        extra = self.extra or {}
        run = f" run {extra['run_id']}" if extra.get("run_id") is not None else ""
        return f"[night {extra.get('night')}{run}] {msg}", kwargs


@dataclass
class NightlyOutcome:
    night: dt.date
    run_id: int | None
    status: str  # committed | unchanged
    ingest: dict[str, Any] | None = None
    excluded_snapshots: list[int] = field(default_factory=list)
    conflicts: dict[str, Any] = field(default_factory=dict)
    report_dir: str | None = None
    recovered_runs: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "night": self.night.isoformat(),
            "run_id": self.run_id,
            "status": self.status,
            "ingest": self.ingest,
            "excluded_snapshots": self.excluded_snapshots,
            "conflicts": self.conflicts,
            "report_dir": self.report_dir,
            "recovered_runs": self.recovered_runs,
        }


def run_nightly(
    engine: Engine,
    *,
    night: dt.date,
    settings: Settings | None = None,
    inbox: list[Path] | None = None,
    today: dt.date | None = None,
) -> NightlyOutcome:
    """Run the whole night for ``night``; see the module docstring for the guarantees.
    ``today`` is the clock (default: today, Vietnam time): a night after tomorrow is refused."""
    from connectors import ingest_paths

    refuse_future_night(night, today=today)
    settings = settings or Settings()
    paths = list(inbox if inbox is not None else settings.inbox)
    said = RunLog(log, {"night": night.isoformat(), "run_id": None})
    with nightly_lock(engine):
        recovered = runs.recover_crashed_runs(engine)
        if recovered:
            said.warning("runs %s were left running by a killed process: marked failed", recovered)
        batch = bulk_access_allowed()
        started = time.perf_counter()
        ingest = ingest_paths(paths, engine=engine, night=night, bulk=batch,
                              workers=(os.cpu_count() or 1) if batch else 1
                              ).as_dict() if paths else None
        if ingest is not None:
            said.info("ingest: %d path(s) in %.1f s", len(paths), time.perf_counter() - started)
        else:
            said.info("ingest: no inbox, the store's snapshots as they are")
        new_schools = _register_unknown_schools(engine)
        if new_schools:
            said.info("%d school(s) seen in exports but not in the directory: added", new_schools)
        fingerprint = _fingerprint(engine, night, settings)
        previous = runs.committed_run(engine, night)
        report_dir = settings.reports_dir / night.isoformat()
        if previous is not None and json.loads(previous.summary).get("fingerprint") == fingerprint:
            said.info("unchanged since run %s: nothing to do", previous.id)
            if _report_run(report_dir) != previous.id:
                said.warning("the report on disk is not run %s's: rewritten", previous.id)
                _write_report(engine, night, report_dir, previous.id)
            shutil.rmtree(_staging(report_dir), ignore_errors=True)
            return NightlyOutcome(
                night,
                previous.id,
                "unchanged",
                ingest,
                report_dir=str(report_dir),
                recovered_runs=recovered,
            )
        run_id = runs.start_run(engine, night)
        said = RunLog(log, {"night": night.isoformat(), "run_id": run_id})
        said.info("started")
        try:
            outcome = _reconcile_and_commit(
                engine, night, settings, run_id, fingerprint, ingest, said
            )
        except BaseException as exc:
            said.exception("failed: nothing of this run is kept")
            runs.finish_run(engine, run_id, "failed", {"error": repr(exc)[:2000]})
            raise
        _write_report(engine, night, report_dir, run_id)
        said.info("report written to %s", report_dir)
        outcome.report_dir = str(report_dir)
        outcome.recovered_runs = recovered
        return outcome


def _reconcile_and_commit(
    engine: Engine,
    night: dt.date,
    settings: Settings,
    run_id: int,
    fingerprint: str,
    ingest: dict[str, Any] | None,
    said: logging.LoggerAdapter,
) -> NightlyOutcome:
    from reconcile import (
        human_decisions,
        identity_night,
        latest_records,
        merge_night,
        previous_night,
        sync_overdue,
        transfer_conflicts,
        write_identity_night,
    )
    from reports import check_snapshots, exclusion_reasons, quality_rows

    verdicts = check_snapshots(engine, night, grades=False)
    runs.save_quality_results(engine, quality_rows(verdicts, night, run_id), night)
    store.exclude_snapshots(engine, exclusion_reasons(verdicts))
    excluded = queries.excluded_snapshot_ids(engine, night)
    said.info("quality: %d snapshot(s) checked, %d kept out", len(verdicts), len(excluded))
    started = time.perf_counter()
    records = latest_records(engine)
    identity = identity_night(
        records,
        human_decisions(engine, records),
        previous=previous_night(engine, night) if settings.incremental_identities else None,
        night=night,
    )
    said.info(
        "identities: %d record(s) in %.1f s: %s",
        records.height, time.perf_counter() - started, identity.summary(),
    )
    calendar = settings.calendar_for(night)
    families = [
        identity.conflicts,
        transfer_conflicts(
            records,
            identity.identities,
            night=night,
            subject_results=subjects_loader(engine),
            grace_days=settings.transfer_grace_days,
        ),
        *grade_families(engine, night, records, settings),
        sync_overdue(
            _schools_with_sync(engine),
            night=night,
            calendar=calendar,
            deadline_days=settings.sync_deadline_days,
        ),
    ]
    conflicts = pl.concat([f for f in families if f.height], how="diagonal_relaxed")
    said.info("conflicts: %d found by the rules", conflicts.height)
    with engine.begin() as conn:
        write_identity_night(conn, engine, identity, run_id)
        merged = merge_night(engine, conflicts, night=night, run_id=run_id, connection=conn)
        summary = {
            "fingerprint": fingerprint,
            "ingest": ingest,
            "excluded_snapshots": excluded,
            "identity": identity.summary(),
            "conflicts": merged.as_dict(),
            "by_type": dict(sorted(conflicts.group_by("type").len().iter_rows()))
            if conflicts.height
            else {},
        }
        runs.finish_run(engine, run_id, "committed", summary, connection=conn)
    said.info("committed: %s", merged.as_dict())
    return NightlyOutcome(night, run_id, "committed", ingest, excluded, summary["by_type"])


def _register_unknown_schools(engine: Engine) -> int:
    """A school seen in an export but missing from the directory gets a provisional row (its
    code, vendor and level as the export shows them) so that it has a report and a worklist."""
    missing = queries.schools_missing_from_directory(engine)
    if missing.height == 0:
        return 0
    frame = missing.select(
        "school_code",
        ("Trường " + pl.col("school_code")).alias("name"),
        pl.when(pl.col("max_grade").fill_null(0) >= 10)
        .then(pl.lit("thpt"))
        .otherwise(pl.lit("thcs"))
        .alias("level"),
        pl.col("school_code").str.slice(0, 2).alias("province_code"),
        pl.lit("").alias("district"),
        pl.col("source").alias("vendor"),
    ).unique(subset="school_code", keep="first", maintain_order=True)
    return store.bulk_insert(engine, "school", frame)


def _schools_with_sync(engine: Engine) -> pl.DataFrame:
    """Each school's last synchronisation: as the registry said it, else its latest registry
    snapshot's night."""
    from reconcile import last_sync_by_school

    schools = queries.school_directory(engine, columns=["school_code", "last_sync"])
    seen = last_sync_by_school(queries.snapshot_history(engine))
    seen = seen.rename({"last_sync": "snapshot_sync"})
    return schools.join(seen, on="school_code", how="left").select(
        "school_code", pl.coalesce("last_sync", "snapshot_sync").alias("last_sync")
    )


def _fingerprint(engine: Engine, night: dt.date, settings: Settings) -> str:
    digest = hashlib.sha256(f"{night}|{settings!r}".encode())
    for row in queries.input_fingerprint_rows(engine, night):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def _staging(report_dir: Path) -> Path:
    return report_dir.with_name(report_dir.name + ".partial")


def _report_run(report_dir: Path) -> int | None:
    """The run that wrote the report in ``report_dir``, if it is whole and says so."""
    if not (report_dir / "report.html").exists():
        return None
    try:
        marker = json.loads((report_dir / REPORT_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    run_id = marker.get("run_id") if isinstance(marker, dict) else None
    return run_id if isinstance(run_id, int) else None


def _write_report(engine: Engine, night: dt.date, report_dir: Path, run_id: int) -> None:
    from reports import write_night_report

    staging = _staging(report_dir)
    shutil.rmtree(staging, ignore_errors=True)
    write_night_report(engine, night, staging)
    marker = {"night": night.isoformat(), "run_id": run_id}
    (staging / REPORT_MARKER).write_text(json.dumps(marker), encoding="utf-8")
    if report_dir.exists():
        shutil.rmtree(report_dir)
    staging.rename(report_dir)
