"""Pulls against the simulated vendor API on a real loopback server, with each fault."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import httpx
import polars as pl
import pytest
from conftest import NIGHT

from connectors.http import RetryPolicy, pull
from doisoat import store
from doisoat.errors import TransientSourceError
from doisoat.model import OPEN_CONFLICT_STATUSES
from doisoat.store.writer import open_writer
from simulate.vendor_api import VendorApi, serve

CREDENTIALS = ("phong-gd", "mat-khau")
FAST = RetryPolicy(attempts=6, backoff_initial=0.01, backoff_max=0.05, timeout=1.0)


@pytest.fixture
def api(district):
    return VendorApi.from_district(district)


@pytest.fixture
def server(api):
    with serve(api) as url, httpx.Client(base_url=url) as client:
        yield client


def _records(engine, source):
    return store.read_table(engine, "student_record").filter(pl.col("source") == source)


def _snapshots(engine, source):
    return store.read_table(engine, "source_snapshot").filter(pl.col("source") == source)


@pytest.fixture
def two_smas_schools(district):
    """The district with its vnEdu school moved to SMAS: one vendor, two schools, each
    numbering its students from HS0001, as vendors do."""
    records = district.records.with_columns(
        pl.when(pl.col("source") == "vnedu").then(pl.lit("smas"))
        .otherwise(pl.col("source")).alias("source"))
    return replace(district, records=records)


@pytest.mark.parametrize("source", ["smas", "vnedu", "moet"])
def test_full_pull_matches_the_source(district, api, server, engine, source):
    summary = pull(source, engine=engine, client=server, night=NIGHT, credentials=CREDENTIALS,
                   policy=FAST)
    truth = district.records.filter(pl.col("source") == source)
    got = _records(engine, source)
    assert summary.rows_read == got.height == truth.height
    assert summary.pages >= 2
    key = "moet_code" if source == "moet" else "local_id"
    joined = truth.join(got, on=key, suffix="_got")
    assert joined.height == truth.height
    for name in ("full_name", "dob", "gender", "class_name", "status"):
        assert joined.filter(~pl.col(name).eq_missing(pl.col(f"{name}_got"))).height == 0


@pytest.mark.parametrize("fault,options", [
    ("5xx", {"status": 503}), ("5xx", {"status": 500}), ("drop", {}), ("truncate", {}),
    ("429", {"retry_after": 0}), ("slow", {"seconds": 1.5}),
])
def test_pull_survives_faults(district, api, server, engine, fault, options):
    api.faults.add("ok", 1)
    api.faults.add(fault, 2, **options)
    summary = pull("smas", engine=engine, client=server, night=NIGHT, credentials=CREDENTIALS,
                   policy=FAST)
    got = _records(engine, "smas")
    assert got.height == summary.rows_read == district.records.filter(
        pl.col("source") == "smas").height
    assert got["local_id"].n_unique() == got.height
    assert not api.faults.queue  # every fault was met


def test_crashed_pull_resumes_without_duplicates(district, api, server, engine):
    api.faults.add("ok", 1)  # page 1 arrives, then the server keeps failing
    api.faults.add("5xx", 3)
    with pytest.raises(TransientSourceError):
        pull("vnedu", engine=engine, client=server, night=NIGHT, credentials=CREDENTIALS,
             policy=RetryPolicy(attempts=3, backoff_initial=0.01))
    partial = _records(engine, "vnedu")
    assert 0 < partial.height < district.records.filter(pl.col("source") == "vnedu").height
    summary = pull("vnedu", engine=engine, client=server, night=NIGHT, credentials=CREDENTIALS,
                   policy=FAST)
    assert summary.resumed
    got = _records(engine, "vnedu")
    assert got.height == district.records.filter(pl.col("source") == "vnedu").height
    assert got["record_id"].n_unique() == got.height
    assert got["snapshot_id"].n_unique() == 1


def test_incremental_pull_reads_only_what_changed(api, server, engine):
    first = pull("moet", engine=engine, client=server, night=NIGHT, credentials=CREDENTIALS,
                 policy=FAST)
    assert first.rows_read > 0
    changed = [(row["maTruong"], row["maHS"]) for row in api.rows["moet"][:3]]
    api.touch("moet", changed, dt.datetime(2026, 6, 11, 7, 0))
    second = pull("moet", engine=engine, client=server, night=NIGHT + dt.timedelta(days=1),
                  credentials=CREDENTIALS, policy=FAST)
    assert second.rows_read == second.rows_stored == 3 and second.since == first.watermark
    # each school the three belong to gets a whole snapshot: the change set on its last one
    schools = {school for school, _code in changed}
    assert set(second.snapshot_ids) == schools
    latest = store.read_table(engine, "student_record").filter(
        pl.col("snapshot_id").is_in(list(second.snapshot_ids.values())))
    before = store.read_table(engine, "student_record").filter(
        pl.col("snapshot_id").is_in([first.snapshot_ids[school] for school in schools]))
    assert sorted(latest["moet_code"]) == sorted(before["moet_code"])
    assert second.rows_carried == before.height - 3
    third = pull("moet", engine=engine, client=server, night=NIGHT + dt.timedelta(days=2),
                 credentials=CREDENTIALS, policy=FAST)
    assert third.rows_read == 0


def test_district_pull_keeps_each_schools_students(two_smas_schools, engine):
    truth = two_smas_schools.records.filter(pl.col("source") == "smas")
    by_school = truth.group_by("school_code").agg(pl.col("local_id"))
    first, second = (set(ids) for ids in by_school["local_id"].to_list())
    assert first & second  # the two schools share local ids
    api = VendorApi.from_district(two_smas_schools)
    with serve(api) as url, httpx.Client(base_url=url) as client:
        summary = pull("smas", engine=engine, client=client, night=NIGHT,
                       credentials=CREDENTIALS, policy=FAST)
    got = _records(engine, "smas")
    assert summary.rows_read == truth.height == got.height + summary.rows_quarantined
    assert summary.rows_quarantined == 0
    joined = truth.join(got, on=["school_code", "local_id"], suffix="_got")
    assert joined.height == truth.height
    assert joined.filter(pl.col("full_name") != pl.col("full_name_got")).height == 0
    # one snapshot per source, school and night, each with its own counts
    snapshots = _snapshots(engine, "smas").sort("school_code")
    counts = truth.group_by("school_code").len().sort("school_code")
    assert snapshots["school_code"].to_list() == counts["school_code"].to_list()
    assert snapshots["rows_read"].to_list() == counts["len"].to_list()
    assert set(snapshots["status"]) == {"loaded"}
    assert dict(zip(snapshots["school_code"], snapshots["id"], strict=True)) == \
        summary.snapshot_ids
    stored = got.group_by("snapshot_id").agg(pl.col("school_code").unique())
    assert all(len(codes) == 1 for codes in stored["school_code"].to_list())


def test_crashed_district_pull_resumes_each_schools_snapshot(two_smas_schools, engine):
    truth = two_smas_schools.records.filter(pl.col("source") == "smas")
    api = VendorApi.from_district(two_smas_schools)
    with serve(api) as url, httpx.Client(base_url=url) as client:
        api.faults.add("ok", 1)  # page 1 arrives, then the server keeps failing
        api.faults.add("5xx", 3)
        with pytest.raises(TransientSourceError):
            pull("smas", engine=engine, client=client, night=NIGHT, credentials=CREDENTIALS,
                 policy=RetryPolicy(attempts=3, backoff_initial=0.01))
        before = _snapshots(engine, "smas")
        assert set(before["status"]) == {"loading"}
        summary = pull("smas", engine=engine, client=client, night=NIGHT,
                       credentials=CREDENTIALS, policy=FAST)
    assert summary.resumed
    got = _records(engine, "smas")
    assert got.height == truth.height == summary.rows_read
    assert got["record_id"].n_unique() == got.height
    after = _snapshots(engine, "smas")
    assert after.height == truth["school_code"].n_unique()  # continued, not opened again
    assert set(before["id"]) <= set(after["id"])
    assert set(after["status"]) == {"loaded"}
    assert sum(after["rows_read"]) == truth.height


def test_touch_changes_one_schools_student(two_smas_schools, engine):
    api = VendorApi.from_district(two_smas_schools)
    rows = api.rows["smas"]
    shared = next(r["maHS"] for r in rows
                  if sum(o["maHS"] == r["maHS"] for o in rows) == 2)
    school = next(r["maTruong"] for r in rows if r["maHS"] == shared)
    api.touch("smas", [(school, shared)], dt.datetime(2026, 6, 11, 7, 0))
    changed = [r for r in api.rows["smas"] if r["capNhatLuc"] == "2026-06-11T07:00:00"]
    assert [(r["maTruong"], r["maHS"]) for r in changed] == [(school, shared)]


def test_a_run_an_older_version_saved_starts_again(district, server, engine):
    """An older version saved one school-less snapshot per run: its run is read again from
    the first page rather than resumed into the wrong snapshot."""
    with open_writer(engine) as writer, writer.transaction() as out:
        out.save_cursor("smas", "students", {"since": None, "run": {
            "snapshot_id": 99, "page": "2", "since": None, "max_updated": None,
            "rows_read": 200, "rows_quarantined": 0}})
    summary = pull("smas", engine=engine, client=server, night=NIGHT, credentials=CREDENTIALS,
                   policy=FAST)
    truth = district.records.filter(pl.col("source") == "smas")
    assert not summary.resumed
    assert summary.rows_read == _records(engine, "smas").height == truth.height


def _open_conflicts(engine) -> set[str]:
    conflicts = store.read_table(engine, "conflict", columns=["conflict_id", "status"])
    return set(conflicts.filter(pl.col("status").is_in(OPEN_CONFLICT_STATUSES))["conflict_id"])


def _smas_identities(engine) -> int:
    identities = store.read_table(engine, "identity", columns=["record_id"])
    return identities.filter(pl.col("record_id").str.starts_with("smas:")).height


def test_an_incremental_pull_is_a_change_set_on_the_last_snapshot(district, api, server,
                                                                   engine, tmp_path):
    """After a full pull and a night, an incremental pull of three changed students is
    applied to the school's last snapshot: the next night still sees every student, the
    three with their new answer, and no conflict is resolved that nobody fixed."""
    from service.config import Settings
    from service.night.pipeline import run_nightly
    from simulate.load import load_school_directory

    settings = Settings(reports_dir=tmp_path / "reports")
    load_school_directory(engine, district)
    for source in ("moet", "smas", "vnedu"):
        pull(source, engine=engine, client=server, night=NIGHT, credentials=CREDENTIALS,
             policy=FAST)
    assert run_nightly(engine, night=NIGHT, settings=settings).status == "committed"
    population = district.records.filter(pl.col("source") == "smas").height
    assert _smas_identities(engine) == population
    before = _open_conflicts(engine)
    assert before

    changed = api.rows["smas"][:3]
    with api.lock:
        for row in changed:
            row["lop"] = "9Z"
    api.touch("smas", [(r["maTruong"], r["maHS"]) for r in changed],
              dt.datetime(2026, 6, 11, 7, 0))
    later = NIGHT + dt.timedelta(days=1)
    summary = pull("smas", engine=engine, client=server, night=later,
                   credentials=CREDENTIALS, policy=FAST)
    assert summary.rows_read == summary.rows_stored == 3
    assert summary.rows_carried == population - 3
    (snapshot_id,) = summary.snapshot_ids.values()
    latest = _records(engine, "smas").filter(pl.col("snapshot_id") == snapshot_id)
    assert latest.height == population
    assert latest["local_id"].n_unique() == population
    moved = latest.filter(pl.col("local_id").is_in([r["maHS"] for r in changed]))
    assert moved["class_name"].to_list() == ["9Z"] * 3
    snapshot = _snapshots(engine, "smas").filter(pl.col("id") == snapshot_id)
    assert snapshot["status"].to_list() == ["loaded"]
    assert snapshot["rows_accepted"].to_list() == [population]

    assert run_nightly(engine, night=later, settings=settings).status == "committed"
    assert _smas_identities(engine) == population
    after = _open_conflicts(engine)
    resolved = store.read_table(engine, "conflict", "status = 'resolved'")
    assert resolved.height == 0
    assert before <= after
