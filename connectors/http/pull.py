"""Incremental, resumable pulls of a source's student list over HTTP.

A vendor's API answers for its whole district: many schools, each numbering its students
from HS0001. The store keeps one snapshot per source, school and night, so a pull splits each
page by school and fills one snapshot per school, opened when that school's first row arrives;
a record id (``source:snapshot:local_id``) then names one school's student.

State per (source, resource) lives in ``source_cursor`` (see :mod:`connectors.http.cursor`):
the ``since`` watermark of the last finished pull and, while a pull runs, the position of the
next page and each school's snapshot. Each page's rows and the new state are committed
together by the store's snapshot writer, so a pull that crashes half-way resumes at the first
page it had not committed, fills the same snapshots, and never writes a row twice.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import polars as pl
from sqlalchemy import Engine

from connectors.http.client import RetryPolicy, SourceClient
from connectors.http.cursor import PullRun, SchoolPart, finished
from connectors.http.paginators import make_paginator
from connectors.mapping import Defaults, student_rows
from connectors.messages import msg
from connectors.profile import Dataset, SourceProfile, profile_for
from connectors.quarantine import Quarantined, quarantine_frame
from connectors.tabular.cells import cell_text
from connectors.tabular.header import Header, fold_label, map_columns
from connectors.tabular.readers import Sheet
from connectors.tabular.tables import SheetContext, Table
from doisoat.errors import ConfigError, ErrorContext, SourceError
from doisoat.model import StudentRecord, record_id_expr
from doisoat.store.writer import SnapshotWrite, SnapshotWriter, open_writer
from doisoat.vn.calendar import school_year_of


@dataclass
class PullSummary:
    source: str
    resource: str
    snapshot_ids: dict[str | None, int] = field(default_factory=dict)  # school -> snapshot
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


@dataclass
class _SchoolPage:
    """One school's rows of a page: the accepted ones and the quarantined ones."""

    school_code: str | None
    rows_read: int
    frame: pl.DataFrame
    quarantined: list[Quarantined]

    @property
    def rows_quarantined(self) -> int:
        return len({q.src_row for q in self.quarantined})


def _api(profile: SourceProfile):
    if profile.api is None:
        raise ConfigError(f"source {profile.source} has no API in its profile",
                          message_vi=msg("profile_invalid", name=profile.source,
                                         detail="không có mục [api]"))
    return profile.api


def pull(source: str, *, engine: Engine, client: httpx.Client, night: dt.date,
         token: str | None = None, credentials: tuple[str, str] | None = None,
         profiles: tuple[SourceProfile, ...] | None = None, deadline_seconds: float = 600.0,
         policy: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep,
         full: bool = False) -> PullSummary:
    """Pull the source's changed students since the last finished pull, one snapshot per
    school."""
    with open_writer(engine) as writer:
        return _pull(source, writer, client, night, token, credentials, profiles,
                     deadline_seconds, policy, sleep, full)


