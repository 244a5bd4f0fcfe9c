"""Pulls against a vendor that misbehaves on purpose, on a real loopback server.

Each fault is one a vendor's API has been seen to commit: a page served twice, rows changed
between a 500 and its retry or while the pull walks the list, a page count or a total that is
not the list's, rows that are not objects, a cursor that never moves. What must hold every time:

* rows read = rows stored + rows quarantined + duplicates dropped (counted apart, by key);
* nothing is lost: either every row of the vendor's list is stored (newest answer) or the pull is
  refused with a Vietnamese message, writes no snapshot and leaves the cursor where it was, so
  the next pull reads the same changes again.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import polars as pl
import pytest
from conftest import NIGHT

from connectors import profiles_from
from connectors.http import PullRefused, RetryPolicy, pull
from doisoat import store
from doisoat.errors import TransientSourceError
from doisoat.store.writer import open_writer
from simulate.vendor_api import Faults, VendorApi, serve

CREDENTIALS = ("phong-gd", "mat-khau")
FAST = RetryPolicy(attempts=4, backoff_initial=0.01, backoff_max=0.02, timeout=2.0)
LATER = dt.datetime(2026, 6, 11, 7, 0)
Hook = Callable[["FaultyVendor", str, dict[str, str], dict[str, Any]], dict[str, Any]]


class HookedFaults(Faults):
    """The simulator's transport faults, with something done to the data when a 5xx is
    served (before the client retries)."""

    def __init__(self, on_5xx: Callable[[], None]) -> None:
        super().__init__()
        self.on_5xx = on_5xx

    def take(self) -> tuple[str, dict] | None:
        fault = super().take()
        if fault is not None and fault[0] == "5xx":
            self.on_5xx()
        return fault


class FaultyVendor(VendorApi):
    """The simulated vendor, whose answers pass through ``hooks`` (data faults)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hooks: list[Hook] = []
        self.pages_served = 0

    def honest_page(self, source: str, query: dict[str, str]) -> dict[str, Any]:
        return super().page(source, query)

    def page(self, source: str, query: dict[str, str]) -> dict[str, Any]:
        body = super().page(source, query)
        self.pages_served += 1
        for hook in self.hooks:
            body = hook(self, source, query, body)
        return body

    def change(self, source: str, rows: list[dict[str, Any]], class_name: str,
               when: dt.datetime = LATER) -> None:
        """The vendor edits these students at ``when``: a new class, a new change time."""
        keys = {(r["maTruong"], r["maHS"]) for r in rows}
        with self.lock:
            for row in self.rows[source]:
                if (row["maTruong"], row["maHS"]) in keys:
                    row["lop"] = class_name
        self.touch(source, keys, when)


def _small_pages(size: int = 50):
    """The shipped profiles with pages of ``size`` rows, so a school's list takes several."""
    profiles = []
    for profile in profiles_from(None):
        if profile.api is not None:
            key = {"page": "size", "offset": "limit", "cursor": "limit"}[
                str(profile.api.paginator["kind"])]
            api = profile.api.model_copy(update={"paginator": {**profile.api.paginator,
                                                               key: size}})
            profile = profile.model_copy(update={"api": api})
        profiles.append(profile)
    return tuple(profiles)


PROFILES = _small_pages()


@pytest.fixture
def vendor(district) -> FaultyVendor:
    base = VendorApi.from_district(district)
    return FaultyVendor(base.rows)


@contextmanager
def _client(vendor: FaultyVendor) -> Iterator[httpx.Client]:
    with serve(vendor) as url, httpx.Client(base_url=url) as client:
        yield client


def _pull(vendor: FaultyVendor, engine, source: str = "smas", night: dt.date = NIGHT,
          **kwargs: Any):
    with _client(vendor) as client:
        return pull(source, engine=engine, client=client, night=night,
                    credentials=CREDENTIALS, policy=FAST, profiles=PROFILES, **kwargs)


def _stored(engine, source: str) -> pl.DataFrame:
    return store.read_table(engine, "student_record").filter(pl.col("source") == source)


def _snapshots(engine, source: str) -> pl.DataFrame:
    return store.read_table(engine, "source_snapshot").filter(pl.col("source") == source)


def _cursor(engine, source: str) -> dict[str, Any]:
    with open_writer(engine) as writer:
        return writer.cursor(source, "students")


