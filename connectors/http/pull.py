"""Incremental, resumable pulls of a source's student list over HTTP.

State per (source, resource) lives in ``source_cursor``: the ``since`` watermark of the last
finished pull and, while a pull runs, the snapshot being filled and the position of the next
page. Each page's rows and the new position are committed together, so a pull that crashes
half-way resumes at the first page it had not committed, and never writes a row twice.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import polars as pl
from sqlalchemy import Engine, delete, insert, update

from connectors.http.client import RetryPolicy, SourceClient
from connectors.http.cursor import read_cursor, write_cursor
from connectors.http.paginators import make_paginator
from connectors.mapping import Defaults, student_rows
from connectors.messages import msg
from connectors.profile import Dataset, Profile, profile_for
from connectors.quarantine import Quarantined, quarantine_frame
from connectors.tabular.header import Header, fold_label, map_columns
from connectors.tabular.readers import Sheet
from connectors.tabular.tables import SheetContext, Table
from doisoat import store
from doisoat.errors import ConfigError, ErrorContext, SourceError
from doisoat.model import SourceSnapshot, StudentRecord, record_id_expr
from doisoat.vn.calendar import school_year_of


@dataclass
class PullSummary:
    source: str
    resource: str
    snapshot_id: int
    pages: int = 0
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    resumed: bool = False
    since: str | None = None
    watermark: str | None = None

    def message_vi(self) -> str:
        return msg("summary", read=self.rows_read, accepted=self.rows_accepted,
                   quarantined=self.rows_quarantined, skipped_note="")


def _api(profile: Profile):
    if profile.api is None:
        raise ConfigError(f"source {profile.source} has no API in its profile",
                          message_vi=msg("profile_invalid", name=profile.source,
                                         detail="không có mục [api]"))
    return profile.api


def pull(source: str, *, engine: Engine, client: httpx.Client, night: dt.date,
         token: str | None = None, credentials: tuple[str, str] | None = None,
         profiles: tuple[Profile, ...] | None = None, deadline_seconds: float = 600.0,
         policy: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep,
         full: bool = False) -> PullSummary:
    """Pull the source's changed students since the last finished pull into a snapshot."""
    profile = profile_for(source, profiles)
    api = _api(profile)
    paginator = make_paginator(str(api.paginator["kind"]),
                               **{k: v for k, v in api.paginator.items() if k != "kind"})
    http = SourceClient(client, source=source, token=token, credentials=credentials,
                        policy=policy, deadline_seconds=deadline_seconds, sleep=sleep)
    state = {} if full else read_cursor(engine, source, api.resource)
    run = state.get("run")
    dataset = Dataset(kind="roster", columns=api.columns, required=api.required)
    if run:
        snapshot_id, params = int(run["snapshot_id"]), paginator.resume(run["page"])
        summary = PullSummary(source, api.resource, snapshot_id, resumed=True,
                              since=run.get("since"))
        summary.watermark = run.get("max_updated")
        summary.rows_read = int(run.get("rows_read", 0))
        summary.rows_quarantined = int(run.get("rows_quarantined", 0))
    else:
        since = state.get("since")
        with engine.begin() as conn:
            result = conn.execute(insert(SourceSnapshot.__table__).values(
                source=source, school_code=None, night=night,
                taken_at=dt.datetime.now(dt.UTC),
                origin=f"{client.base_url}{api.path}",
                content_hash=f"pull:{source}:{api.resource}:{night}:{since}:{time.time_ns()}",
                status="loading"))
            snapshot_id = int(result.inserted_primary_key[0])
        params = paginator.first()
        summary = PullSummary(source, api.resource, snapshot_id, since=since,
                              watermark=since)
    since = summary.since
    while params is not None:
        query = dict(params)
        if since:
            query[api.since_param] = since
        body, _headers = http.get_json(api.path, query)
        if not isinstance(body, dict) or not isinstance(body.get(api.records_key), list):
            raise SourceError(
                f"{source}: answer without a '{api.records_key}' list",
                message_vi=msg("http_bad_payload", source=source,
                               detail=f"thiếu danh sách «{api.records_key}»"),
                context=ErrorContext(source=source, file=api.path))
        rows = body[api.records_key]
        next_params = paginator.next(params, body, len(rows))
        position = paginator.position(params)
        frame, quarantined = _map_page(rows, profile, dataset, night,
                                       f"{api.path}", f"page {position}")
        for row in rows:
            stamp = str(row.get(api.updated_field) or "")
            if stamp and (summary.watermark is None or stamp > summary.watermark):
                summary.watermark = stamp
        summary.pages += 1
        summary.rows_read += len(rows)
        summary.rows_quarantined += len({q.src_row for q in quarantined})
        _commit_page(engine, source, api.resource, snapshot_id, frame, quarantined, summary,
                     next_params and paginator.position(next_params), since)
        params = next_params
    summary.rows_accepted = summary.rows_read - summary.rows_quarantined
    return summary


