"""Pulls against the simulated vendor API on a real loopback server, with each fault."""

from __future__ import annotations

import datetime as dt

import httpx
import polars as pl
import pytest
from conftest import NIGHT

from connectors.http import RetryPolicy, pull
from doisoat import store
from doisoat.errors import TransientSourceError
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
    changed = [row["maHS"] for row in api.rows["moet"][:3]]
    api.touch("moet", changed, dt.datetime(2026, 6, 11, 7, 0))
    second = pull("moet", engine=engine, client=server, night=NIGHT + dt.timedelta(days=1),
                  credentials=CREDENTIALS, policy=FAST)
    assert second.rows_read == 3 and second.since == first.watermark
    latest = store.read_table(engine, "student_record").filter(
        pl.col("snapshot_id") == second.snapshot_id)
    assert sorted(latest["moet_code"].to_list()) == sorted(changed)
    third = pull("moet", engine=engine, client=server, night=NIGHT + dt.timedelta(days=2),
                 credentials=CREDENTIALS, policy=FAST)
    assert third.rows_read == 0