def _truth(vendor: FaultyVendor, source: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["maTruong"], r["maHS"]): r for r in vendor.rows[source]}


def _holds(summary) -> None:
    """The pull's own arithmetic: every row read is stored, quarantined or a duplicate."""
    assert summary.rows_read == (summary.rows_stored + summary.rows_quarantined
                                 + summary.rows_duplicate)


def _all_stored(engine, vendor: FaultyVendor, source: str) -> pl.DataFrame:
    """Every row of the vendor's list is stored once, with the vendor's latest answer."""
    truth = _truth(vendor, source)
    got = _stored(engine, source)
    assert got.height == len(truth)
    keys = set(zip(got["school_code"], got["local_id"], strict=True))
    assert keys == set(truth)
    for school, local_id, class_name in got.select(
            "school_code", "local_id", "class_name").iter_rows():
        assert class_name == truth[(school, local_id)]["lop"]
    return got


def _refused(engine, vendor: FaultyVendor, source: str, caught: pytest.ExceptionInfo,
             cursor_before: dict[str, Any]) -> None:
    """Not applied: said in Vietnamese, no snapshot, the cursor where it was."""
    assert isinstance(caught.value, PullRefused)
    assert "không áp dụng" in caught.value.message_vi.lower()
    assert _snapshots(engine, source).height == 0
    assert _stored(engine, source).height == 0
    assert store.read_table(engine, "quarantined_row").filter(
        pl.col("source") == source).height == 0
    assert _cursor(engine, source) == cursor_before


# --- a page served twice ----------------------------------------------------------------------


def _repeat_page(at: int, of: int, times: int | None = None) -> Hook:
    served = {"n": 0}

    def hook(vendor, source, query, body):
        if source == "smas" and int(query.get("trang", 1)) == at and (
                times is None or served["n"] < times):
            served["n"] += 1
            return {**vendor.honest_page(source, {**query, "trang": str(of)}), "trang": at}
        return body
    return hook


def test_a_page_served_twice_every_time_is_refused(vendor, engine):
    vendor.hooks.append(_repeat_page(at=3, of=1))
    with pytest.raises(PullRefused) as caught:
        _pull(vendor, engine)
    _refused(engine, vendor, "smas", caught, {})
    assert "lặp lại" in caught.value.message_vi


def test_a_page_served_twice_once_is_read_again_and_nothing_is_lost(vendor, engine):
    vendor.hooks.append(_repeat_page(at=3, of=1, times=1))
    summary = _pull(vendor, engine)
    _holds(summary)
    _all_stored(engine, vendor, "smas")
    assert summary.rows_duplicate == 0 and summary.passes == 2
    assert summary.rows_stored == len(vendor.rows["smas"])


# --- rows that change while the pull runs -----------------------------------------------------


@pytest.mark.parametrize("source", ["smas", "vnedu", "moet"])
def test_rows_changed_between_a_500_and_its_retry_are_not_lost(vendor, engine, source):
    already_read = vendor.rows[source][:5]
    done = {"changed": False}

    def change_once() -> None:
        if not done["changed"]:
            done["changed"] = True
            vendor.change(source, already_read, "9Z")

    vendor.faults = HookedFaults(change_once)
    vendor.faults.add("ok", 1)
    vendor.faults.add("5xx", 1, status=500)
    summary = _pull(vendor, engine, source)
    assert done["changed"]
    _holds(summary)
    got = _all_stored(engine, vendor, source)
    assert got.filter(pl.col("class_name") == "9Z").height == 5
    # the next incremental pull finds nothing new: the cursor passed only what was stored
    again = _pull(vendor, engine, source, night=NIGHT + dt.timedelta(days=1))
    assert again.rows_read == 0


@pytest.mark.parametrize("source", ["smas", "vnedu", "moet"])
def test_rows_updated_mid_pull_are_not_lost(vendor, engine, source):
    already_read = vendor.rows[source][:3]

    def after_second_page(vendor, src, query, body):
        if vendor.pages_served == 2:
            vendor.change(src, already_read, "9Y")
        return body

    vendor.hooks.append(after_second_page)
    summary = _pull(vendor, engine, source)
    _holds(summary)
    got = _all_stored(engine, vendor, source)
    assert got.filter(pl.col("class_name") == "9Y").height == 3


