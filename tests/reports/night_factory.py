"""Small, hand-made nights: schools, students and a conflict of every type the rules raise."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from doisoat.conflict_types import CONFLICT_TYPES as REGISTRY
from reports.catalog import CONFLICT_TYPES

NIGHT = dt.date(2026, 6, 10)
PREVIOUS = NIGHT - dt.timedelta(days=1)

SEVERITY = {code: entry.severity for code, entry in REGISTRY.items()}

SCHOOLS = pl.DataFrame(
    {
        "school_code": ["79001", "79002", "79003"],
        "name": ["THCS Nguyễn Du", "THCS Lê Lợi", "THPT Trần Phú"],
        "level": ["thcs", "thcs", "thpt"],
        "province_code": ["79", "79", "79"],
        "district": ["Quận 1", "Quận 3", "Quận 5"],
        "vendor": ["smas", "vnedu", "vietschool"],
    }
)

# (family, middle, given): roster order is by given name, then middle, then family name.
STUDENTS = [
    ("Nguyễn", "Văn", "Út"),
    ("Trần", "Thị", "Ánh"),
    ("Lê", "Minh", "Đức"),
    ("Phạm", "Thu", "Anh"),
    ("Võ", "Văn", "Dũng"),
    ("Đặng", "Hoài", "An"),
    ("Bùi", "Thị", "Ơn"),
    ("Hồ", "Ngọc", "Bích"),
]


def people() -> pl.DataFrame:
    rows = []
    for school_index, school in enumerate(SCHOOLS["school_code"]):
        source = SCHOOLS["vendor"][school_index]
        for i, (family, middle, given) in enumerate(STUDENTS):
            base = dict(
                school_code=school,
                family_name=family,
                middle_name=middle,
                given_name=given,
                full_name=f"{family} {middle} {given}",
                dob=dt.date(2012, 1 + i, 10),
                class_name=f"6A{i % 3 + 1}",
            )
            rows.append(
                dict(
                    base,
                    record_id=f"{source}:{school_index + 2}:{i}",
                    source=source,
                    moet_code=f"79{school_index}{i:07d}",
                )
            )
            rows.append(
                dict(
                    base,
                    record_id=f"moet:1:{school}-{i}",
                    source="moet",
                    moet_code=f"79{school_index}{i:07d}",
                )
            )
    return pl.DataFrame(rows)


def conflicts() -> pl.DataFrame:
    """Every conflict type at least once; statuses new, persisting, reopened, acknowledged (the
    ID_MISMATCH, answered by the district) and resolved."""
    rows = []
    statuses = ["new", "persisting", "reopened"]
    for k, kind in enumerate(CONFLICT_TYPES):
        school_index = k % 3
        school = SCHOOLS["school_code"][school_index]
        source = SCHOOLS["vendor"][school_index]
        student = k % len(STUDENTS)
        status = "acknowledged" if kind == "ID_MISMATCH" else statuses[(k // 3) % 3]
        first = NIGHT if status == "new" else NIGHT - dt.timedelta(days=3 + k)
        record_ids = (
            []
            if kind == "SYNC_OVERDUE"
            else [f"moet:1:{school}-{student}", f"{source}:{school_index + 2}:{student}"]
        )
        rows.append(
            dict(
                conflict_id=f"{kind}-{k:04d}",
                type=kind,
                severity=SEVERITY[kind],
                school_code=school,
                record_ids=json.dumps(record_ids),
                evidence=json.dumps(
                    {
                        "moet_code": {
                            "vendor": '=HYPERLINK("http://x")',
                            "registry": f"79{student:08d}",
                        },
                        "dob": {"vendor": "2012-03-04", "registry": "2012-04-03"},
                    }
                ),
                suggested_fix=f"Sửa theo CSDL ngành ({kind})",
                message_vi=f"Vấn đề {kind}",
                status=status,
                first_seen=first,
                last_seen=NIGHT,
                resolved_on=None,
                acknowledged_by="Cô Lan (Phòng GDĐT)" if kind == "ID_MISMATCH" else None,
            )
        )
    # Two resolved tonight, one resolved long ago (must not count).
    for j, (kind, on) in enumerate(
        [
            ("ID_MISSING", NIGHT),
            ("DUAL_ENROLLMENT", NIGHT),
            ("ID_INVALID", NIGHT - dt.timedelta(days=5)),
        ]
    ):
        rows.append(
            dict(
                conflict_id=f"R-{j}",
                type=kind,
                severity=SEVERITY[kind],
                school_code="79002",
                record_ids="[]",
                evidence="{}",
                suggested_fix="",
                message_vi="",
                status="resolved",
                first_seen=on - dt.timedelta(days=4),
                last_seen=on - dt.timedelta(days=1),
                resolved_on=on,
            )
        )
    return pl.DataFrame(rows, schema_overrides={"resolved_on": pl.Date})


def student_counts() -> pl.DataFrame:
    return people().group_by("school_code", "source").agg(pl.len().cast(pl.Int64).alias("students"))


def trend() -> pl.DataFrame:
    nights = [NIGHT - dt.timedelta(days=d) for d in (3, 2, 1)]
    return pl.DataFrame(
        {"night": nights, "open": [20, 18, 17], "new": [4, 1, 2], "resolved": [0, 3, 3]}
    )


def conflicts_from_problems(district, stored: pl.DataFrame, night: dt.date) -> pl.DataFrame:
    """Conflict rows as reconcile/ would write them, from the simulator's injected problems.

    ``stored`` maps the simulator's (source, local_id) to the record ids the store gave them.
    """
    key = district.records.select("record_id", "source", "local_id").join(
        stored.select("source", "local_id", pl.col("record_id").alias("stored_id")),
        on=["source", "local_id"],
    )
    ids = dict(zip(key["record_id"], key["stored_id"], strict=True))
    rows = []
    problems = district.problems.filter(~pl.col("problem").str.starts_with("TEXT_"))
    for i, p in enumerate(problems.iter_rows(named=True)):
        record_ids = [ids[r] for r in (p["record_id"], p["other_record_id"]) if r in ids]
        status = ("new", "persisting", "reopened")[i % 3]
        first = night if status == "new" else night - dt.timedelta(days=1 + i % 5)
        rows.append(
            {
                "conflict_id": f"{p['problem']}-{i:05d}",
                "type": p["problem"],
                "severity": SEVERITY.get(p["problem"], "medium"),
                "school_code": p["school_code"],
                "record_ids": json.dumps(record_ids),
                "evidence": p["detail"] or "{}",
                "suggested_fix": "Đối chiếu với CSDL ngành",
                "message_vi": f"Phát hiện {p['problem']}",
                "status": status,
                "first_seen": first,
                "last_seen": night,
            }
        )
    return pl.DataFrame(rows)


def students_frame(schools: int = 3, per_school: int = 30) -> pl.DataFrame:
    rows = []
    for s in range(schools):
        for i in range(per_school):
            rows.append(
                dict(
                    record_id=f"smas:{s + 2}:{i}",
                    source="smas",
                    snapshot_id=s + 2,
                    school_code=f"7900{s}",
                    local_id=f"L{i}",
                    moet_code=f"79{s}{i:07d}",
                    personal_id=f"07920{s}{i:06d}",
                    family_name="Nguyễn",
                    middle_name="Văn",
                    given_name="An",
                    full_name="Nguyễn Văn An",
                    dob=dt.date(2012, 1, 1 + i % 28),
                    gender="M" if i % 2 else "F",
                    school_year="2025-2026",
                    grade=6,
                    class_name="6A",
                    status="studying",
                )
            )
    return pl.DataFrame(rows)


def broken_students() -> pl.DataFrame:
    """School 79001: every code mangled (a broken column mapping); 79000: one bad gender,
    one date out of range, two students sharing a code; 79002: clean."""
    frame = students_frame()
    frame = frame.with_columns(
        pl.when(pl.col("school_code") == "79001")
        .then(pl.lit("7.9E+9"))
        .otherwise(pl.col("moet_code"))
        .alias("moet_code")
    )
    rows = frame.to_dicts()
    rows[0]["gender"] = "X"
    rows[1]["dob"] = dt.date(1980, 5, 5)
    rows[3]["moet_code"] = rows[2]["moet_code"]
    rows[4]["moet_code"] = None
    return pl.DataFrame(rows, schema=frame.schema)
