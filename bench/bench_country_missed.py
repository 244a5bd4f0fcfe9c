"""Why a national run missed the links it missed (issue 17): every true vendor→registry link
the run did not accept, put in one class, on the data and the output of ``bench_country``.

    .venv/bin/python -m bench.bench_country_missed var/bench/country/2000000 [--examples 5]

The folder holds ``data/`` (the simulated country) and ``out/`` (the run's datasets). A vendor
record of a person the registry holds is *missed* when no accepted link joins it to one of that
person's registry records. Its class:

- ``linked_to_another``: it was linked, to another person's record;
- ``scored_not_accepted``: the true pair was compared and kept, but decided ``review`` (its
  probability, and whether a rival of the same record scored higher, are counted);
- ``compared_not_kept``: a rule blocked the pair in a block under its cap, so it was compared,
  but it scored below the profile's ``keep_weight_above`` and was not its record's best try;
- ``block_over_cap``: the pair's keys agree on some rules, but every such block was over the
  rule's ``max_block_pairs`` and dropped (the rules and the blocks' sizes are counted);
- ``no_rule_agrees``: no blocking rule's keys agree on the two records.

Block sizes are counted as the run counts them: vendor records × registry records of the whole
country with the same key, read one province at a time. The injected problems of the missed
records are counted too (``problems`` of the truth), which says what kind of student is missed.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import polars as pl

from bench.bench_country import _read

REGISTRY = "moet"


def _missed(data: Path, out: Path) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """(missed vendor records with their person, the run's kept vendor links, linkable count)."""
    truth = _read(data / "truth").select("record_id", "person_id")
    sources = _read(data / "records").select("record_id", "source")
    people = sources.join(truth, on="record_id")
    registered = people.filter(pl.col("source") == REGISTRY)
    linkable = people.filter(
        (pl.col("source") != REGISTRY)
        & pl.col("person_id").is_in(registered["person_id"].implode())
    ).select("record_id", "person_id")
    links = (
        _read(out / "links")
        .filter(pl.col("kind") == "vendor_registry")
        .select("left_id", "right_id", "match_probability", "decision")
        .join(truth.rename({"record_id": "right_id", "person_id": "p_right"}), on="right_id")
    )
    right = (
        links.filter(pl.col("decision") == "match")
        .join(linkable.rename({"record_id": "left_id"}), on="left_id")
        .filter(pl.col("person_id") == pl.col("p_right"))
    )
    missed = linkable.join(
        right.select(pl.col("left_id").alias("record_id")), on="record_id", how="anti"
    )
    return missed, links, linkable.height


def _keys(frame: pl.DataFrame, settings: Any) -> pl.DataFrame:
    from reconcile.compare import prepare
    from reconcile.student import with_keys

    return prepare(with_keys(frame), settings)


def _agreeing(
    missed: pl.DataFrame, data: Path, settings: Any
) -> tuple[pl.DataFrame, dict[str, pl.DataFrame], pl.DataFrame]:
    """Each missed record beside each of its person's registry records, prepared: the pairs,
    per rule the pairs whose keys agree (with the key), and the two sides' columns."""
    records = _read(data / "records")
    truth = _read(data / "truth").select("record_id", "person_id")
    wanted = missed.select("person_id")
    registry = (
        records.filter(pl.col("source") == REGISTRY)
        .join(truth, on="record_id")
        .join(wanted, on="person_id", how="semi")
    )
    vendor = records.join(missed, on="record_id", how="semi").join(truth, on="record_id")
    left, right = _keys(vendor, settings), _keys(registry, settings)
    pairs = left.join(right, on="person_id", suffix="_r")
    agree: dict[str, pl.DataFrame] = {}
    for rule in settings.blocking:
        same = pl.all_horizontal(
            [pl.col(k).is_not_null() & (pl.col(k) == pl.col(f"{k}_r")) for k in rule.keys]
        )
        agree[rule.name] = pairs.filter(same).select(
            pl.col("record_id").alias("left_id"),
            pl.col("record_id_r").alias("right_id"),
            *rule.keys,
        )
    return pairs, agree, right


def _block_sizes(
    data: Path, settings: Any, agree: dict[str, pl.DataFrame]
) -> dict[str, pl.DataFrame]:
    """Per rule: vendor × registry records of the whole country on each agreeing key."""
    rules = {r.name: r for r in settings.blocking}
    wanted = {
        name: frame.select(list(rules[name].keys)).unique()
        for name, frame in agree.items()
        if frame.height
    }
    counts: dict[str, list[pl.DataFrame]] = defaultdict(list)
    for part in sorted((data / "records").glob("province=*")):
        frame = _keys(pl.read_parquet(str(part / "*.parquet")), settings)
        which = pl.when(pl.col("source") == REGISTRY).then(pl.lit("r")).otherwise(pl.lit("l"))
        for name, keys in wanted.items():
            columns = list(rules[name].keys)
            counts[name].append(
                frame.join(keys, on=columns, how="semi", nulls_equal=False)
                .group_by(*columns, which.alias("side"))
                .len()
            )
    sizes = {}
    for name, parts in counts.items():
        columns = list(rules[name].keys)
        total = pl.concat(parts).group_by(*columns, "side").agg(pl.col("len").sum())
        wide = total.pivot(on="side", index=columns, values="len")
        for side in ("l", "r"):
            if side not in wide.columns:
                wide = wide.with_columns(pl.lit(0, pl.UInt32).alias(side))
        sizes[name] = wide.with_columns(
            (pl.col("l").fill_null(0).cast(pl.Int64) * pl.col("r").fill_null(0)).alias(
                "block_pairs"
            )
        ).select(*columns, "block_pairs")
    return sizes


def classify(data: Path, out: Path, examples: int = 5) -> dict[str, Any]:
    from reconcile.profile import compile_profile
    from reconcile.student import student_profile

    settings = compile_profile(student_profile())
    missed, links, linkable = _missed(data, out)
    result: dict[str, Any] = {"linkable": linkable, "missed": missed.height}
    if missed.height == 0:
        return result
    kept = links.join(missed.rename({"record_id": "left_id"}), on="left_id")
    wrong = set(
        kept.filter((pl.col("decision") == "match") & (pl.col("p_right") != pl.col("person_id")))[
            "left_id"
        ]
    )
    true_kept = kept.filter(pl.col("p_right") == pl.col("person_id"))
    best_other = (
        kept.filter(pl.col("p_right") != pl.col("person_id"))
        .group_by("left_id")
        .agg(pl.col("match_probability").max().alias("rival"))
    )
    scored = (
        true_kept.filter(~pl.col("left_id").is_in(list(wrong)))
        .group_by("left_id")
        .agg(pl.col("match_probability").max(), pl.col("decision").first())
        .join(best_other, on="left_id", how="left")
    )
    classes: dict[str, str] = {rid: "linked_to_another" for rid in wrong}
    classes.update({rid: "scored_not_accepted" for rid in scored["left_id"] if rid not in classes})

    rest = missed.filter(~pl.col("record_id").is_in(list(classes)))
    pairs, agree, _ = _agreeing(rest, data, settings)
    sizes = _block_sizes(data, settings, agree)
    caps = {r.name: r.max_block_pairs for r in settings.blocking}
    under: set[str] = set()
    over_rules: Counter[str] = Counter()
    over_sizes: dict[str, list[int]] = defaultdict(list)
    over: set[str] = set()
    for name, frame in agree.items():
        if not frame.height:
            continue
        keys = [c for c in frame.columns if c not in ("left_id", "right_id")]
        sized = frame.join(sizes[name], on=keys, how="left")
        fits = sized.filter(pl.col("block_pairs") <= caps[name])
        under.update(fits["left_id"])
        big = sized.filter(pl.col("block_pairs") > caps[name])
        over.update(big["left_id"])
        over_rules.update({name: big["left_id"].n_unique()})
        over_sizes[name] += big["block_pairs"].to_list()
    for rid in rest["record_id"]:
        if rid in under:
            classes[rid] = "compared_not_kept"
        elif rid in over:
            classes[rid] = "block_over_cap"
        else:
            classes[rid] = "no_rule_agrees"
    result["classes"] = dict(Counter(classes.values()).most_common())
    if scored.height:
        result["scored_not_accepted"] = {
            "decisions": dict(Counter(scored["decision"]).most_common()),
            "probability_median": round(
                scored.select(pl.col("match_probability").median()).item(), 4
            ),
            "rival_scored_higher": int(
                scored.filter(pl.col("rival") > pl.col("match_probability")).height
            ),
        }
    by_rule = {
        name: {
            "missed_records": over_rules[name],
            "cap": caps[name],
            "block_pairs_min": min(over_sizes[name]),
            "block_pairs_max": max(over_sizes[name]),
        }
        for name in over_rules
        if over_rules[name]
    }
    result["over_cap_rules"] = by_rule
    problems = _read(data / "problems")
    named = pl.DataFrame(
        {"record_id": list(classes), "class": list(classes.values())},
        schema={"record_id": pl.String, "class": pl.String},
    )
    told = pl.concat(
        [
            problems.select("record_id", "problem", "cross_province"),
            problems.select(
                pl.col("other_record_id").alias("record_id"), "problem", "cross_province"
            ),
        ]
    ).drop_nulls("record_id")
    carried = named.join(told, on="record_id", how="left").with_columns(
        pl.col("problem").fill_null("(none)")
    )
    result["problems_of_missed"] = {
        cls: dict(
            Counter(
                f"{p}{' (cross-province)' if c else ''}"
                for p, c in zip(sub["problem"], sub["cross_province"], strict=True)
            ).most_common(8)
        )
        for (cls,), sub in carried.group_by("class")
    }
    shown = [
        "record_id",
        "family_name",
        "middle_name",
        "given_name",
        "dob",
        "gender",
        "school_code",
    ]
    shown += ["code_key", "mother_name"]
    picked = []
    for cls in ("block_over_cap", "no_rule_agrees", "compared_not_kept"):
        ids = [rid for rid, c in classes.items() if c == cls][:examples]
        for row in pairs.filter(pl.col("record_id").is_in(ids)).iter_rows(named=True):
            picked.append(
                {
                    "class": cls,
                    "vendor": {c: str(row[c]) for c in shown},
                    "registry": {c: str(row[f"{c}_r"]) for c in shown},
                }
            )
    result["examples"] = picked
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="holds data/ and out/ of bench_country")
    parser.add_argument("--examples", type=int, default=5)
    args = parser.parse_args(argv)
    result = classify(args.folder / "data", args.folder / "out", args.examples)
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return result


if __name__ == "__main__":
    main()