def test_a_quarantined_student_edited_mid_pull_does_not_hide_a_skipped_row(vendor, engine):
    """The student read twice is one the pull quarantined (no name): still a sign that the
    list moved and a row behind it was skipped."""
    nameless = vendor.rows["smas"][0]
    nameless["hoTen"] = ""

    def after_second_page(vendor, src, query, body):
        if vendor.pages_served == 2:
            vendor.change(src, [nameless], "9Q")
        return body

    vendor.hooks.append(after_second_page)
    summary = _pull(vendor, engine)
    _holds(summary)
    assert summary.rows_quarantined == 1 and summary.passes == 2
    got = _stored(engine, "smas")
    expected = set(_truth(vendor, "smas")) - {(nameless["maTruong"], nameless["maHS"])}
    assert set(zip(got["school_code"], got["local_id"], strict=True)) == expected


def test_a_vendor_that_keeps_changing_rows_is_refused_not_half_applied(vendor, engine):
    first = _pull(vendor, engine, "vnedu")
    before = _cursor(engine, "vnedu")
    snapshots = _snapshots(engine, "vnedu").height
    vendor.change("vnedu", vendor.rows["vnedu"][:120], "9A")  # three pages of changes
    moving = {"n": 0}

    def always_moving(vendor, src, query, body):
        if src == "vnedu" and int(query.get("offset", 0)) > 0:
            moving["n"] += 1
            listing = [r for r in vendor.rows[src] if r["capNhatLuc"] >= LATER.isoformat()]
            # the first row this pull read is edited again: it moves to the end of the list
            vendor.change(src, listing[:1], f"M{moving['n']}",
                          LATER + dt.timedelta(minutes=moving["n"]))
        return body

    vendor.hooks.append(always_moving)
    with pytest.raises(PullRefused) as caught:
        _pull(vendor, engine, "vnedu", night=NIGHT + dt.timedelta(days=1))
    assert "thay đổi trong khi tải" in caught.value.message_vi
    assert _cursor(engine, "vnedu") == before == {"since": first.watermark}
    assert _snapshots(engine, "vnedu").height == snapshots


# --- a page count or a total that is not the list's --------------------------------------------


@pytest.mark.parametrize("source,key,value", [
    ("smas", "tongSoTrang", 1), ("smas", "tongSoTrang", 30),
    ("vnedu", "total", 40), ("vnedu", "total", 5000),
])
def test_a_misstated_page_count_or_total_is_refused(vendor, engine, source, key, value):
    def misstate(vendor, src, query, body):
        return {**body, key: value} if src == source else body

    vendor.hooks.append(misstate)
    with pytest.raises(PullRefused) as caught:
        _pull(vendor, engine, source)
    _refused(engine, vendor, source, caught, {})
    assert str(value) in caught.value.message_vi


def test_a_misstated_total_after_a_full_pull_keeps_the_last_watermark(vendor, engine):
    first = _pull(vendor, engine, "smas")
    vendor.change("smas", vendor.rows["smas"][:120], "9B")  # three pages of changes
    vendor.hooks.append(lambda v, src, q, body: {**body, "tongSoTrang": 1})
    with pytest.raises(PullRefused):
        _pull(vendor, engine, "smas", night=NIGHT + dt.timedelta(days=1))
    assert _cursor(engine, "smas") == {"since": first.watermark}
    assert set(_snapshots(engine, "smas")["night"]) == {NIGHT}
    vendor.hooks.clear()
    summary = _pull(vendor, engine, "smas", night=NIGHT + dt.timedelta(days=1))
    assert summary.rows_read == summary.rows_stored == 120


# --- rows that are not objects ----------------------------------------------------------------


@pytest.mark.parametrize("rows", [[1, 2, 3], ["HS0001"], [[1, "a"]], [None]])
def test_a_page_whose_rows_are_not_objects_is_refused_in_vietnamese(vendor, engine, rows):
    def broken(vendor, src, query, body):
        if src == "smas" and int(query.get("trang", 1)) == 2:
            return {**body, "data": rows + body["data"][len(rows):]}
        return body

    vendor.hooks.append(broken)
    with pytest.raises(PullRefused) as caught:
        _pull(vendor, engine)
    _refused(engine, vendor, "smas", caught, {})
    assert "không phải một đối tượng" in caught.value.message_vi


