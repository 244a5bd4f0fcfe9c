"""The night's report as one plain document (the JSON of the schema); HTML and xlsx render it.

Pure: frames in, a dict out; no clock (``generated_at`` comes with the inputs), no I/O.
Everything that scales with students is a polars group-by; Python loops only run over schools,
conflict types and expectations.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

from doisoat.model import REGISTRY_SOURCE
from reports import catalog, messages
from reports.evidence import parse
from reports.inputs import ReportInputs

SCHEMA_VERSION = "1.0"
NO_SCHOOL = "_"


def worklist_filename(school_code: str | None) -> str:
    """The school's worklist, relative to the report: ``worklists/<code>.xlsx``."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", school_code or NO_SCHOOL)
    return f"worklists/{safe}.xlsx"


def open_conflicts(inputs: ReportInputs) -> pl.DataFrame:
    """Conflicts open tonight: an open status, seen up to tonight, not first seen after it."""
    night = inputs.night
    c = inputs.conflicts
    return c.filter(
        pl.col("status").is_in(catalog.OPEN_STATUSES)
        & (pl.col("last_seen").is_null() | (pl.col("last_seen") >= night))
        & (pl.col("first_seen").is_null() | (pl.col("first_seen") <= night))
    )


def resolved_tonight(inputs: ReportInputs) -> pl.DataFrame:
    return inputs.conflicts.filter(
        (pl.col("status") == "resolved") & (pl.col("resolved_on") == inputs.night)
    )


def _count_by(frame: pl.DataFrame, keys: list[str], name: str) -> pl.DataFrame:
    return frame.group_by(keys).agg(pl.len().cast(pl.Int64).alias(name))


