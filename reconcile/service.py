"""Store-facing glue for the CLI and the nightly pipeline: read the latest snapshots, link, write.

The engine stays pure; this module reads the store and writes identities and links; the
conflict lifecycle (first seen, last seen, resolved, reopened, audit) is ``reconcile.lifecycle``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import Engine, delete

from doisoat import store
from doisoat.errors import ReconcileError
from doisoat.model import REGISTRY_SOURCE, STABLE_KEY, Identity, Link, stable_key_expr
from doisoat.store import queries, runs
from reconcile.cluster import clusters
from reconcile.conflicts import CONFLICT_COLUMNS, identity_conflicts
from reconcile.conflicts.identity import IDENTITY_TYPES
from reconcile.engine import dedupe, link
from reconcile.lifecycle import merge_night
from reconcile.night_state import PreviousNight, increments
from reconcile.result import LinkResult
from reconcile.scoring import Model
from reconcile.student import registry_profile, student_profile, with_keys


@dataclass
class ReconcileOutcome:
    run_id: int
    night: dt.date
    vendor_records: int
    registry_records: int
    links: dict[str, int]
    conflicts: dict[str, int]
    model: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "night": self.night.isoformat(),
            "vendor_records": self.vendor_records,
            "registry_records": self.registry_records,
            "links": self.links,
            "conflicts": self.conflicts,
        }


def latest_records(engine: Engine) -> pl.DataFrame:
    """Student records of the newest loaded snapshot of every (source, school)."""
    latest = queries.latest_snapshots(engine)
    if latest.height == 0:
        raise ReconcileError(
            "no loaded snapshot in the store",
            message_vi="Kho dữ liệu chưa có ảnh chụp dữ liệu nào: hãy nạp dữ liệu trước.",
        )
    return queries.records_of_snapshots(engine, latest["id"].to_list())


def split_and_link(
    records: pl.DataFrame,
    overrides: pl.DataFrame | None = None,
    previous: PreviousNight | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, LinkResult, LinkResult, pl.DataFrame]:
    """The whole identity step on plain frames: (vendor, registry, links, registry dupes,
    conflicts). Shared by the service and the benchmark. With ``previous`` (what the last
    night knew), only new or changed records are blocked anew."""
    keyed = with_keys(records)
    vendor = keyed.filter(pl.col("source") != REGISTRY_SOURCE)
    registry = keyed.filter(pl.col("source") == REGISTRY_SOURCE)
    if registry.height == 0 or vendor.height == 0:
        raise ReconcileError(
            "need both registry (moet) and vendor records to reconcile",
            message_vi="Cần có cả dữ liệu CSDL ngành và dữ liệu của phần mềm trường để đối soát.",
        )
    link_step, dedupe_step, changes = increments(vendor, registry, previous)
    links = link(vendor, registry, student_profile(), overrides=overrides, increment=link_step)
    registry_links = dedupe(registry, registry_profile(), model=links.model, increment=dedupe_step)
    links.stats["changes"] = changes
    conflicts = identity_conflicts(vendor, registry, links, registry_links)
    return vendor, registry, links, registry_links, conflicts


def human_decisions(engine: Engine, records: pl.DataFrame | None = None) -> pl.DataFrame | None:
    """Pairs a person confirmed or separated: they win over any later night's scores.

    A decision names the records of the night it was taken; a record id changes with every
    snapshot, so with ``records`` (tonight's) each decided record is found again by its stable
    key (source, school, local id) and the decision is given under tonight's ids.
    """
    found = queries.link_decisions(engine, columns=["left_id", "right_id", "decision"])
    if found.height == 0:
        return None
    if records is None:
        return found
    then = queries.decided_records(engine, columns=["record_id", *STABLE_KEY])
    now = records.select(pl.col("record_id").alias("now_id"), *STABLE_KEY)
    moved = then.join(now, on=list(STABLE_KEY)).select("record_id", "now_id")
    return (
        found.join(moved.rename({"record_id": "left_id", "now_id": "left_now"}), on="left_id")
        .join(moved.rename({"record_id": "right_id", "now_id": "right_now"}), on="right_id")
        .select(
            pl.col("left_now").alias("left_id"), pl.col("right_now").alias("right_id"), "decision"
        )
    )


@dataclass
class IdentityNight:
    """The identity step of one night, computed and not yet written."""

    vendor: pl.DataFrame
    registry: pl.DataFrame
    links: LinkResult
    registry_links: LinkResult
    conflicts: pl.DataFrame
    identities: pl.DataFrame  # record_id, identity_id, moet_code
    learned_on: dt.date | None = None  # the night the models were estimated

    @property
    def incremental(self) -> bool:
        return bool(self.links.model.training.get("reused"))

    def summary(self) -> dict[str, Any]:
        by_decision = self.links.pairs.group_by("decision").len()
        out = {
            "vendor_records": self.vendor.height,
            "registry_records": self.registry.height,
            "identities": self.identities["identity_id"].n_unique(),
            "links": dict(zip(by_decision["decision"], by_decision["len"], strict=True)),
            "incremental": self.incremental,
            "changes": self.links.stats.get("changes", {}),
            "scored_pairs": self.links.stats.get("candidate_pairs"),
        }
        if self.learned_on is not None:
            out["models"] = {
                "learned_on": self.learned_on.isoformat(),
                "link": self.links.model.to_dict(),
                "registry": self.registry_links.model.to_dict(),
            }
        return out


def person_identities(
    links: LinkResult, registry_links: LinkResult, vendor: pl.DataFrame, registry: pl.DataFrame
) -> pl.DataFrame:
    """A person's identity: vendor→registry links joined with the registry's own duplicates
    (a re-import or a transfer that got a new code leaves two registry rows of one person).

    Named by the smallest registry code it holds (``moet:<code>``), else by the smallest stable
    key of its records (``local:<source>:<school>:<local_id>``), so it keeps its name from night
    to night while snapshot numbers change.
    """
    groups = pl.concat(
        [
            links.clusters.select("id", ("L:" + pl.col("cluster_id")).alias("group")),
            registry_links.clusters.select("id", ("R:" + pl.col("cluster_id")).alias("group")),
        ]
    )
    nodes = pl.concat([groups["id"], groups["group"]]).unique(maintain_order=True)
    index = pl.DataFrame({"node": nodes, "i": pl.int_range(nodes.len(), eager=True)})
    left = groups.join(index, left_on="id", right_on="node", how="left")["i"].to_numpy()
    right = groups.join(index, left_on="group", right_on="node", how="left")["i"].to_numpy()
    merged = clusters(nodes, left, right).filter(~pl.col("id").str.contains(r"^[LR]:"))
    keys = pl.concat(
        [
            registry.select(
                "record_id",
                pl.col("code_key").alias("moet_code"),
                ("moet:" + pl.col("code_key")).alias("name"),
            ),
            vendor.select(
                "record_id",
                pl.col("code_key").alias("moet_code"),
                ("local:" + stable_key_expr()).alias("name"),
            ),
        ],
        how="vertical_relaxed",
    )
    named = merged.select(pl.col("id").alias("record_id"), "cluster_id").join(
        keys, on="record_id", how="left"
    )
    names = (
        named.group_by("cluster_id")
        .agg(
            pl.col("name").filter(pl.col("name").str.starts_with("moet:")).min().alias("registry"),
            pl.col("name").min().alias("local"),
        )
        .select("cluster_id", pl.coalesce("registry", "local").alias("identity_id"))
    )
    return named.join(names, on="cluster_id").select("record_id", "identity_id", "moet_code")


def identity_night(
    records: pl.DataFrame,
    decisions: pl.DataFrame | None = None,
    previous: PreviousNight | None = None,
    night: dt.date | None = None,
) -> IdentityNight:
    """Link, dedupe, name identities and find identity conflicts, on plain frames. With
    ``night``, the models are kept in the summary for the next night's increment."""
    vendor, registry, links, registry_links, conflicts = split_and_link(
        records, decisions, previous
    )
    identities = person_identities(links, registry_links, vendor, registry)
    reused = bool(links.model.training.get("reused")) and previous is not None
    learned_on = previous.learned_on if reused else night
    return IdentityNight(vendor, registry, links, registry_links, conflicts, identities, learned_on)


def write_identity_night(conn: Any, engine: Engine, night: IdentityNight, run_id: int) -> None:
    """Replace the stored identities and links by tonight's, inside the caller's transaction."""
    conn.execute(delete(Identity))
    conn.execute(delete(Link))
    identities = night.identities.with_columns(pl.lit(run_id, dtype=pl.Int64).alias("run_id"))
    store.bulk_insert(engine, "identity", identities, connection=conn)
    store.bulk_insert(engine, "link", _link_rows(night.links, run_id), connection=conn)


def _link_rows(links: LinkResult, run_id: int) -> pl.DataFrame:
    """Matches, the review queue, and each unmatched left record's best try (why it failed)."""
    pairs = links.pairs
    best_tries = (
        pairs.sort("match_weight", descending=True)
        .unique(subset="left_id", keep="first")
        .filter(pl.col("decision") == "non-match")
    )
    kept = pl.concat([pairs.filter(pl.col("decision") != "non-match"), best_tries])
    return kept.select(
        "left_id",
        "right_id",
        "match_weight",
        "match_probability",
        "decision",
        explanation_json(links.model).alias("explanation"),
        pl.lit(run_id, dtype=pl.Int64).alias("run_id"),
    )


def explanation_json(model: Model) -> pl.Expr:
    """``explain_row(...)["fields"]`` as JSON text, for a million pairs at once (a Python
    ``json.dumps`` per pair costs a province half a minute)."""
    fields = []
    for name, levels in zip(model.names, model.levels, strict=True):
        names = {i: json.dumps(lv, ensure_ascii=False) for i, lv in enumerate(levels)}
        level = (
            pl.col(f"gamma_{name}")
            .cast(pl.Int64)
            .fill_null(-1)
            .replace_strict(names, default='"missing"', return_dtype=pl.Utf8)
        )
        weight = pl.col(f"w_{name}").cast(pl.Float64).fill_null(0.0).round(3).cast(pl.Utf8)
        head = '{"comparison": ' + json.dumps(name, ensure_ascii=False) + ', "level": '
        fields.append(
            pl.concat_str([pl.lit(head), level, pl.lit(', "weight": '), weight, pl.lit("}")])
        )
    return pl.concat_str([pl.lit("["), pl.concat_str(fields, separator=", "), pl.lit("]")])


def run_reconcile(
    engine: Engine, *, night: dt.date | None = None, run_id: int | None = None
) -> ReconcileOutcome:
    """Identity step only (``doisoat reconcile``): link the latest snapshots, replace identities
    and links and fold the identity conflicts into the lifecycle, in one transaction."""
    records = latest_records(engine)
    night = night or dt.date.today()
    if run_id is None:
        run_id = runs.start_run(engine, night)
    result = identity_night(records, human_decisions(engine, records))
    conflicts = result.conflicts
    outcome = ReconcileOutcome(
        run_id=run_id,
        night=night,
        vendor_records=result.vendor.height,
        registry_records=result.registry.height,
        links=result.summary()["links"],
        conflicts=dict(sorted(conflicts.group_by("type").len().iter_rows())),
        model=result.links.model.to_dict(),
    )
    with engine.begin() as conn:
        write_identity_night(conn, engine, result, run_id)
        merge_night(
            engine,
            conflicts,
            night=night,
            run_id=run_id,
            checked_types=IDENTITY_TYPES,
            connection=conn,
        )
        runs.finish_run(
            engine,
            run_id,
            "committed",
            {"reconcile": outcome.summary(), "model": outcome.model},
            connection=conn,
        )
    return outcome


def explain_record(engine: Engine, record_id: str) -> dict[str, Any]:
    """Why a record matched what it matched: its pairs with per-field weights, its identity,
    and the conflicts that name it."""
    rows = queries.links_of_record(engine, record_id).sort("match_weight", descending=True)
    ident = queries.identity_of_record(engine, record_id)
    conflicts = queries.conflicts_naming_record(engine, record_id)
    decisions = queries.link_decisions(
        engine, record_id, columns=["left_id", "right_id", "decision", "decided_by", "reason"]
    )
    return {
        "record_id": record_id,
        "identity": ident.to_dicts()[0] if ident.height else None,
        "pairs": [dict(r, explanation=json.loads(r["explanation"])) for r in rows.to_dicts()],
        "human_decisions": decisions.to_dicts(),
        "conflicts": conflicts.select(
            "conflict_id", "type", "status", "message_vi", "suggested_fix"
        ).to_dicts(),
    }


__all__ = [
    "CONFLICT_COLUMNS",
    "IdentityNight",
    "explain_record",
    "human_decisions",
    "identity_night",
    "person_identities",
    "write_identity_night",
    "latest_records",
    "run_reconcile",
    "split_and_link",
]