def test_values_that_are_objects_are_quarantined_not_a_crash(vendor, engine):
    def nested(vendor, src, query, body):
        if src == "smas" and int(query.get("trang", 1)) == 1:
            rows = [dict(r) for r in body["data"]]
            rows[0]["hoTen"] = {"ho": "Nguyễn"}
            rows[1]["ngaySinh"] = ["01/01/2012"]
            return {**body, "data": rows}
        return body

    vendor.hooks.append(nested)
    summary = _pull(vendor, engine)
    _holds(summary)
    assert summary.rows_read == len(vendor.rows["smas"])
    assert summary.rows_quarantined == 2
    kept = store.read_table(engine, "quarantined_row").filter(pl.col("source") == "smas")
    assert sorted(kept["column"]) == ["hoTen", "ngaySinh"]
    assert all("không phải một giá trị" in reason for reason in kept["reason_vi"])
    assert not _stored(engine, "smas")["full_name"].str.contains("{", literal=True).any()


# --- a cursor that never moves ----------------------------------------------------------------


def test_a_cursor_that_never_advances_stops_with_a_clear_error(vendor, engine):
    def stuck(vendor, src, query, body):
        if src == "moet":
            return {**body, "next_cursor": query.get("cursor") or body["next_cursor"]}
        return body

    vendor.hooks.append(stuck)
    with pytest.raises(PullRefused) as caught:
        _pull(vendor, engine, "moet")
    _refused(engine, vendor, "moet", caught, {})
    assert "con trỏ" in caught.value.message_vi
    assert vendor.pages_served <= 3


def test_a_cursor_that_goes_round_in_a_circle_stops(vendor, engine):
    """Page A says B comes next, B says A: each page brings new rows, the cursor moves, and
    yet the list never ends."""
    a, b = (base64.urlsafe_b64encode(str(n).encode()).decode() for n in (50, 100))

    def circle(vendor, src, query, body):
        if src == "moet" and query.get("cursor") in (a, b):
            return {**body, "next_cursor": b if query["cursor"] == a else a}
        return body

    vendor.hooks.append(circle)
    with pytest.raises(PullRefused) as caught:
        _pull(vendor, engine, "moet")
    _refused(engine, vendor, "moet", caught, {})
    assert "con trỏ" in caught.value.message_vi
    assert vendor.pages_served == 3


def test_a_server_that_ignores_the_page_number_stops(vendor, engine):
    """Full pages forever, always the first: the pull stops at the first page that brings
    nothing new instead of reading until the deadline."""
    def first_page_always(vendor, src, query, body):
        if src == "smas":
            return {**vendor.honest_page(src, {**query, "trang": "1"}), "tongSoTrang": 999}
        return body

    vendor.hooks.append(first_page_always)
    with pytest.raises(PullRefused):
        _pull(vendor, engine)
    assert vendor.pages_served <= 2 * 3  # a page or two per pass, three passes at most
    assert _snapshots(engine, "smas").height == 0


# --- the summary a person reads ---------------------------------------------------------------


def test_the_summary_says_read_stored_quarantined_and_duplicates(vendor, engine):
    summary = _pull(vendor, engine)
    text = summary.message_vi()
    assert f"Đã đọc {summary.rows_read} dòng" in text
    assert f"lưu {summary.rows_stored}" in text
    assert "trùng" in text


def test_a_full_pull_takes_back_a_run_left_half_way(vendor, engine):
    vendor.faults.add("ok", 1)
    vendor.faults.add("5xx", FAST.attempts)
    with pytest.raises(TransientSourceError):
        _pull(vendor, engine)
    assert set(_snapshots(engine, "smas")["status"]) == {"loading"}
    summary = _pull(vendor, engine, full=True)
    assert not summary.resumed
    _all_stored(engine, vendor, "smas")
    assert set(_snapshots(engine, "smas")["status"]) == {"loaded"}


def test_the_command_says_a_refused_pull_in_vietnamese(vendor, engine, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from service.cli import app

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    vendor.hooks.append(lambda v, src, q, body: {**body, "tongSoTrang": 1})
    monkeypatch.setenv("DOISOAT_PULL_PASSWORD", CREDENTIALS[1])
    with serve(vendor) as base:
        result = CliRunner().invoke(app, ["pull", "smas", "--base-url", base, "--user",
                                          CREDENTIALS[0], "--url", url, "--night", "2026-06-10"])
    assert result.exit_code == 1
    assert "Không áp dụng lần tải từ smas" in result.output
    assert "Traceback" not in result.output
