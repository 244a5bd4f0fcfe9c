"""Incremental, resumable pulls of a source's student list over HTTP, applied only when whole.

A vendor's API answers for its whole district: many schools, each numbering its students
from HS0001. The store keeps one snapshot per source, school and night, so a pull splits each
page by school and fills one snapshot per school, opened when that school's first row arrives;
a record id (``source:snapshot:local_id``) then names one school's student.

State per (source, resource) lives in ``source_cursor`` (see :mod:`connectors.http.cursor`):
the ``since`` watermark of the last finished pull and, while a pull runs, the position of the
next page and each school's snapshot. Each page's rows and the new state are committed
together by the store's snapshot writer, so a pull that crashes half-way resumes at the first
page it had not committed, fills the same snapshots, and never writes a row twice.

What the pull guarantees, because vendors' lists are not what they say:

* **every row is accounted for**: rows read = rows stored + rows quarantined + duplicates (a
  student read a second time: the later answer replaces the earlier, counted apart);
* **a listing that moved is read again**: page-number and offset listings (and cursors, which
  may be offsets in disguise) are ordered by last change, so a student edited while the pull
  walks the list jumps to its end and shifts every row behind it one place back, and one row
  is skipped at a page boundary. The only trace is the edited student read twice; so a pass
  with a duplicate, or a page that brings nothing new, is thrown away and the list read again
  from the same watermark (``passes`` times at most);
* **a pull that cannot prove it read everything is not applied** (:class:`PullRefused`): a page
  count or total that is not the list's, a cursor that does not move, rows that are not
  objects, a list that keeps moving. Its snapshots are deleted and the cursor is left as it
  was, so the next pull reads the same changes again;
* **an incremental pull is a change set**: when it started from a watermark, each school's
  snapshot is completed from that school's last snapshot (:mod:`doisoat.store.changes`), so
  the night after it still sees every student.
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
from connectors.http.pages import (
    PullRefused,
    SchoolPage,
    map_page,
    page_rows,
    refused,
    row_keys,
)
from connectors.http.paginators import Paginator, make_paginator
from connectors.messages import msg
from connectors.profile import Api, Dataset, SourceProfile, profile_for
from connectors.quarantine import quarantine_frame
from doisoat import store
from doisoat.errors import ConfigError
from doisoat.model import StudentRecord, record_id_expr
from doisoat.store.writer import SnapshotWrite, SnapshotWriter, open_writer


@dataclass
class PullSummary:
    source: str
    resource: str
    snapshot_ids: dict[str | None, int] = field(default_factory=dict)  # school -> snapshot
    pages: int = 0
    rows_read: int = 0
    rows_stored: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    rows_carried: int = 0  # students kept from each school's last snapshot (incremental)
    passes: int = 1
    resumed: bool = False
    since: str | None = None
    watermark: str | None = None

    @property
    def rows_accepted(self) -> int:
        return self.rows_stored

    def message_vi(self) -> str:
        carried = msg("pull_carried", carried=self.rows_carried) if self.rows_carried else ""
        again = msg("pull_again", again=self.passes - 1) if self.passes > 1 else ""
        return msg("pull_summary", read=self.rows_read, stored=self.rows_stored,
                   quarantined=self.rows_quarantined, duplicates=self.rows_duplicate,
                   carried=carried, again=again)


class _Moved(Exception):
    """The listing moved under this pass (a student read twice, a page of nothing new)."""

    def __init__(self, reason_key: str, **values: Any) -> None:
        super().__init__(reason_key)
        self.reason_key, self.values = reason_key, values


def _api(profile: SourceProfile) -> Api:
    if profile.api is None:
        raise ConfigError(f"source {profile.source} has no API in its profile",
                          message_vi=msg("profile_invalid", name=profile.source,
                                         detail="không có mục [api]"))
    return profile.api


def pull(source: str, *, engine: Engine, client: httpx.Client, night: dt.date,
         token: str | None = None, credentials: tuple[str, str] | None = None,
         profiles: tuple[SourceProfile, ...] | None = None, deadline_seconds: float = 600.0,
         policy: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep,
         full: bool = False, passes: int = 3) -> PullSummary:
    """Pull the source's changed students since the last finished pull (everything with
    ``full``), one snapshot per school; see the module docstring for what is guaranteed."""
    profile = profile_for(source, profiles)
    api = _api(profile)
    paginator = make_paginator(str(api.paginator["kind"]),
                               **{k: v for k, v in api.paginator.items() if k != "kind"})
    http = SourceClient(client, source=source, token=token, credentials=credentials,
                        policy=policy, deadline_seconds=deadline_seconds, sleep=sleep)
    with open_writer(engine) as writer:
        puller = _Puller(source, engine, writer, http, profile, api, paginator, night,
                         origin=f"{client.base_url}{api.path}")
        return puller.pull(full=full, passes=passes)


class _Puller:
    """One pull: its passes over the vendor's list, page by page."""

    def __init__(self, source: str, engine: Engine, writer: SnapshotWriter,
                 http: SourceClient, profile: SourceProfile, api: Api, paginator: Paginator,
                 night: dt.date, *, origin: str) -> None:
        self.source, self.engine, self.writer, self.http = source, engine, writer, http
        self.profile, self.api, self.paginator, self.night = profile, api, paginator, night
        self.origin = origin
        self.dataset = Dataset(kind="roster", columns=api.columns, required=api.required)
        self.summary = PullSummary(source, api.resource)
        self.carried = 0

    def _fresh(self, since: str | None, attempt: int = 1) -> PullRun:
        return PullRun(page=self.paginator.position(self.paginator.first()), since=since,
                       max_updated=since, attempt=attempt)

    def pull(self, *, full: bool, passes: int) -> PullSummary:
        saved = self.writer.cursor(self.source, self.api.resource)
        # what a refused pull leaves: the watermark it started from, as it was saved
        self.restore = {"since": saved["since"]} if "since" in saved else {}
        run = PullRun.of(saved)
        if full and run is not None:  # a full pull abandons a run left half-way
            self.run = run
            self._discard()
            run = None
        self.summary.resumed = run is not None
        if run is None:
            run = self._fresh(None if full else saved.get("since"))
        self.run, self.seen = run, self._stored_keys(run)
        self.named = {(school, local) for school, ids in self.seen.items() for local in ids}
        while True:
            try:
                return self._pass()
            except _Moved as moved:
                self._discard()
                if self.run.attempt >= passes:
                    raise refused(self.source, self.api.path, moved.reason_key,
                                  attempts=self.run.attempt, **moved.values) from None
                self.run, self.seen = self._fresh(self.run.since, self.run.attempt + 1), {}
                self.named = set()
            except PullRefused:
                self._discard()
                raise

    def _stored_keys(self, run: PullRun) -> dict[str | None, set[str]]:
        """The students each school's snapshot of a resumed run already holds."""
        if not run.schools:
            return {}
        school_of = {part.snapshot_id: part.school_code for part in run.schools}
        ids = ", ".join(str(int(i)) for i in school_of)
        stored = store.read_table(self.engine, "student_record", f"snapshot_id IN ({ids})",
                                  columns=["snapshot_id", "local_id"])
        seen: dict[str | None, set[str]] = {school: set() for school in school_of.values()}
        for snapshot_id, local_id in stored.iter_rows():
            seen[school_of[snapshot_id]].add(local_id)
        return seen

    def _discard(self) -> None:
        """Take back what this pass wrote and put the cursor back as it was."""
        with self.writer.transaction() as out:
            out.discard_snapshots([part.snapshot_id for part in self.run.schools])
            out.save_cursor(self.source, self.api.resource, self.restore)

    def _pass(self) -> PullSummary:
        api, paginator, run = self.api, self.paginator, self.run
        self.summary.since = since = run.since
        params: dict[str, Any] | None = paginator.resume(run.page)
        while params is not None:
            position = paginator.position(params)
            query = {**params, api.since_param: since} if since else dict(params)
            body, _headers = self.http.get_json(api.path, query)
            self.summary.pages += 1
            rows = page_rows(body, source=self.source, path=api.path,
                             records_key=api.records_key, page=position)
            next_params = paginator.next(params, body, len(rows))
            if next_params is not None:
                ahead = paginator.position(next_params)
                if ahead == position or ahead in run.visited:
                    raise refused(self.source, api.path, "pull_stuck", page=ahead)
            parts = map_page(rows, self.profile, self.dataset, self.night, api.path,
                             f"page {position}")
            duplicates = self._duplicates(parts)
            accepted = sum(part.frame.height for part in parts)
            keys = row_keys(rows, api.columns)
            again = sum(1 for key in keys if key is not None and key in self.named)
            if (rows and again == len(rows)) or (accepted and sum(duplicates.values()) == accepted):
                raise _Moved("pull_repeated", page=position, count=len(rows))
            done = next_params is None
            if done:
                self._check_whole(run, body, rows, duplicates, again)
            stamps = [str(row.get(api.updated_field) or "") for row in rows]
            with self.writer.transaction() as out:
                after = self._store_page(out, run, parts, duplicates, stamps, bool(rows))
                after.visited.append(position)
                after.rows_again += again
                if done:
                    self._complete(out, after)
                    out.save_cursor(self.source, api.resource, finished(after.max_updated))
                else:
                    after.page = paginator.position(next_params)
                    out.save_cursor(self.source, api.resource, after.state())
            for part in parts:
                self.seen.setdefault(part.school_code, set()).update(part.frame["local_id"])
            self.named.update(key for key in keys if key is not None)
            self.run = run = after
            params = next_params
        return self._summarise(run)

    def _duplicates(self, parts: list[SchoolPage]) -> dict[str | None, int]:
        """Per school, the page's accepted students this pass has already stored."""
        return {part.school_code: int(part.frame["local_id"].is_in(
                    list(self.seen.get(part.school_code, ()))).sum())
                for part in parts}

    def _check_whole(self, run: PullRun, body: Any, rows: list[dict[str, Any]],
                     duplicates: dict[str | None, int], again: int) -> None:
        """Before the last page is committed: did this pass read the vendor's whole list?"""
        twice = max(run.rows_again + again, run.rows_duplicate + sum(duplicates.values()))
        if twice:
            raise _Moved("pull_moved", count=twice)
        pages = run.pages_with_rows + (1 if rows else 0)
        short = self.paginator.shortfall(body, pages, run.rows_read + len(rows))
        if short is not None:
            raise refused(self.source, self.api.path, f"pull_{short.kind}",
                          stated=short.stated, got=short.got)

    def _store_page(self, out: SnapshotWrite, run: PullRun, parts: list[SchoolPage],
                    duplicates: dict[str | None, int], stamps: list[str],
                    had_rows: bool) -> PullRun:
        """Write one page's rows, each school's into its snapshot (opened at its first row);
        return the run as it stands after the page (the caller's is left as it was, should
        the page's transaction fail)."""
        after = PullRun(page=run.page, since=run.since, max_updated=run.max_updated,
                        schools=[SchoolPart(**vars(part)) for part in run.schools],
                        pages_with_rows=run.pages_with_rows + (1 if had_rows else 0),
                        visited=list(run.visited), attempt=run.attempt,
                        rows_again=run.rows_again)
        for stamp in stamps:
            if stamp and (after.max_updated is None or stamp > after.max_updated):
                after.max_updated = stamp
        for page in parts:
            part = after.part(page.school_code)
            if part is None:
                snapshot_id = out.open_snapshot(
                    source=self.source, school_code=page.school_code, night=self.night,
                    origin=self.origin,
                    content_hash=(f"pull:{self.source}:{self.origin}:{self.night}:{run.since}:"
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
                    pl.lit(self.source).alias("source")))
            part.rows_read += page.rows_read
            part.rows_quarantined += page.rows_quarantined
            part.rows_duplicate += duplicates.get(page.school_code, 0)
            out.set_counts(part.snapshot_id, rows_read=part.rows_stored + part.rows_quarantined,
                           rows_quarantined=part.rows_quarantined, loaded=False)
        return after

    def _complete(self, out: SnapshotWrite, run: PullRun) -> None:
        """The last page: each school's snapshot completed (a change set onto the school's
        last snapshot, when the pull started from a watermark) and marked loaded."""
        self.carried = 0
        for part in run.schools:
            carried = 0
            if run.since is not None:
                carried = out.carry_forward(part.snapshot_id, source=self.source,
                                            school_code=part.school_code, night=self.night)
            self.carried += carried
            out.set_counts(part.snapshot_id,
                           rows_read=part.rows_stored + part.rows_quarantined + carried,
                           rows_quarantined=part.rows_quarantined, loaded=True)

    def _summarise(self, run: PullRun) -> PullSummary:
        summary = self.summary
        summary.snapshot_ids = {part.school_code: part.snapshot_id for part in run.schools}
        summary.watermark = run.max_updated
        summary.rows_read, summary.rows_quarantined = run.rows_read, run.rows_quarantined
        summary.rows_duplicate = run.rows_duplicate
        summary.rows_stored = sum(part.rows_stored for part in run.schools)
        summary.rows_carried = self.carried
        summary.passes = run.attempt
        return summary