def _map_page(rows: list[dict[str, Any]], profile: Profile, dataset: Dataset, night: dt.date,
              file: str, sheet_name: str) -> tuple[pl.DataFrame, list[Quarantined]]:
    keys: list[str] = []
    for row in rows:
        for key in row:
            if key not in keys:
                keys.append(key)
    cells = [[row.get(k) for k in keys] for row in rows]
    sheet = Sheet(name=sheet_name, rows=[keys, *cells], encoding="json")
    labels = [fold_label(k) for k in keys]
    header = Header(row=0, rows=1, matches=map_columns(labels, dataset, 0.9, keys),
                    labels=labels)
    table = Table(sheet, dataset, header, SheetContext(),
                  [(i, c) for i, c in enumerate(cells, start=1)])
    quarantined: list[Quarantined] = []
    defaults = Defaults(profile.source, file, None, school_year_of(night))
    frame = student_rows([table], profile, defaults, quarantined)
    return frame, quarantined


def _commit_page(engine: Engine, source: str, resource: str, snapshot_id: int,
                 frame: pl.DataFrame, quarantined: list[Quarantined], summary: PullSummary,
                 next_position: str | None, since: str | None) -> None:
    frame = frame.with_columns(
        pl.lit(snapshot_id, dtype=pl.Int64).alias("snapshot_id"),
        record_id_expr(snapshot_id).alias("record_id"))
    table = StudentRecord.__table__
    snap = SourceSnapshot.__table__
    with engine.begin() as conn:
        ids = frame["record_id"].to_list()
        for start in range(0, len(ids), 500):
            # A row changed again during the pull: the newer answer replaces the older.
            conn.execute(delete(table).where(table.c.record_id.in_(ids[start:start + 500])))
        store.bulk_insert(engine, "student_record", frame.select(list(StudentRecord.model_fields)),
                          connection=conn)
        if quarantined:
            store.bulk_insert(engine, "quarantined_row", quarantine_frame(quarantined).with_columns(
                pl.lit(snapshot_id, dtype=pl.Int64).alias("snapshot_id"),
                pl.lit(source).alias("source")), connection=conn)
        done = next_position is None
        conn.execute(update(snap).where(snap.c.id == snapshot_id).values(
            rows_read=summary.rows_read, rows_quarantined=summary.rows_quarantined,
            rows_accepted=summary.rows_read - summary.rows_quarantined,
            status="loaded" if done else "loading"))
        if done:
            state: dict[str, Any] = {"since": summary.watermark}
        else:
            state = {"since": since, "run": {
                "snapshot_id": snapshot_id, "page": next_position, "since": since,
                "max_updated": summary.watermark, "rows_read": summary.rows_read,
                "rows_quarantined": summary.rows_quarantined}}
        write_cursor(conn, source, resource, state)
