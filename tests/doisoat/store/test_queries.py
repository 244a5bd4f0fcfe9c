"""The store's named questions answer what the organs and the night ask, on every backend.

A small district by hand: two schools of one vendor and the registry over two nights, one
snapshot left out, a school the directory does not know, conflicts across the nights, runs.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from doisoat import store
from doisoat.model import STUDENT_COLUMNS
from doisoat.store import queries, runs

MON, TUE = dt.date(2026, 3, 2), dt.date(2026, 3, 3)
AT = dt.datetime(2026, 3, 3, 1, 0, tzinfo=dt.UTC)

# id, source, school, night, status
SNAPSHOTS = [
    (1, "smas", "79000001", MON, "loaded"),
    (2, "smas", "79000002", MON, "loaded"),
    (3, "moet", "79000001", MON, "loaded"),
    (4, "smas", "79000001", TUE, "loaded"),
    (5, "smas", "79000002", TUE, "excluded"),  # tonight's export of school 2 was left out
    (6, "smas", "79000009", TUE, "loaded"),  # a school the directory does not know
]
STUDENTS_PER_SNAPSHOT = 3


def _record_id(snapshot_id: int, i: int) -> str:
    source = next(s[1] for s in SNAPSHOTS if s[0] == snapshot_id)
    return f"{source}:{snapshot_id}:HS{i}"


def _records() -> pl.DataFrame:
    rows = [
        {c: None for c in STUDENT_COLUMNS}
        | {
            "record_id": _record_id(snap, i),
            "source": source,
            "snapshot_id": snap,
            "school_code": school,
            "local_id": f"HS{i}",
            "family_name": "Lê",
            "middle_name": "Văn",
            "given_name": f"An{i}",
            "full_name": f"Lê Văn An{i}",
            "dob": dt.date(2011, 1 + i, 1),
            "grade": 11 if school == "79000009" else 7,
            "school_year": "2025-2026",
            "status": "studying",
        }
        for snap, source, school, _night, _status in SNAPSHOTS
        for i in range(STUDENTS_PER_SNAPSHOT)
    ]
    return pl.DataFrame(
        rows, schema_overrides={"dob": pl.Date, "status_date": pl.Date}, infer_schema_length=None
    )


def _conflict(cid: str, status: str, first: dt.date, last: dt.date, **more: object) -> dict:
    return {
        "conflict_id": cid, "type": "DUPLICATE_MOET_CODE", "severity": "high",
        "school_code": "79000001", "record_ids": json.dumps([_record_id(1, 0)]),
        "status": status, "first_seen": first, "last_seen": last, "resolved_on": None,
        "evidence": "{}", "suggested_fix": "", "message_vi": "",
    } | more  # fmt: skip


@pytest.fixture
def district(engine):
    store.bulk_insert(
        engine,
        "school",
        pl.DataFrame(
            {
                "school_code": ["79000001", "79000002"],
                "name": ["THCS A", "THCS B"],
                "level": ["thcs", "thcs"],
                "province_code": ["79", "79"],
                "district": ["", ""],
                "vendor": ["smas", "smas"],
                "last_sync": [MON, None],
            }
        ),
    )
    store.bulk_insert(
        engine,
        "source_snapshot",
        pl.DataFrame(
            [
                {"id": i, "source": src, "school_code": school, "night": night, "status": status,
                 "taken_at": AT, "origin": "", "content_hash": f"h{i}", "rows_read": 3,
                 "rows_accepted": 3, "rows_quarantined": 0}
                for i, src, school, night, status in SNAPSHOTS
            ]
        ),  # fmt: skip
    )
    records = _records()
    store.bulk_insert(engine, "student_record", records)
    store.bulk_insert(
        engine,
        "subject_result",
        records.select(
            "record_id",
            pl.lit("2025-2026").alias("school_year"),
            pl.lit("1").alias("term"),
            pl.lit("toan").alias("subject"),
            pl.lit("[]").alias("regular_scores"),
            pl.lit(8.0).alias("average"),
        ),
    )
    store.bulk_insert(
        engine,
        "conflict",
        pl.DataFrame(
            [
                _conflict("open-both", "persisting", MON, TUE),
                _conflict("monday-only", "resolved", MON, MON, resolved_on=TUE),
                _conflict("gone", "resolved", MON, MON, resolved_on=MON),
                _conflict("acked", "acknowledged", TUE, TUE, school_code="79000002",
                          record_ids=json.dumps([_record_id(2, 1)])),
            ]  # fmt: skip
        ),
    )
    store.bulk_insert(
        engine,
        "link_decision",
        pl.DataFrame(
            {
                "left_id": [_record_id(1, 0)],
                "right_id": [_record_id(3, 0)],
                "decision": ["same"],
                "decided_by": ["to.truong"],
                "decided_at": [AT],
                "reason": ["cùng một học sinh"],
            }
        ),
    )
    store.bulk_insert(
        engine,
        "identity",
        pl.DataFrame({"record_id": [_record_id(1, 1)], "identity_id": ["moet:7900000001"]}),
    )
    engine.dispose()  # bulk reads open the SQLite file with their own library
    return engine


def test_snapshot_questions(district):
    latest = queries.latest_snapshots(district)
    # The newest loaded snapshot of each (source, school): school 2's Tuesday export is excluded.
    assert sorted(latest["id"].to_list()) == [2, 3, 4, 6]
    assert sorted(queries.loaded_snapshots(district)["id"].to_list()) == [1, 2, 3, 4, 6]
    assert queries.excluded_snapshot_ids(district, TUE) == [5]
    assert queries.excluded_snapshot_ids(district, MON) == []
    tuesday = queries.snapshots_of_night(district, TUE)
    assert sorted(tuesday["id"].to_list()) == [4, 5, 6]
    assert tuesday.columns == queries.SNAPSHOT_COLUMNS
    assert queries.snapshot_history(district).height == len(SNAPSHOTS)


def test_record_questions(district):
    records = queries.records_of_snapshots(district, [2, 4])
    assert sorted(records["record_id"].to_list()) == sorted(
        _record_id(s, i) for s in (2, 4) for i in range(STUDENTS_PER_SNAPSHOT)
    )
    assert records.schema["dob"] == pl.Date
    assert queries.records_of_snapshots(district, []).height == 0
    wanted = [_record_id(4, 2), _record_id(1, 0), "smas:99:nobody"]
    found = queries.records_by_id(district, wanted, columns=["record_id", "full_name"])
    assert sorted(found["record_id"].to_list()) == sorted(wanted[:2])
    assert found.columns == ["record_id", "full_name"]
    # More ids than one statement may bind on SQLite: read in chunks, none lost.
    many = [_record_id(s[0], i) for s in SNAPSHOTS for i in range(3)] + [
        f"x:{i}" for i in range(2_000)
    ]
    assert queries.records_by_id(district, many).height == len(SNAPSHOTS) * 3
    decided = queries.decided_records(district, columns=["record_id", "school_code"])
    assert sorted(decided["record_id"].to_list()) == sorted([_record_id(1, 0), _record_id(3, 0)])
    identified = queries.identified_records(district, columns=["record_id"])
    assert identified["record_id"].to_list() == [_record_id(1, 1)]
    counts = queries.student_counts(district, TUE).sort("school_code")
    assert counts.rows() == [("79000001", "smas", 3), ("79000002", "smas", 3),
                             ("79000009", "smas", 3)]  # fmt: skip


def test_grade_questions(district):
    subjects = queries.results_of_snapshots(district, "subject_result", [1, 3])
    assert subjects.height == 2 * STUDENTS_PER_SNAPSHOT
    assert set(subjects["record_id"].str.split(":").list.get(1)) == {"1", "3"}
    assert queries.results_of_snapshots(district, "term_result", [1]).height == 0
    assert queries.results_of_snapshots(district, "subject_result", []).height == 0
    checked = queries.grades_of_snapshots(district, [4])
    assert checked["snapshot_id"].unique().to_list() == [4]
    assert checked["school_code"].unique().to_list() == ["79000001"]
    assert checked["average"].to_list() == [8.0] * STUDENTS_PER_SNAPSHOT
    by_record = queries.subject_results_of_records(district, [_record_id(6, 0)], chunk=1)
    assert by_record["record_id"].to_list() == [_record_id(6, 0)]


def test_conflict_questions(district):
    tuesday = queries.conflicts_of_night(district, TUE)
    # Open across Tuesday, resolved on Tuesday, acknowledged (still open) on Tuesday.
    assert sorted(tuesday["conflict_id"].to_list()) == ["acked", "monday-only", "open-both"]
    monday = queries.conflicts_of_night(district, MON)
    assert sorted(monday["conflict_id"].to_list()) == ["gone", "open-both"]
    assert queries.conflict_dates(district).columns == queries.CONFLICT_DATES
    resolved = queries.conflicts_with(district, statuses=["resolved"])
    assert sorted(resolved["conflict_id"].to_list()) == ["gone", "monday-only"]
    school = queries.conflicts_with(district, school_code="79000002")
    assert school["conflict_id"].to_list() == ["acked"]
    assert queries.conflicts_with(district, statuses=[]).height == 0
    naming = queries.conflicts_naming_record(district, _record_id(2, 1))
    assert naming["conflict_id"].to_list() == ["acked"]


def test_school_questions(district):
    missing = queries.schools_missing_from_directory(district)
    assert missing.rows(named=True) == [
        {"school_code": "79000009", "source": "smas", "max_grade": 11}
    ]
    assert queries.school_directory(district, columns=["school_code"]).height == 2


def test_decision_and_link_questions(district):
    decisions = queries.link_decisions(district)
    assert decisions["decision"].to_list() == ["same"]
    assert queries.link_decisions(district, _record_id(3, 0)).height == 1
    assert queries.link_decisions(district, _record_id(4, 0)).height == 0
    assert queries.identity_of_record(district, _record_id(1, 1))["identity_id"].to_list() == [
        "moet:7900000001"
    ]
    assert queries.stored_identities(district).height == 1
    assert queries.stored_links(district).height == 0
    assert queries.links_of_record(district, _record_id(1, 1)).height == 0


def test_a_run_is_started_finished_found_crashed_and_found_again(district):
    monday = runs.start_run(district, MON)
    runs.finish_run(district, monday, "committed", {"fingerprint": "abc"})
    runs.finish_run(district, monday, "failed", {"error": "late"})  # finished: left as it is
    committed = runs.committed_run(district, MON)
    assert committed is not None and committed.id == monday
    assert json.loads(committed.summary) == {"fingerprint": "abc"}
    assert runs.committed_run(district, TUE) is None
    crashed = runs.start_run(district, TUE)
    assert runs.recover_crashed_runs(district) == [crashed]
    assert runs.recover_crashed_runs(district) == []
    assert runs.committed_run(district, TUE) is None
    assert queries.earlier_run_nights(district, TUE) == [MON]
    assert queries.earlier_run_nights(district, MON) == []
    before = queries.committed_runs_before(district, TUE)
    assert before["id"].to_list() == [monday]


def test_quality_results_of_a_night_are_replaced_per_source(district):
    def rows(source: str, n: int) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "night": [TUE] * n,
                "suite": ["s"] * n,
                "details": ["{}"] * n,
                "snapshot_id": [4] * n,
                "source": [source] * n,
                "expectation": [f"check {i}" for i in range(n)],
                "critical": [False] * n,
                "success": [True] * n,
                "element_count": [3] * n,
                "unexpected_count": [0] * n,
            }
        )

    assert runs.save_quality_results(district, rows("smas", 0), TUE) == 0
    assert runs.save_quality_results(district, rows("smas", 3), TUE) == 3
    assert runs.save_quality_results(district, rows("moet", 2), TUE) == 2
    assert runs.save_quality_results(district, rows("smas", 2), TUE) == 2  # a re-run
    kept = queries.quality_results_of_night(district, TUE)
    assert kept.group_by("source").len().sort("source").rows() == [("moet", 2), ("smas", 2)]
    assert queries.quality_results_of_night(district, MON).height == 0


def test_the_fingerprint_rows_change_with_a_decision_and_not_with_a_later_night(district):
    before = list(queries.input_fingerprint_rows(district, MON))
    assert [r[0] for r in before[:3]] == [1, 2, 3]  # Monday's snapshots only, in order
    store.bulk_insert(
        district,
        "source_snapshot",
        pl.DataFrame({"id": [7], "source": ["smas"], "school_code": ["79000001"],
                      "night": [dt.date(2026, 3, 4)], "taken_at": [AT], "origin": [""],
                      "content_hash": ["h7"], "rows_read": [0], "rows_accepted": [0],
                      "rows_quarantined": [0], "status": ["loaded"]}),
    )  # fmt: skip
    assert list(queries.input_fingerprint_rows(district, MON)) == before
    store.bulk_insert(
        district,
        "link_decision",
        pl.DataFrame({"left_id": ["a"], "right_id": ["b"], "decision": ["different"],
                      "decided_by": ["x"], "decided_at": [AT], "reason": ["r"]}),
    )  # fmt: skip
    assert list(queries.input_fingerprint_rows(district, MON)) != before