def _pull(source: str, writer: SnapshotWriter, client: httpx.Client, night: dt.date,
          token: str | None, credentials: tuple[str, str] | None,
          profiles: tuple[SourceProfile, ...] | None, deadline_seconds: float,
          policy: RetryPolicy | None, sleep: Callable[[float], None],
          full: bool) -> PullSummary:
    profile = profile_for(source, profiles)
    api = _api(profile)
    paginator = make_paginator(str(api.paginator["kind"]),
                               **{k: v for k, v in api.paginator.items() if k != "kind"})
    http = SourceClient(client, source=source, token=token, credentials=credentials,
                        policy=policy, deadline_seconds=deadline_seconds, sleep=sleep)
    state = {} if full else writer.cursor(source, api.resource)
    dataset = Dataset(kind="roster", columns=api.columns, required=api.required)
    run = PullRun.of(state)
    summary = PullSummary(source, api.resource, resumed=run is not None)
    if run is not None:
        params: dict[str, Any] | None = paginator.resume(run.page)
    else:
        params = paginator.first()
        since = state.get("since")
        run = PullRun(page=paginator.position(params), since=since, max_updated=since)
    summary.since = since = run.since
    origin = f"{client.base_url}{api.path}"
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
        parts = _map_page(rows, profile, dataset, night, f"{api.path}", f"page {position}")
        for row in rows:
            stamp = str(row.get(api.updated_field) or "")
            if stamp and (run.max_updated is None or stamp > run.max_updated):
                run.max_updated = stamp
        done = next_params is None
        with writer.transaction() as out:
            run = _store_page(out, source, night, origin, run, parts)
            touched = {page.school_code for page in parts}
            for part in run.schools:  # the last page completes every school's snapshot
                if done or part.school_code in touched:
                    out.set_counts(part.snapshot_id, rows_read=part.rows_read,
                                   rows_quarantined=part.rows_quarantined, loaded=done)
            if done:
                out.save_cursor(source, api.resource, finished(run.max_updated))
            else:
                run.page = paginator.position(next_params)
                out.save_cursor(source, api.resource, run.state())
        summary.pages += 1
        params = next_params
    summary.snapshot_ids = {part.school_code: part.snapshot_id for part in run.schools}
    summary.watermark = run.max_updated
    summary.rows_read, summary.rows_quarantined = run.rows_read, run.rows_quarantined
    summary.rows_accepted = summary.rows_read - summary.rows_quarantined
    return summary


def _store_page(out: SnapshotWrite, source: str, night: dt.date, origin: str, run: PullRun,
                parts: list[_SchoolPage]) -> PullRun:
    """Write one page's rows, each school's into its snapshot (opened at its first row);
    return the run as it stands after the page (the caller's is left as it was, should the
    page's transaction fail)."""
    schools = [SchoolPart(**vars(part)) for part in run.schools]
    after = PullRun(page=run.page, since=run.since, max_updated=run.max_updated,
                    schools=schools)
    for page in parts:
        part = after.part(page.school_code)
        if part is None:
            snapshot_id = out.open_snapshot(
                source=source, school_code=page.school_code, night=night, origin=origin,
                content_hash=(f"pull:{source}:{origin}:{night}:{run.since}:"
                              f"{page.school_code}:{time.time_ns()}"))
            part = SchoolPart(page.school_code, snapshot_id)
            after.schools.append(part)
        records = page.frame.with_columns(
            pl.lit(part.snapshot_id, dtype=pl.Int64).alias("snapshot_id"),
            record_id_expr(part.snapshot_id).alias("record_id"))
        out.replace_records(records.select(list(StudentRecord.model_fields)))
        if page.quarantined:
            out.insert("quarantined_row", quarantine_frame(page.quarantined).with_columns(
                pl.lit(part.snapshot_id, dtype=pl.Int64).alias("snapshot_id"),
                pl.lit(source).alias("source")))
        part.rows_read += page.rows_read
        part.rows_quarantined += page.rows_quarantined
    return after


def _map_page(rows: list[dict[str, Any]], profile: SourceProfile, dataset: Dataset, night: dt.date,
              file: str, sheet_name: str) -> list[_SchoolPage]:
    """A page's rows mapped to the canonical schema, school by school (in the order the
    schools first appear): a local id is unique within a school only, so the duplicate check
    and the record ids are each school's own. Rows keep their number in the page."""
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
    school_at = header.matches["school_code"].column if "school_code" in header.matches else None
    by_school: dict[str | None, list[tuple[int, list[Any]]]] = {}
    for number, row_cells in enumerate(cells, start=1):
        school = cell_text(row_cells[school_at]) or None if school_at is not None else None
        by_school.setdefault(school, []).append((number, row_cells))
    year = school_year_of(night)
    parts = []
    for school, numbered in by_school.items():
        table = Table(sheet, dataset, header, SheetContext(), numbered)
        quarantined: list[Quarantined] = []
        frame = student_rows([table], profile, Defaults(profile.source, file, school, year),
                             quarantined)
        frame = frame.with_columns(pl.lit(school, dtype=pl.String).alias("school_code"))
        parts.append(_SchoolPage(school, len(numbered), frame, quarantined))
    return parts


