"""Identity conflicts: what is wrong with a student's identity code, and what to do about it.

Inputs are plain frames: vendor and registry records (canonical columns plus the keys of
``reconcile.student.with_keys``), the vendor→registry link and, optionally, the registry's own
dedupe. The selections are columnar; only the (few) conflicting rows are formatted one by one.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from doisoat.model import stable_key
from reconcile import messages as msg
from reconcile.conflicts.base import conflict, frame, identity_expr
from reconcile.conflicts.duplicates import duplicate_codes
from reconcile.conflicts.personal_id import personal_id_conflicts
from reconcile.result import LinkResult

IDENTITY_TYPES = (
    "ID_MISSING",
    "ID_INVALID",
    "ID_NOT_IN_REGISTRY",
    "ID_MISMATCH",
    "ID_DUPLICATE",
    "ID_SHARED",
    "UNREGISTERED",
    "DEMOGRAPHIC_DRIFT",
    "PERSONAL_ID_INCONSISTENT",
)

_REG = {
    "record_id": "reg_record_id",
    "code_key": "reg_code",
    "full_name": "reg_full_name",
    "family_name": "reg_family_name",
    "middle_name": "reg_middle_name",
    "given_name": "reg_given_name",
    "dob": "reg_dob",
    "gender": "reg_gender",
    "school_code": "reg_school",
    "class_name": "reg_class",
    "status": "reg_status",
    "pid_key": "reg_pid",
}


def _key(row: dict) -> str:
    return stable_key(row["source"], row["school_code"], row["local_id"])


def _name(row: dict, prefix: str = "") -> str:
    return row.get(f"{prefix}full_name") or "(không tên)"


def joined_view(
    vendor: pl.DataFrame,
    registry: pl.DataFrame,
    links: LinkResult,
    registry_links: LinkResult | None = None,
) -> pl.DataFrame:
    """One row per vendor record: its registry match (``reg_*``), the owner of its code
    (``owner_*``), and the registry duplicate cluster of both (``reg_cluster``,
    ``owner_cluster``)."""
    reg = registry.select([pl.col(k).alias(v) for k, v in _REG.items()])
    best = (
        links.pairs.filter(pl.col("decision") == "match")
        .select(
            pl.col("left_id").alias("record_id"),
            pl.col("right_id").alias("reg_record_id"),
            "match_probability",
            *[c for c in ("gamma_name", "gamma_dob", "gamma_gender") if c in links.pairs.columns],
        )
        .unique(subset="record_id", keep="first")
    )
    owners = (
        registry.filter(pl.col("code_key").is_not_null())
        .unique(subset="code_key", keep="first")
        .select(
            "code_key",
            pl.col("record_id").alias("owner_record_id"),
            pl.col("full_name").alias("owner_full_name"),
            pl.col("dob").alias("owner_dob"),
            pl.col("class_name").alias("owner_class"),
        )
    )
    view = (
        vendor.join(best, on="record_id", how="left")
        .join(reg, on="reg_record_id", how="left")
        .join(owners, on="code_key", how="left")
    )
    # the engine's word on (record, owner of its code): looked up for those pairs only, so a
    # province's millions of candidate pairs are never hashed
    wanted = view.select("record_id", "owner_record_id").drop_nulls()
    pair_decision = (
        links.pairs.lazy()
        .select(
            pl.col("left_id").alias("record_id"),
            pl.col("right_id").alias("owner_record_id"),
            pl.col("decision").alias("owner_decision"),
        )
        .join(wanted.lazy(), on=["record_id", "owner_record_id"], how="semi")
        .unique(subset=["record_id", "owner_record_id"], keep="first")
        .collect()
    )
    view = view.join(pair_decision, on=["record_id", "owner_record_id"], how="left")
    if registry_links is not None:
        cl = registry_links.clusters.filter(pl.col("cluster_size") > 1).select("id", "cluster_id")
        view = view.join(
            cl.rename({"id": "reg_record_id", "cluster_id": "reg_cluster"}),
            on="reg_record_id",
            how="left",
        ).join(
            cl.rename({"id": "owner_record_id", "cluster_id": "owner_cluster"}),
            on="owner_record_id",
            how="left",
        )
    else:
        view = view.with_columns(
            pl.lit(None, dtype=pl.Utf8).alias("reg_cluster"),
            pl.lit(None, dtype=pl.Utf8).alias("owner_cluster"),
        )
    return view


def _code_problems(view: pl.DataFrame) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    matched = pl.col("reg_record_id").is_not_null()
    for r in view.filter((pl.col("code_status") == "missing") & matched).iter_rows(named=True):
        rows.append(
            conflict(
                "ID_MISSING",
                [_key(r)],
                r["school_code"],
                [r["record_id"], r["reg_record_id"]],
                {"moet_code": None, "registry_match": _match_evidence(r)},
                msg.FIXES["ID_MISSING_SUGGEST"].format(code=r["reg_code"], name=_name(r)),
                msg.MESSAGES["ID_MISSING"].format(name=_name(r), klass=msg.klass(r)),
            )
        )
    for r in view.filter(pl.col("code_status") == "invalid").iter_rows(named=True):
        fix = (
            msg.FIXES["CHANGE_CODE"].format(given=r["moet_code"], code=r["reg_code"], name=_name(r))
            if r["reg_code"]
            else msg.FIXES["CHECK_CODE"].format(name=_name(r))
        )
        rows.append(
            conflict(
                "ID_INVALID",
                [_key(r)],
                r["school_code"],
                [r["record_id"]] + ([r["reg_record_id"]] if r["reg_record_id"] else []),
                {
                    "moet_code": r["moet_code"],
                    "problem": msg.INVALID_PROBLEM,
                    "registry_match": _match_evidence(r),
                },
                fix,
                msg.MESSAGES["ID_INVALID"].format(
                    given=r["moet_code"],
                    name=_name(r),
                    klass=msg.klass(r),
                    problem=msg.INVALID_PROBLEM,
                ),
            )
        )
    unknown = (pl.col("code_status") == "valid") & pl.col("owner_record_id").is_null()
    for r in view.filter(unknown).iter_rows(named=True):
        fix = (
            msg.FIXES["CHANGE_CODE"].format(given=r["code_key"], code=r["reg_code"], name=_name(r))
            if r["reg_code"]
            else msg.FIXES["CHECK_CODE"].format(name=_name(r))
        )
        rows.append(
            conflict(
                "ID_NOT_IN_REGISTRY",
                [_key(r)],
                r["school_code"],
                [r["record_id"]] + ([r["reg_record_id"]] if r["reg_record_id"] else []),
                {"moet_code": r["code_key"], "registry_match": _match_evidence(r)},
                fix,
                msg.MESSAGES["ID_NOT_IN_REGISTRY"].format(
                    given=r["code_key"], name=_name(r), klass=msg.klass(r)
                ),
            )
        )
    return rows


def _match_evidence(r: dict) -> dict[str, Any] | None:
    if not r.get("reg_record_id"):
        return None
    return {
        "record_id": r["reg_record_id"],
        "moet_code": r["reg_code"],
        "full_name": r["reg_full_name"],
        "dob": r["reg_dob"],
        "match_probability": r.get("match_probability"),
    }


def _mismatches(view: pl.DataFrame) -> list[dict[str, Any]]:
    """The code belongs to someone the linkage says this student is not."""
    other_person = (
        pl.col("reg_record_id").is_not_null()
        & (pl.col("reg_record_id") != pl.col("owner_record_id"))
        & (pl.col("reg_cluster").is_null() | (pl.col("reg_cluster") != pl.col("owner_cluster")))
    )
    nobody = pl.col("reg_record_id").is_null() & (
        pl.col("owner_decision").is_null() | (pl.col("owner_decision") == "non-match")
    )
    selected = view.filter(
        (pl.col("code_status") == "valid")
        & pl.col("owner_record_id").is_not_null()
        & (other_person | nobody)
    )
    rows = []
    for r in selected.iter_rows(named=True):
        owner = f"{r['owner_full_name']}, sinh {msg.date_vi(r['owner_dob'])}"
        fix = (
            msg.FIXES["CHANGE_CODE"].format(given=r["code_key"], code=r["reg_code"], name=_name(r))
            if r["reg_code"]
            else msg.FIXES["CHECK_CODE"].format(name=_name(r))
        )
        rows.append(
            conflict(
                "ID_MISMATCH",
                [_key(r), r["code_key"]],
                r["school_code"],
                [r["record_id"], r["owner_record_id"]]
                + ([r["reg_record_id"]] if r["reg_record_id"] else []),
                {
                    "moet_code": r["code_key"],
                    "student": {
                        "full_name": r["full_name"],
                        "dob": r["dob"],
                        "gender": r["gender"],
                    },
                    "code_owner": {
                        "record_id": r["owner_record_id"],
                        "full_name": r["owner_full_name"],
                        "dob": r["owner_dob"],
                        "class_name": r["owner_class"],
                    },
                    "registry_match": _match_evidence(r),
                },
                fix,
                msg.MESSAGES["ID_MISMATCH"].format(
                    given=r["code_key"], name=_name(r), klass=msg.klass(r), owner=owner
                ),
            )
        )
    return rows


def _shared(view: pl.DataFrame) -> list[dict[str, Any]]:
    groups = (
        view.filter(pl.col("code_key").is_not_null())
        .with_columns(identity_expr().alias("__who"))
        .group_by("code_key")
        .agg(
            pl.col("__who").n_unique().alias("people"),
            pl.col("record_id"),
            pl.col("full_name"),
            pl.col("school_code"),
            pl.col("reg_record_id"),
            pl.col("owner_record_id").first(),
            pl.col("owner_full_name").first(),
        )
        .filter(pl.col("people") > 1)
    )
    rows = []
    for g in groups.iter_rows(named=True):
        names = ", ".join(sorted(set(g["full_name"])))
        owner = g["owner_full_name"] or "(không có trong CSDL ngành)"
        holders = [
            {"record_id": rid, "full_name": fn, "registry_match": reg}
            for rid, fn, reg in zip(g["record_id"], g["full_name"], g["reg_record_id"], strict=True)
        ]
        rows.append(
            conflict(
                "ID_SHARED",
                [g["code_key"]],
                g["school_code"][0],
                list(g["record_id"]) + ([g["owner_record_id"]] if g["owner_record_id"] else []),
                {
                    "moet_code": g["code_key"],
                    "holders": holders,
                    "code_owner": {
                        "record_id": g["owner_record_id"],
                        "full_name": g["owner_full_name"],
                    },
                },
                msg.FIXES["ID_SHARED"].format(given=g["code_key"], owner=owner),
                msg.MESSAGES["ID_SHARED"].format(
                    given=g["code_key"], count=g["people"], names=names
                ),
            )
        )
    return rows


def _unregistered(view: pl.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for r in view.filter(pl.col("reg_record_id").is_null()).iter_rows(named=True):
        rows.append(
            conflict(
                "UNREGISTERED",
                [_key(r)],
                r["school_code"],
                [r["record_id"]],
                {
                    "student": {
                        "full_name": r["full_name"],
                        "dob": r["dob"],
                        "gender": r["gender"],
                        "moet_code": r["moet_code"],
                    }
                },
                msg.FIXES["UNREGISTERED"].format(name=_name(r)),
                msg.MESSAGES["UNREGISTERED"].format(
                    name=_name(r), klass=msg.klass(r), dob=msg.date_vi(r["dob"])
                ),
            )
        )
    return rows


_DRIFT_FIELDS = ("family_name", "middle_name", "given_name", "dob", "gender")


def _drift(view: pl.DataFrame) -> list[dict[str, Any]]:
    differs = pl.lit(False)
    for field in _DRIFT_FIELDS:
        a, b = pl.col(field), pl.col(f"reg_{field}")
        if field.endswith("name"):
            a = a.fill_null("").str.normalize("NFC").str.strip_chars()
            b = b.fill_null("").str.normalize("NFC").str.strip_chars()
            differs = differs | (a != b)
        else:
            differs = differs | (a.is_not_null() & b.is_not_null() & (a != b))
    rows = []
    for r in view.filter(pl.col("reg_record_id").is_not_null() & differs).iter_rows(named=True):
        fields = []
        for field in _DRIFT_FIELDS:
            mine, theirs = r[field], r[f"reg_{field}"]
            if field.endswith("name"):
                same = (mine or "").strip() == (theirs or "").strip()
            else:
                same = mine is None or theirs is None or mine == theirs
            if not same:
                fields.append({"field": field, "vendor": mine, "registry": theirs})
        if not fields:
            continue
        changes = "; ".join(
            f"{msg.FIELD_VI[f['field']]} «{msg.field_value_vi(f['field'], f['vendor'])}» → "
            f"«{msg.field_value_vi(f['field'], f['registry'])}»"
            for f in fields
        )
        rows.append(
            conflict(
                "DEMOGRAPHIC_DRIFT",
                [_key(r), r["reg_code"] or r["reg_record_id"]],
                r["school_code"],
                [r["record_id"], r["reg_record_id"]],
                {
                    "fields": fields,
                    "registry_record": r["reg_record_id"],
                    "match_probability": r["match_probability"],
                },
                msg.FIXES["DEMOGRAPHIC_DRIFT"].format(changes=changes),
                msg.MESSAGES["DEMOGRAPHIC_DRIFT"].format(
                    name=_name(r),
                    klass=msg.klass(r),
                    fields=", ".join(msg.FIELD_VI[f["field"]] for f in fields),
                ),
            )
        )
    return rows


def identity_conflicts(
    vendor: pl.DataFrame,
    registry: pl.DataFrame,
    links: LinkResult,
    registry_links: LinkResult | None = None,
) -> pl.DataFrame:
    """Every identity conflict of the night, one row each (columns of the ``conflict`` table)."""
    view = joined_view(vendor, registry, links, registry_links)
    rows = _code_problems(view) + _mismatches(view) + _shared(view)
    rows += _unregistered(view) + _drift(view) + personal_id_conflicts(view)
    if registry_links is not None:
        rows += duplicate_codes(registry, registry_links, view)
    return frame(rows)
