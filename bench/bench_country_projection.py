"""The national run's blocks at a size not run (issue 17): each blocking rule's pairs, and the true
pairs its caps would drop, projected from a simulated country to larger ones.

    .venv/bin/python -m bench.bench_country_projection var/bench/country/1000000 \
        --to 2000000 5000000 23000000

The folder holds ``data/`` (the country of ``bench_country``) and, when it was run, ``out/``
(whose ``summary.json`` gives the pairs Spark counted at this size, printed beside the
projection's own count as a check).

The model, per rule, from the blocks of the data at hand (vendor records × registry records of
the whole country on one key, counted as the run counts them):

- a rule keyed by the school, the identity code or the personal id (``LOCAL_KEYS``) has blocks
  that do not grow with the country (a school holds as many students in a bigger country; a code
  is one student's): its blocks are the same, there are N/n times as many, its pairs grow
  linearly;
- any other rule is keyed by names and dates, which the whole country shares: a country s = N/n
  times larger has s times the records on each side of every block. A block's true pairs (the
  vendor and registry records of one student) grow s times, its chance pairs (two students who
  share the key) s² times, and the blocks over the rule's ``max_block_pairs`` (the caps) are
  dropped at that size. Its pairs grow nearly as s² until the caps bite. (Scaling all pairs by
  s² overstates the 2 M run's given name + birth date pairs by a fifth: a third of them are
  true pairs at 1 M.)

Keys too rare to appear at this size are missing from the projection: a country s times larger
holds names and dates this one never drew, each a small block under the caps. Checked against
the runs (1 M projected to 2 M and 5 M, beside what the 2 M and 5 M runs counted): the rules
without caps that bite (given name + birth date, birth date + gender + initials, the local
rules) came within 0.5 %; the capped name + birth-year rules were undercounted by a third at
5 M (family + given + year 2.5 M projected, 4.0 M counted), the sum of the rules by 5 %. The
projection is a lower bound for those rules, and their blocks stay small. The union of the
rules is not projected (it needs the pairs, not the counts): the run's union over the rules' sum
at this size is printed, to apply to the projected sum.

Recall: every true pair (a vendor record and a registry record of the same person) is found by
the rules whose keys agree on it, in blocks under their caps. The projection counts the true
pairs that keep no such block at each size: links that no rule would compare there.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import polars as pl

from bench.bench_country import _read
from bench.bench_country_missed import REGISTRY, _keys

LOCAL_KEYS = frozenset({"school_code", "code_key", "pid_key"})


def _prepared(data: Path, settings: Any) -> pl.DataFrame:
    """The rules' key columns of every record, a province at a time (memory of one province)."""
    keys = sorted({k for rule in settings.blocking for k in rule.keys})
    parts = []
    for part in sorted((data / "records").glob("province=*")):
        frame = _keys(pl.read_parquet(str(part / "*.parquet")), settings)
        parts.append(
            frame.select("record_id", (pl.col("source") == REGISTRY).alias("registry"), *keys)
        )
    truth = _read(data / "truth").select("record_id", "person_id")
    return pl.concat(parts).join(truth, on="record_id")


def _grown(s: float, local: bool) -> pl.Expr:
    """A block's pairs in a country s times this one: its true pairs grow with the records
    (each student is one more true pair), its chance pairs with both sides (s²)."""
    if local:
        return pl.col("pairs").cast(pl.Float64)
    return s * pl.col("true") + s * s * (pl.col("pairs") - pl.col("true"))


def project(folder: Path, targets: list[int]) -> dict[str, Any]:
    from reconcile.profile import compile_profile
    from reconcile.student import student_profile

    data = folder / "data"
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    students = int(manifest["students"])
    settings = compile_profile(student_profile())
    records = _prepared(data, settings)
    vendor = records.filter(~pl.col("registry"))
    registry = records.filter(pl.col("registry"))
    truth_pairs = vendor.join(registry, on="person_id", suffix="_r")
    measured: dict[str, Any] = {}
    summary = folder / "out" / "summary.json"
    if summary.exists():
        link = json.loads(summary.read_text(encoding="utf-8"))["linkage"]["link"]
        measured = {name: s["pairs"] for name, s in link["blocking"].items()}
        measured["candidate_pairs"] = link.get("candidate_pairs")

    sizes = [students, *targets]
    rules: dict[str, Any] = {}
    kept_somewhere = {n: pl.Series([False] * truth_pairs.height) for n in sizes}
    for rule in settings.blocking:
        keys = list(rule.keys)
        local = bool(LOCAL_KEYS & set(keys))
        present = pl.all_horizontal([pl.col(k).is_not_null() for k in keys])
        nl = vendor.filter(present).group_by(keys).len("nl")
        nr = registry.filter(present).group_by(keys).len("nr")
        agree = pl.all_horizontal(
            [pl.col(k).is_not_null() & (pl.col(k) == pl.col(f"{k}_r")) for k in keys]
        )
        agreeing = truth_pairs.with_columns(agree.alias("agree"))
        true_in = agreeing.filter("agree").group_by(keys).len("true")
        blocks = (
            nl.join(nr, on=keys)
            .join(true_in, on=keys, how="left")
            .select(
                *keys,
                (pl.col("nl").cast(pl.Int64) * pl.col("nr")).alias("pairs"),
                pl.col("true").fill_null(0).cast(pl.Int64),
            )
        )
        # each true pair's block (null where the rule's keys disagree on it)
        true_blocks = agreeing.join(blocks, on=keys, how="left", maintain_order="left").select(
            pl.when("agree").then(pl.col("pairs")).alias("pairs"),
            pl.when("agree").then(pl.col("true")).alias("true"),
        )
        row: dict[str, Any] = {"local": local, "cap": rule.max_block_pairs}
        for n in sizes:
            s = n / students
            size = _grown(s, local)
            fits = blocks.filter(size <= rule.max_block_pairs)
            pairs = fits.select(size.sum()).item() * (s if local else 1.0)
            row[str(n)] = {
                "pairs": round(pairs),
                "dropped_blocks": round((blocks.height - fits.height) * (s if local else 1.0)),
                "worst_kept_block": round(fits.select(size.max()).item() or 0),
            }
            found = true_blocks.select((size <= rule.max_block_pairs).fill_null(False)).to_series()
            row[str(n)]["true_pairs"] = int(found.sum())
            kept_somewhere[n] = kept_somewhere[n] | found
        if rule.name in measured:
            row["spark_pairs_here"] = measured[rule.name]
        rules[rule.name] = row

    out: dict[str, Any] = {
        "students": students,
        "true_pairs": truth_pairs.height,
        "rules": rules,
        "sum_of_rules": {str(n): sum(r[str(n)]["pairs"] for r in rules.values()) for n in sizes},
        "true_pairs_no_rule_keeps": {
            str(n): int(truth_pairs.height - kept_somewhere[n].sum()) for n in sizes
        },
    }
    if measured.get("candidate_pairs"):
        spark_sum = sum(v for k, v in measured.items() if k != "candidate_pairs")
        out["union_over_sum_here"] = round(measured["candidate_pairs"] / spark_sum, 4)
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="holds data/ (and out/) of bench_country")
    parser.add_argument("--to", type=int, nargs="+", default=[23_000_000])
    args = parser.parse_args(argv)
    result = project(args.folder, args.to)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return result


if __name__ == "__main__":
    main()
