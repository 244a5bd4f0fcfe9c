"""The next night: same people, new snapshot ids, and exactly the locked edits the truth lists."""

from __future__ import annotations

import json

import polars as pl

from simulate import generate, next_night


def test_next_night_changes_only_the_edits_it_reports():
    first = generate(6_000, seed=8)
    second = next_night(first)
    assert second.night > first.night
    assert not set(first.records["record_id"]) & set(second.records["record_id"])
    assert second.records.height == first.records.height
    before = first.subject_results.join(
        first.records.select("record_id", "school_code", "local_id"), on="record_id"
    )
    after = second.subject_results.join(
        second.records.select("record_id", "school_code", "local_id"), on="record_id"
    )
    key = ["school_code", "local_id", "term", "subject"]
    both = before.join(after, on=key, suffix="_after")
    assert both.height == before.height == after.height
    changed = both.filter(
        (pl.col("final") != pl.col("final_after")) | (pl.col("average") != pl.col("average_after"))
    )
    edited = {
        (r["school_code"], r["local_id"], r["subject"])
        for r in changed.filter(pl.col("term") == "1").iter_rows(named=True)
    }
    locals_ = dict(zip(second.records["record_id"], second.records["local_id"], strict=True))
    truth = {
        (r["school_code"], locals_[r["record_id"]], json.loads(r["detail"])["subject"])
        for r in second.problems.filter(pl.col("problem") == "LOCKED_PERIOD_EDITED").iter_rows(
            named=True
        )
    }
    approved = {
        (r["school_code"], r["local_id"], r["subject"])
        for r in second.approvals.iter_rows(named=True)
    }
    assert edited, "some locked grades must change"
    assert edited == truth | approved
    assert not truth & approved
    # only term 1 moves (and the year average it feeds)
    assert set(changed["term"].unique()) <= {"1", "year"}
