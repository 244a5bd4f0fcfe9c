"""Conflicts across nights (lifecycle, acknowledgement, audit trail) and the sync deadline."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

import simulate
from doisoat.errors import ReconcileError
from reconcile.conflicts.base import CONFLICT_COLUMNS
from reconcile.conflicts.sync import SchoolCalendar, due_term, last_sync_by_school, sync_overdue
from reconcile.lifecycle import acknowledge, history, merge_night, read_conflicts

N1, N2, N3, N4 = (dt.date(2026, 6, d) for d in (10, 11, 12, 13))


def conflicts(*ids: str, kind: str = "DUAL_ENROLLMENT", message: str = "m") -> pl.DataFrame:
    rows = [
        {
            "conflict_id": cid,
            "type": kind,
            "severity": "high",
            "school_code": "79000001",
            "record_ids": [f"smas:2:{cid}"],
            "evidence": json.dumps({"cid": cid}),
            "suggested_fix": "fix",
            "message_vi": f"{message} {cid}",
        }
        for cid in ids
    ]
    return pl.DataFrame(rows, schema=CONFLICT_COLUMNS)


def table(engine) -> dict[str, dict]:
    return {r["conflict_id"]: r for r in read_conflicts(engine).iter_rows(named=True)}


def test_statuses_follow_the_conflicts_night_after_night(engine):
    first = merge_night(engine, conflicts("A", "B"), night=N1, run_id=1)
    assert (first.new, first.resolved) == (2, 0)
    assert {r["status"] for r in table(engine).values()} == {"new"}

    second = merge_night(engine, conflicts("A", "C", message="updated"), night=N2, run_id=2)
    assert (second.new, second.persisting, second.resolved) == (1, 1, 1)
    rows = table(engine)
    assert rows["A"]["status"] == "persisting"
    assert rows["A"]["first_seen"] == N1 and rows["A"]["last_seen"] == N2
    assert rows["A"]["message_vi"] == "updated A"  # tonight's wording and evidence win
    assert rows["A"]["last_run_id"] == 2
    assert rows["B"]["status"] == "resolved" and rows["B"]["resolved_on"] == N2
    assert rows["C"]["status"] == "new" and rows["C"]["first_seen"] == N2
    assert json.loads(rows["C"]["record_ids"]) == ["smas:2:C"]

    fourth = merge_night(engine, conflicts("A", "B"), night=N3)
    rows = table(engine)
    assert fourth.reopened == 1
    assert rows["B"]["status"] == "reopened" and rows["B"]["resolved_on"] is None
    assert rows["B"]["first_seen"] == N1
    assert [e["action"] for e in history(engine, "B").iter_rows(named=True)] == [
        "conflict.new",
        "conflict.resolved",
        "conflict.reopened",
    ]

    merge_night(engine, conflicts("A", "B"), night=N4)
    assert table(engine)["B"]["status"] == "persisting"


def test_acknowledged_conflicts_stay_acknowledged_while_they_persist(engine):
    merge_night(engine, conflicts("A"), night=N1)
    acknowledge(engine, "A", "Cô Lan (Phó hiệu trưởng)", "Học sinh đang chờ hồ sơ từ Bình Dương")
    merge_night(engine, conflicts("A"), night=N2)
    row = table(engine)["A"]
    assert row["status"] == "acknowledged"
    assert row["acknowledged_by"] == "Cô Lan (Phó hiệu trưởng)"
    assert row["acknowledged_reason"] == "Học sinh đang chờ hồ sơ từ Bình Dương"
    ack = [
        e
        for e in history(engine, "A").iter_rows(named=True)
        if e["action"] == "conflict.acknowledged"
    ]
    assert len(ack) == 1 and ack[0]["actor"] == "Cô Lan (Phó hiệu trưởng)"
    assert json.loads(ack[0]["before"])["status"] == "new"

    merge_night(engine, conflicts(), night=N3)
    assert table(engine)["A"]["status"] == "resolved"
    merge_night(engine, conflicts("A"), night=N4)
    row = table(engine)["A"]
    assert row["status"] == "reopened" and row["acknowledged_by"] is None


def test_a_conflict_whose_id_changed_keeps_its_history_and_acknowledgement(engine):
    """The stable key gained the school: the first night after the upgrade gives the same
    problems new ids. They are not "resolved" and "new": they carry on, acknowledged or not."""

    def about(cid: str, local: str, snapshot: int, kind: str = "ID_MISSING") -> pl.DataFrame:
        frame = conflicts(cid, kind=kind)
        return frame.with_columns(pl.lit([f"smas:{snapshot}:{local}"]).alias("record_ids"))

    merge_night(engine, pl.concat([about("old-A", "HS0001", 2), about("old-B", "HS0002", 2),
                                   about("old-G1", "HS0003", 2, "GRADE_AVERAGE_MISMATCH"),
                                   about("old-G2", "HS0003", 2, "GRADE_AVERAGE_MISMATCH")]),
                night=N1)
    acknowledge(engine, "old-A", "Cô Lan", "Đang chờ giấy khai sinh")
    tonight = pl.concat([about("new-A", "HS0001", 3), about("new-B", "HS0002", 3),
                         about("new-G1", "HS0003", 3, "GRADE_AVERAGE_MISMATCH"),
                         about("new-G2", "HS0003", 3, "GRADE_AVERAGE_MISMATCH")])
    summary = merge_night(engine, tonight, night=N2)
    rows = table(engine)
    assert "old-A" not in rows and "old-B" not in rows
    assert rows["new-A"]["status"] == "acknowledged"
    assert (rows["new-A"]["acknowledged_by"], rows["new-A"]["acknowledged_reason"]) == (
        "Cô Lan", "Đang chờ giấy khai sinh")
    assert rows["new-A"]["first_seen"] == N1 and rows["new-B"]["first_seen"] == N1
    assert rows["new-B"]["status"] == "persisting"
    # two conflicts of one kind about one record (two subjects): which is which is not known,
    # so they are not guessed: the old ones resolve, the new ones are new
    assert rows["old-G1"]["status"] == rows["old-G2"]["status"] == "resolved"
    assert rows["new-G1"]["status"] == rows["new-G2"]["status"] == "new"
    assert (summary.new, summary.persisting, summary.acknowledged, summary.resolved) == (
        2, 1, 1, 2)
    renamed = [e for e in history(engine, "new-A").iter_rows(named=True)
               if e["action"] == "conflict.renamed"]
    assert len(renamed) == 1 and json.loads(renamed[0]["before"])["conflict_id"] == "old-A"
    again = merge_night(engine, tonight, night=N2)
    assert again.resolved == 0 and table(engine) == rows  # a re-run changes nothing


def test_rerunning_a_night_changes_nothing_and_history_is_append_only(engine):
    merge_night(engine, conflicts("A", "B"), night=N1)
    merge_night(engine, conflicts("A"), night=N2)
    before = table(engine)
    events = len(history(engine, "A")) + len(history(engine, "B"))
    again = merge_night(engine, conflicts("A"), night=N2)
    assert again.new == again.resolved == again.reopened == 0
    assert table(engine) == before
    assert len(history(engine, "A")) + len(history(engine, "B")) == events
    with pytest.raises(ReconcileError) as err:
        merge_night(engine, conflicts("A"), night=N1)
    assert "cũ hơn" in err.value.message_vi


def test_only_what_was_checked_tonight_can_resolve(engine):
    merge_night(
        engine, pl.concat([conflicts("A"), conflicts("G", kind="GRADE_AVERAGE_MISMATCH")]), night=N1
    )
    merge_night(engine, conflicts(), night=N2, checked_types=["DUAL_ENROLLMENT"])
    rows = table(engine)
    assert rows["A"]["status"] == "resolved"
    assert rows["G"]["status"] == "new"
    merge_night(engine, conflicts(), night=N3, checked_schools=["01000099"])
    assert table(engine)["G"]["status"] == "new"


def test_acknowledging_needs_a_reason_and_an_open_conflict(engine):
    merge_night(engine, conflicts("A"), night=N1)
    with pytest.raises(ReconcileError):
        acknowledge(engine, "A", "Thầy Minh", "  ")
    with pytest.raises(ReconcileError):
        acknowledge(engine, "nope", "Thầy Minh", "lý do")
    merge_night(engine, conflicts(), night=N2)
    with pytest.raises(ReconcileError) as err:
        acknowledge(engine, "A", "Thầy Minh", "lý do")
    assert "11/06/2026" in err.value.message_vi


# -- SYNC_OVERDUE ----------------------------------------------------------------------------------
CALENDAR = SchoolCalendar("2025-2026", dt.date(2026, 1, 17), dt.date(2026, 5, 30))


def schools(**last_sync: dt.date | None) -> pl.DataFrame:
    return pl.DataFrame(
        {"school_code": list(last_sync), "last_sync": list(last_sync.values())},
        schema={"school_code": pl.Utf8, "last_sync": pl.Date},
    )


def test_a_school_that_has_not_synced_since_the_year_ended_is_overdue():
    frame = schools(A=dt.date(2026, 6, 2), B=dt.date(2026, 1, 20), C=None)
    out = sync_overdue(frame, night=dt.date(2026, 6, 10), calendar=CALENDAR)
    assert sorted(out["school_code"].to_list()) == ["B", "C"]
    b = out.filter(pl.col("school_code") == "B").row(0, named=True)
    evidence = json.loads(b["evidence"])
    assert evidence["term"] == "year" and evidence["deadline"] == "2026-06-06"
    assert evidence["days_overdue"] == 4
    assert "20/01/2026" in b["message_vi"] and "06/06/2026" in b["message_vi"]
    c = out.filter(pl.col("school_code") == "C").row(0, named=True)
    assert "chưa từng đồng bộ" in c["message_vi"]


def test_before_the_year_deadline_the_term_one_deadline_counts():
    frame = schools(B=dt.date(2026, 1, 20), D=dt.date(2026, 1, 10))
    out = sync_overdue(frame, night=dt.date(2026, 6, 5), calendar=CALENDAR)
    assert out["school_code"].to_list() == ["D"]
    assert json.loads(out["evidence"][0])["term"] == "1"
    # in the autumn, last year's end is what is due
    assert due_term(CALENDAR, dt.date(2025, 10, 1))[:2] == ("2024-2025", "year")
    # the same school late on two nights keeps its conflict id
    again = sync_overdue(frame, night=dt.date(2026, 6, 6), calendar=CALENDAR)
    assert again["conflict_id"].to_list() == out["conflict_id"].to_list()


def test_last_sync_comes_from_the_latest_registry_snapshot_of_each_school():
    snaps = pl.DataFrame(
        {
            "source": ["moet", "moet", "moet", "smas", "moet"],
            "school_code": ["A", "A", "B", "B", None],
            "night": [
                dt.date(2026, 6, 1),
                dt.date(2026, 6, 3),
                dt.date(2026, 1, 19),
                dt.date(2026, 6, 9),
                dt.date(2026, 6, 9),
            ],
            "status": ["loaded", "loaded", "loaded", "loaded", "loaded"],
        }
    )
    last = dict(last_sync_by_school(snaps).iter_rows())
    assert last == {"A": dt.date(2026, 6, 3), "B": dt.date(2026, 1, 19)}


def test_sync_overdue_finds_exactly_the_simulated_late_schools():
    late_somewhere = 0
    for seed in (1, 2):
        district = simulate.generate(12_000, seed)
        calendar = SchoolCalendar.from_mapping(simulate.school_calendar(district.night))
        out = sync_overdue(district.schools, night=district.night, calendar=calendar)
        truth = district.problems.filter(pl.col("problem") == "SYNC_OVERDUE")
        assert sorted(out["school_code"].to_list()) == sorted(truth["school_code"].to_list())
        late_somewhere += truth.height
    assert late_somewhere > 0
