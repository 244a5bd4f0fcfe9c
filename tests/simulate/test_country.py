"""A simulated country as the national run reads it: provinces by size, the stories across
provinces in the truth, every record written once, the canonical columns and types."""

from __future__ import annotations

import json

import polars as pl
import pytest

from doisoat.model import REGISTRY_SOURCE, STUDENT_COLUMNS
from doisoat.store import _polars_type
from doisoat.vn import PROVINCES_2025, SUCCESSOR_2025
from simulate import simulate_country, write_country
from simulate.country import province_shares, record_schema
from simulate.crossings import CROSS_RATES

STUDENTS = 4_000
HIVE = {"province": pl.String}


@pytest.fixture(scope="module")
def country(tmp_path_factory):
    root = tmp_path_factory.mktemp("country")
    manifest = write_country(root, STUDENTS, seed=5)
    return root, manifest


def _read(root, dataset: str) -> pl.DataFrame:
    return pl.read_parquet(
        root / dataset / "province=*" / "*.parquet", hive_partitioning=True, hive_schema=HIVE
    )


def test_every_province_is_there_with_hcm_and_hanoi_the_largest(country):
    root, manifest = country
    records = _read(root, "records")
    students = (
        records.filter(pl.col("source") != REGISTRY_SOURCE)
        .group_by("province")
        .len()
        .sort("len", descending=True)
    )
    assert set(students["province"]) == set(PROVINCES_2025)
    assert students["province"][:2].to_list() == ["79", "01"]
    shares = province_shares()
    # the order of sizes follows the population, up to the noise of a small country
    by_size = sorted(shares, key=shares.get, reverse=True)
    assert by_size[:2] == ["79", "01"]
    smallest = students["province"][-5:].to_list()
    assert set(smallest) <= set(by_size[-8:])
    assert [p["code"] for p in manifest["provinces"]] == sorted(PROVINCES_2025)


def test_every_school_belongs_to_its_province(country):
    root, _ = country
    records = _read(root, "records")
    province_of_school = records.select(
        pl.col("school_code").str.slice(0, 2).replace_strict(SUCCESSOR_2025).alias("of_school"),
        "province",
    )
    assert province_of_school.filter(pl.col("of_school") != pl.col("province")).height == 0


def test_every_kind_of_cross_province_case_is_in_the_truth(country):
    root, manifest = country
    problems = _read(root, "problems")
    truth = _read(root, "truth")
    records = _read(root, "records").join(truth.drop("province"), on="record_id")
    cross = problems.filter(pl.col("cross_province"))
    assert set(CROSS_RATES) <= set(cross["problem"])
    assert manifest["cross_province_cases"] == dict(sorted(cross["problem"].value_counts().rows()))
    ids = pl.concat([cross["record_id"], cross["other_record_id"]]).drop_nulls()
    assert ids.is_in(records["record_id"].implode()).all()
    province = dict(records.select("record_id", "province").iter_rows())

    def provinces(kind: str) -> list[set[str]]:
        rows = cross.filter(pl.col("problem") == kind)
        return [
            {province[a], province[b]}
            for a, b in rows.select("record_id", "other_record_id").iter_rows()
        ]

    for kind in (
        "DUAL_ENROLLMENT",
        "TRANSFER_CODE_CHANGED",
        "ID_DUPLICATE",
        "TRANSFER",
        "ID_SHARED",
    ):
        assert all(len(pair) == 2 for pair in provinces(kind)), kind
    # enrolled twice: one person studying in two provinces under one code
    dual = cross.filter(pl.col("problem") == "DUAL_ENROLLMENT").row(0, named=True)
    twice = records.filter(pl.col("record_id").is_in([dual["record_id"], dual["other_record_id"]]))
    assert twice["person_id"].n_unique() == 1 and twice["moet_code"].n_unique() == 1
    # one student under two registry codes in two provinces
    dup = cross.filter(pl.col("problem") == "ID_DUPLICATE").row(0, named=True)
    regs = records.filter(pl.col("record_id").is_in([dup["record_id"], dup["other_record_id"]]))
    assert set(regs["source"]) == {REGISTRY_SOURCE} and regs["moet_code"].n_unique() == 2
    assert regs["person_id"].n_unique() == 1
    # one code held by two students of two provinces
    shared = records.filter(pl.col("moet_code").is_not_null() & (pl.col("source") != "moet"))
    held = shared.group_by("moet_code").agg(
        pl.col("person_id").n_unique().alias("people"), pl.col("province").n_unique().alias("p")
    )
    assert held.filter((pl.col("people") > 1) & (pl.col("p") > 1)).height >= 1
    # enrolled nowhere: released to another province's school that holds no record of them
    gone = cross.filter(pl.col("problem") == "TRANSFER_UNRECEIVED").row(0, named=True)
    sent = records.filter(pl.col("record_id") == gone["record_id"]).row(0, named=True)
    assert sent["status"] == "transferred_out"
    assert SUCCESSOR_2025[sent["transfer_school_code"][:2]] != sent["province"]
    assert records.filter(pl.col("person_id") == sent["person_id"])["province"].n_unique() == 1


