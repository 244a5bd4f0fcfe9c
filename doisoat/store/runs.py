"""The night's own rows: its run (started, finished, found crashed) and the quality results
kept with it.

Why here: a run's status is what readers trust (only ``committed`` runs count), so the few
ways a run row changes are named once, next to the schema, instead of each caller writing
its own ``UPDATE run``. The quality checks (``reports``) only return verdicts; the night hands
their rows to :func:`save_quality_results`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine, delete, select

from doisoat import store
from doisoat.model import ExpectationResult, Run
from doisoat.store.retry import write_transaction

_run = store.table_of(Run)
_quality = store.table_of(ExpectationResult)
CRASHED = "crashed: found running by the next run"


def start_run(engine: Engine, night: dt.date) -> int:
    """A new ``running`` run of ``night``; its id. Waits for other writers (a page's login,
    an acknowledgement): a night must never be left without its run row by someone's click."""

    def insert(conn: Connection) -> int:
        inserted = conn.execute(
            _run.insert().values(
                night=night, started_at=dt.datetime.now(dt.UTC), status="running", summary="{}"
            )
        ).inserted_primary_key
        assert inserted is not None
        return int(inserted[0])

    return write_transaction(engine, insert, what="the night's run row")


def finish_run(
    engine: Engine,
    run_id: int,
    status: str,
    summary: dict[str, Any],
    *,
    connection: Connection | None = None,
) -> None:
    """Close a ``running`` run as ``committed`` or ``failed``, with its summary (JSON).

    ``connection``: a connection inside the caller's transaction (the night commits its run
    together with its identities and conflicts); otherwise its own transaction. A run that is no
    longer running (recovered as crashed by another) is left as it is.
    """
    values = {
        "status": status,
        "finished_at": dt.datetime.now(dt.UTC),
        "summary": json.dumps(summary, ensure_ascii=False, default=str),
    }
    def close(conn: Connection) -> None:
        conn.execute(
            _run.update()
            .where((_run.c.id == run_id) & (_run.c.status == "running"))
            .values(**values)
        )

    if connection is not None:
        close(connection)
    else:
        write_transaction(engine, close, what="the night's run row")


def recover_crashed_runs(engine: Engine) -> list[int]:
    """Mark ``failed`` the runs left ``running`` by a killed process; their ids.

    Call it only while holding the night's lock: then no run is alive, and every ``running``
    row is a crashed one."""
    def recover(conn: Connection) -> list[int]:
        stale = [int(i) for i in conn.execute(select(_run.c.id).where(_run.c.status == "running"))
                 .scalars()]  # fmt: skip
        if stale:
            conn.execute(
                _run.update()
                .where(_run.c.id.in_(stale))
                .values(
                    status="failed",
                    finished_at=dt.datetime.now(dt.UTC),
                    summary=json.dumps({"error": CRASHED}),
                )
            )
        return stale

    return write_transaction(engine, recover, what="recovering crashed runs")


def committed_run(engine: Engine, night: dt.date) -> Run | None:
    """The latest committed run of ``night`` (detached from its session), or None."""
    from sqlmodel import select as select_model

    with store.session_scope(engine) as session:
        run = session.exec(
            select_model(Run)
            .where(Run.night == night, Run.status == "committed")
            .order_by(_run.c.id.desc())
        ).first()
        if run is not None:
            session.expunge(run)
        return run


def save_quality_results(engine: Engine, results: pl.DataFrame, night: dt.date) -> int:
    """Keep the quality outcomes of ``night`` (rows of ``quality_result``); the night's earlier
    outcomes of the same sources are replaced, so a re-run of the night does not double them.
    Returns how many rows were written."""
    if results.height == 0:
        return 0

    def save(conn: Connection) -> int:
        for source in results["source"].unique().to_list():
            conn.execute(
                delete(_quality).where((_quality.c.night == night) & (_quality.c.source == source))
            )
        return store.bulk_insert(engine, "quality_result", results, connection=conn)

    return write_transaction(engine, save, what="the night's quality results")
