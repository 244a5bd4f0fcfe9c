"""The national run on Spark gives the single machine's answers, and finds the country's stories.

One simulated country of ~4 k students (34 provinces, with the cross-province stories of
``simulate.crossings``) is run twice: on one machine (``reconcile.link``/``dedupe`` and the
night's rules over all records) and on Spark ``local[2]`` with the models the single machine
estimated. Same data and model → the same identities, links and conflicts, ids included.
"""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from service.cli import app

STUDENTS = 4_000
CROSS_TYPES = ("DUAL_ENROLLMENT", "ID_DUPLICATE", "ID_SHARED", "TRANSFER_CODE_CHANGED")


def _read(folder) -> pl.DataFrame:
    return pl.read_parquet(
        str(folder / "province=*" / "*.parquet"),
        hive_partitioning=True,
        hive_schema={"province": pl.String},
    )


@pytest.fixture(scope="module")
def country(tmp_path_factory):
    from simulate.country_files import write_country

    root = tmp_path_factory.mktemp("country")
    write_country(root, STUDENTS, seed=5)
    return root


@pytest.fixture(scope="module")
def single(country):
    from service.country import run_single_from

    return run_single_from(country)


@pytest.fixture(scope="module")
def national(spark, country, single, tmp_path_factory):
    from service.country import run_country

    out = tmp_path_factory.mktemp("national")
    stages: list[str] = []
    result = run_country(
        spark,
        country,
        out,
        progress=lambda stage, info: stages.append(stage) if "seconds" in info else None,
        link_model=single.links.model,
        registry_model=single.registry_links.model,
    )
    return result, stages


def test_same_identities_and_links_as_one_machine(national, single):
    result, _ = national
    identities = _read(result.out / "identities")
    assert identities.height == single.identities.height
    mine = identities.select("record_id", "identity_id").sort("record_id")
    assert mine.equals(single.identities.select("record_id", "identity_id").sort("record_id"))
    links = _read(result.out / "links")
    for kind, expected in (
        ("vendor_registry", single.links.pairs),
        ("registry_duplicate", single.registry_links.pairs),
    ):
        got = links.filter(pl.col("kind") == kind)
        want = expected.filter(pl.col("decision") != "non-match")
        key = ["left_id", "right_id", "decision"]
        assert got.select(key).sort(key).equals(want.select(key).sort(key)), kind


def test_same_conflicts_with_the_same_ids(national, single):
    result, _ = national
    conflicts = _read(result.out / "conflicts")
    assert conflicts.height == single.conflicts.height > 0
    columns = ["conflict_id", "type", "severity", "school_code", "record_ids", "evidence"]
    columns += ["suggested_fix", "message_vi"]
    mine = conflicts.select(columns).sort("conflict_id")
    assert mine.equals(single.conflicts.select(columns).sort("conflict_id"))


def test_finds_the_cross_province_stories_of_the_truth(national, country):
    result, _ = national
    conflicts = _read(result.out / "conflicts")
    problems = _read(country / "problems").filter(pl.col("cross_province"))
    named = conflicts.select("type", "cross_province", "record_ids").explode("record_ids")
    for kind in (*CROSS_TYPES, "TRANSFER_UNRECEIVED", "ID_MISMATCH"):
        told = problems.filter(pl.col("problem") == kind)
        assert told.height > 0, kind
        found = named.filter(pl.col("type") == kind)
        missed = told.join(found, left_on="record_id", right_on="record_ids", how="anti")
        assert missed.height == 0, (kind, missed.head(3).to_dicts())
        if kind in CROSS_TYPES:  # the records of these stories are in two provinces
            flagged = found.filter(pl.col("cross_province"))
            assert told.join(flagged, left_on="record_id", right_on="record_ids", how="semi").height
    # a move released and received across provinces is no conflict, but one person
    identities = _read(result.out / "identities").select("record_id", "identity_id")
    moved = problems.filter(pl.col("problem") == "TRANSFER").join(identities, on="record_id")
    other = identities.rename({"record_id": "other_record_id", "identity_id": "other"})
    moved = moved.join(other, on="other_record_id")
    assert moved.height > 0 and (moved["identity_id"] == moved["other"]).all()


def test_conflicts_are_filed_under_the_province_of_their_school(national, country):
    result, _ = national
    conflicts = _read(result.out / "conflicts")
    records = _read(country / "records").select("record_id", "school_code", "province")
    members = conflicts.select("conflict_id", "school_code", "province", "record_ids").explode(
        "record_ids"
    )
    owners = members.join(
        records.rename({"record_id": "record_ids", "school_code": "record_school"}),
        on="record_ids",
        suffix="_record",
    ).filter(pl.col("record_school") == pl.col("school_code"))
    assert owners.height > 0
    assert (owners["province"] == owners["province_record"]).all()
    cross = conflicts.filter(pl.col("cross_province"))
    assert cross.height > 0 and (cross["provinces"].list.len() > 1).all()


def test_summary_for_programs_and_for_the_ministry(national):
    result, stages = national
    top = [stage for stage in stages if "." not in stage]
    assert top == ["read", "keys", "link", "registry", "components", "rules", "write"]
    assert "link.blocking" in stages and "registry.clustering" in stages
    data = json.loads((result.out / "summary.json").read_text(encoding="utf-8"))
    conflicts = _read(result.out / "conflicts")
    by_type = dict(conflicts.group_by("type").len().iter_rows())
    assert {k: v["total"] for k, v in data["conflicts"]["by_type"].items()} == by_type
    assert data["conflicts"]["cross_province"] == int(conflicts["cross_province"].sum())
    assert len(data["records"]["by_province"]) == 34
    text = (result.out / "summary.txt").read_text(encoding="utf-8")
    assert "Đang học ở hai trường" in text and "Hồ Chí Minh" in text
    assert "liên tỉnh" in text


def test_the_command_refuses_a_folder_without_a_country_in_words(tmp_path):
    outcome = CliRunner().invoke(
        app, ["country", "--data", str(tmp_path), "--out", str(tmp_path / "out")]
    )
    assert outcome.exit_code == 1
    assert "Không tìm thấy dữ liệu toàn quốc" in outcome.output
    assert "Traceback" not in outcome.output


def test_the_command_says_java_is_missing(tmp_path, monkeypatch, country):
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    outcome = CliRunner().invoke(
        app, ["country", "--data", str(country), "--out", str(tmp_path / "out")]
    )
    assert outcome.exit_code == 1
    assert "Không tìm thấy Java" in outcome.output


def test_the_output_folder_holds_only_what_users_read(national):
    """Each linkage's answers are kept under a scratch folder while the run goes on (so Spark
    can let go of their shuffle files); the finished run leaves none of it behind."""
    result, _ = national
    assert sorted(p.name for p in result.out.iterdir()) == [
        "conflicts",
        "identities",
        "links",
        "summary.json",
        "summary.txt",
    ]
