"""ID_DUPLICATE: one student, two or more identity codes in the registry."""

from __future__ import annotations

from typing import Any

import polars as pl

from reconcile import messages as msg
from reconcile.conflicts.base import conflict
from reconcile.result import LinkResult

_TRANSFER = ("transferred_in", "transferred_out")


def duplicate_codes(
    registry: pl.DataFrame, registry_links: LinkResult, view: pl.DataFrame
) -> list[dict[str, Any]]:
    """Registry clusters holding several codes, except a transfer's two rows at two schools
    (a receiving school issuing a new code is TRANSFER_CODE_CHANGED, not a duplicate)."""
    members = registry_links.clusters.filter(pl.col("cluster_size") > 1).select(
        pl.col("id").alias("record_id"), "cluster_id"
    )
    used = (
        view.filter(pl.col("code_key").is_not_null())
        .group_by("code_key")
        .agg(pl.col("record_id").alias("vendor_records"))
    )
    reg = registry.join(members, on="record_id", how="inner").join(used, on="code_key", how="left")
    groups = reg.group_by("cluster_id").agg(
        pl.col("record_id"),
        pl.col("code_key"),
        pl.col("school_code"),
        pl.col("status"),
        pl.col("full_name"),
        pl.col("dob"),
        pl.col("pid_key"),
        pl.col("vendor_records"),
    )
    rows = []
    for g in groups.iter_rows(named=True):
        codes = sorted({c for c in g["code_key"] if c})
        if len(codes) < 2:
            continue
        schools = set(g["school_code"])
        if len(schools) > 1 and any(s in _TRANSFER for s in g["status"]):
            continue
        keep = _code_to_keep(g)
        drop = [c for c in codes if c != keep]
        vendor_records = sorted({v for vs in g["vendor_records"] if vs for v in vs})
        name = g["full_name"][0]
        records = [
            {
                "record_id": rid,
                "moet_code": code,
                "school_code": sc,
                "full_name": fn,
                "dob": dob,
                "personal_id": pid,
                "used_by_school": bool(vr),
            }
            for rid, code, sc, fn, dob, pid, vr in zip(
                g["record_id"],
                g["code_key"],
                g["school_code"],
                g["full_name"],
                g["dob"],
                g["pid_key"],
                g["vendor_records"],
                strict=True,
            )
        ]
        rows.append(
            conflict(
                "ID_DUPLICATE",
                codes,
                sorted(schools)[0],
                list(g["record_id"]) + vendor_records,
                {"codes": codes, "registry_records": records, "keep": keep},
                msg.FIXES["ID_DUPLICATE"].format(keep=keep, drop=", ".join(drop), name=name),
                msg.MESSAGES["ID_DUPLICATE"].format(
                    name=name, count=len(codes), codes=", ".join(codes)
                ),
            )
        )
    return rows


def _code_to_keep(group: dict) -> str:
    """The code the school already uses, else the one with a personal ID, else the oldest."""
    scored = sorted(
        zip(group["code_key"], group["vendor_records"], group["pid_key"], strict=True),
        key=lambda t: (not t[1], t[2] is None, t[0]),
    )
    return scored[0][0]