def test_rows_in_are_rows_out_and_ids_are_unique_across_the_country(country):
    root, manifest = country
    records = _read(root, "records")
    truth = _read(root, "truth")
    assert records.height == manifest["records"] == sum(p["records"] for p in manifest["provinces"])
    assert records["record_id"].n_unique() == records.height
    assert truth.height == records.height
    assert records.join(truth, on="record_id", how="anti").height == 0
    # a snapshot belongs to one source and one province
    per_snapshot = records.group_by("snapshot_id").agg(
        pl.col("source").n_unique(), pl.col("province").n_unique()
    )
    assert (per_snapshot["source"] == 1).all() and (per_snapshot["province"] == 1).all()
    # what the generator yields is what the files hold
    yielded = sum(f.records.height for f in simulate_country(STUDENTS, seed=5))
    assert yielded == records.height


def test_read_back_with_polars_the_canonical_columns_and_types(country):
    from doisoat.model import StudentRecord

    root, _ = country
    files = sorted((root / "records").glob("province=*/*.parquet"))
    frame = pl.read_parquet(files[0])
    assert tuple(frame.columns) == STUDENT_COLUMNS  # no province column inside the files
    stored = {c.name: _polars_type(c.type) for c in StudentRecord.__table__.columns}  # type: ignore[attr-defined]
    assert dict(frame.schema) == stored == record_schema()
    assert frame["dob"].dtype == pl.Date and frame["record_id"].null_count() == 0
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["students"] >= STUDENTS * 0.99
    assert manifest["night"] and manifest["school_year"]


def test_the_same_seed_gives_the_same_country_and_hard_adds_its_mess(tmp_path):
    first = write_country(tmp_path / "a", 1_500, seed=9, hard=True)
    second = write_country(tmp_path / "b", 1_500, seed=9, hard=True)
    assert first == second
    a = _read(tmp_path / "a", "records").sort("record_id")
    b = _read(tmp_path / "b", "records").sort("record_id")
    assert a.equals(b)
    problems = _read(tmp_path / "a", "problems")
    hard = problems.filter(pl.col("detail").str.contains('"hard"'))
    assert hard.height > 0  # students absent from the registry, double damage …
    relations = _read(tmp_path / "a", "relations")
    assert relations.height > 0 and (relations["person_id"] >= 10**9).all()


def test_a_country_too_small_for_its_provinces_is_refused():
    with pytest.raises(ValueError, match="at least"):
        next(simulate_country(100))


def test_the_command_writes_a_country_of_the_night_given_in_vietnamese_dates(tmp_path):
    from typer.testing import CliRunner

    from service.cli import app

    out = tmp_path / "country"
    args = ["simulate", "--country", "-n", "1200", "--seed", "4", "--night", "05/01/2026"]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    manifest = json.loads((out / "manifest.json").read_text())
    assert summary["records"] == manifest["records"] == _read(out, "records").height
    assert manifest["night"] == "2026-01-05" and manifest["school_year"] == "2025-2026"
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 1 and "--out" in refused.output