def _type_table(opened: pl.DataFrame, resolved: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Per ``keys`` + type: open, new (first seen or reopened tonight), resolved, severity."""
    fresh = opened.filter(pl.col("status") == "new")
    table = (
        opened.group_by([*keys, "type"])
        .agg(pl.len().cast(pl.Int64).alias("open"), pl.col("severity").mode().first())
        .join(
            _count_by(fresh, [*keys, "type"], "new"), on=[*keys, "type"], how="full", coalesce=True
        )
        .join(
            resolved.group_by([*keys, "type"]).agg(
                pl.len().cast(pl.Int64).alias("resolved"),
                pl.col("severity").mode().first().alias("_sev_resolved"),
            ),
            on=[*keys, "type"],
            how="full",
            coalesce=True,
        )
        .with_columns(
            pl.col("open").fill_null(0),
            pl.col("new").fill_null(0),
            pl.col("resolved").fill_null(0),
            pl.coalesce("severity", "_sev_resolved").fill_null("low").alias("severity"),
        )
        .drop("_sev_resolved")
    )
    return table


def _type_rows(table: pl.DataFrame, keep_school: bool = False) -> list[dict[str, Any]]:
    rows = [
        {
            **({"school_code": r["school_code"]} if keep_school else {}),
            "type": r["type"],
            "label": messages.CONFLICT_TYPES.get(r["type"], r["type"]),
            "family": catalog.family_of(r["type"]),
            "severity": r["severity"],
            "open": int(r["open"]),
            "new": int(r["new"]),
            "resolved": int(r["resolved"]),
        }
        for r in table.iter_rows(named=True)
    ]
    rows.sort(key=lambda r: (catalog.severity_rank(r["severity"]), catalog.type_rank(r["type"])))
    return rows


def _severity_counts(frame: pl.DataFrame) -> dict[str, int]:
    counts = dict.fromkeys(catalog.SEVERITY_ORDER, 0)
    for sev, n in frame.group_by("severity").len().iter_rows():
        counts[sev or "low"] = counts.get(sev or "low", 0) + int(n)
    return counts


def _trend(inputs: ReportInputs, opened: pl.DataFrame, resolved: pl.DataFrame) -> list[dict]:
    tonight = {
        "night": inputs.night,
        "open": opened.height,
        "new": opened.filter(pl.col("status") == "new").height,
        "resolved": resolved.height,
    }
    earlier = inputs.trend.filter(pl.col("night") < inputs.night).sort("night").tail(59)
    return [
        {
            "night": r["night"].isoformat(),
            **{k: int(r[k] or 0) for k in ("open", "new", "resolved")},
        }
        for r in [*earlier.iter_rows(named=True), tonight]
    ]


def _sources(inputs: ReportInputs) -> list[dict[str, Any]]:
    counts = inputs.student_counts.group_by("source").agg(pl.col("students").sum())
    students = dict(counts.iter_rows())
    snaps = inputs.snapshots
    out = []
    names = sorted(set(students) | set(snaps["source"].drop_nulls().to_list()))
    for source in names:
        mine = snaps.filter(pl.col("source") == source)
        out.append(
            {
                "source": source,
                "label": messages.SOURCES.get(source, source),
                "snapshots": mine.height,
                "excluded_snapshots": mine.filter(pl.col("status") == "excluded").height,
                "students": int(students.get(source, 0) or 0),
                "rows_quarantined": int(mine["rows_quarantined"].fill_null(0).sum()),
            }
        )
    return out


def _quality(inputs: ReportInputs) -> dict[str, Any]:
    q = inputs.quality
    if q.height == 0:
        return {"checked": False, "sources": [], "excluded": []}
    sources = []
    for source in sorted(q["source"].unique().drop_nulls().to_list()):
        mine = q.filter(pl.col("source") == source)
        failed = (
            mine.filter(~pl.col("success"))
            .group_by("expectation")
            .agg(
                pl.col("critical").any(),
                pl.len().alias("snapshots_failed"),
                pl.col("unexpected_count").sum(),
                pl.col("details").first(),
                pl.col("school_code").drop_nulls().unique().sort().head(20).alias("schools"),
            )
            .sort(["critical", "unexpected_count"], descending=[True, True])
        )
        sources.append(
            {
                "source": source,
                "label": messages.SOURCES.get(source, source),
                "snapshots": mine["snapshot_id"].n_unique(),
                "expectations": mine["expectation"].n_unique(),
                "failed": [_failed_row(r) for r in failed.iter_rows(named=True)],
            }
        )
    failing = q.filter(pl.col("critical") & ~pl.col("success"))
    described = {
        r["expectation"]: _description(r["details"])
        for r in failing.unique("expectation").iter_rows(named=True)
    }
    bad = (
        failing.group_by("source", "snapshot_id", "school_code")
        .agg(pl.col("expectation").unique().sort())
        .sort("source", "school_code")
    )
    excluded = [
        {
            "source": r["source"],
            "snapshot_id": r["snapshot_id"],
            "school_code": r["school_code"],
            "expectations": r["expectation"],
            "descriptions_vi": [described[e] for e in r["expectation"]],
        }
        for r in bad.iter_rows(named=True)
    ]
    return {"checked": True, "sources": sources, "excluded": excluded}


def _details(raw: str | None) -> dict[str, Any]:
    details = parse(raw)
    return details if isinstance(details, dict) else {}


def _description(raw: str | None) -> str:
    details = _details(raw)
    kind = details.get("type", "")
    return details.get("description_vi") or messages.EXPECTATIONS.get(kind, kind)


def _failed_row(row: dict[str, Any]) -> dict[str, Any]:
    details = _details(row["details"])
    return {
        "expectation": row["expectation"],
        "description_vi": _description(row["details"]),
        "critical": bool(row["critical"]),
        "snapshots_failed": int(row["snapshots_failed"]),
        "unexpected_count": int(row["unexpected_count"] or 0),
        "examples": [str(x) for x in details.get("examples", [])][:5],
        "schools": row["schools"],
    }


def build_report(inputs: ReportInputs, items: pl.DataFrame | None = None) -> dict[str, Any]:
    """The night's report as a JSON-ready dict (see ``reports/schema/night-report.schema.json``).

    ``items`` (from :func:`reports.items.worklist_items`) adds every open conflict, per school.
    """
    opened = open_conflicts(inputs).with_columns(pl.col("school_code").fill_null(NO_SCHOOL))
    resolved = resolved_tonight(inputs).with_columns(pl.col("school_code").fill_null(NO_SCHOOL))
    by_type = _type_rows(_type_table(opened, resolved, []))
    per_school_types = _type_table(opened, resolved, ["school_code"])
    counts = inputs.student_counts
    vendor_students = counts.filter(pl.col("source") != REGISTRY_SOURCE)
    registry_students = counts.filter(pl.col("source") == REGISTRY_SOURCE)
    changes = {
        "previous_night": inputs.previous_night.isoformat() if inputs.previous_night else None,
        "new": opened.filter(pl.col("status") == "new").height,
        "reopened": opened.filter(pl.col("status") == "reopened").height,
        "persisting": opened.filter(pl.col("status") == "persisting").height,
        "acknowledged": opened.filter(pl.col("status") == "acknowledged").height,
        "resolved": resolved.height,
    }
    schools = _schools(inputs, opened, per_school_types, items)
    silent = [
        {"school_code": sc["school_code"], "name": sc["name"], "last_export": sc["last_export"]}
        for sc in schools
        if sc["sent_tonight"] is False
    ]
    return {
        "schema_version": SCHEMA_VERSION,
        "night": inputs.night.isoformat(),
        "title": inputs.title or messages.REPORT_TITLE.format(night=catalog.vn_date(inputs.night)),
        "generated_at": inputs.generated_at.isoformat(timespec="seconds"),
        "summary": {
            "schools": len(schools),
            "schools_with_conflicts": sum(1 for s in schools if s["open"] > 0),
            "students": int(vendor_students["students"].sum() or 0),
            "registry_students": int(registry_students["students"].sum() or 0),
            "sources": _sources(inputs),
            "conflicts_open": opened.height,
            "by_severity": _severity_counts(opened),
            "by_type": by_type,
            "schools_without_export": silent,
        },
        "changes": changes,
        "trend": _trend(inputs, opened, resolved),
        "quality": _quality(inputs),
        "schools": schools,
    }


def _schools(
    inputs: ReportInputs,
    opened: pl.DataFrame,
    per_type: pl.DataFrame,
    items: pl.DataFrame | None,
) -> list[dict[str, Any]]:
    info = {r["school_code"]: r for r in inputs.schools.iter_rows(named=True)}
    students = dict(
        inputs.student_counts.filter(pl.col("source") != REGISTRY_SOURCE)
        .group_by("school_code")
        .agg(pl.col("students").sum())
        .iter_rows()
    )
    codes = set(info) | set(per_type["school_code"].to_list())
    # One pass over each frame, grouped in Python: thousands of schools, a few rows each.
    severity: dict[str, dict[str, int]] = {}
    for code, sev, n in opened.group_by("school_code", "severity").len().iter_rows():
        counts = severity.setdefault(code, dict.fromkeys(catalog.SEVERITY_ORDER, 0))
        counts[sev or "low"] = counts.get(sev or "low", 0) + int(n)
    types_of: dict[str, list[dict]] = {}
    for row in _type_rows(per_type, keep_school=True):
        types_of.setdefault(row.pop("school_code"), []).append(row)
    items_of: dict[str, list[dict]] = {}
    if items is not None:
        from reports.items import item_records

        for code, record in zip(items["school_code"], item_records(items), strict=True):
            items_of.setdefault(code or NO_SCHOOL, []).append(record)
    last_export: dict[str, Any] = dict(
        inputs.exports.group_by("school_code").agg(pl.col("night").max()).iter_rows()
    )
    known_exports = inputs.exports.height > 0
    excluded = set(
        inputs.snapshots.filter(pl.col("status") == "excluded")["school_code"].drop_nulls()
    )
    out = []
    for code in codes:
        school = info.get(code, {})
        types = types_of.get(code, [])
        entry: dict[str, Any] = {
            "school_code": code,
            "name": school.get("name")
            or (messages.LABELS["other_school"] if code == NO_SCHOOL else code),
            "level": school.get("level"),
            "district": school.get("district"),
            "vendor": school.get("vendor"),
            "students": int(students.get(code, 0) or 0),
            "open": sum(t["open"] for t in types),
            "new": sum(t["new"] for t in types),
            "resolved": sum(t["resolved"] for t in types),
            "by_severity": severity.get(code, dict.fromkeys(catalog.SEVERITY_ORDER, 0)),
            "by_type": types,
            "excluded": code in excluded,
            "last_export": last_export[code].isoformat() if code in last_export else None,
            "sent_tonight": (last_export.get(code) == inputs.night)
            if known_exports and code != NO_SCHOOL
            else None,
            "worklist": worklist_filename(code),
        }
        if items is not None:
            entry["items"] = items_of.get(code, [])
        out.append(entry)
    out.sort(key=lambda s: (s["school_code"] == NO_SCHOOL, -s["open"], s["school_code"]))
    return out
