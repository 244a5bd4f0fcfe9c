"""``doisoat export``: a province's store becomes its part of the country's Parquet, holding
exactly the records its own night reconciles (the latest snapshot of every source and school)."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from connectors.ingest import ingest_paths
from doisoat import store
from doisoat.errors import ConfigError, ReconcileError
from reconcile import latest_records
from service.country.export import export_province
from simulate import generate, next_night, write_district
from simulate.load import load_school_directory

HIVE = {"province": pl.String}


def _ingest_two_nights(engine, tmp_path):
    """The demo district's exports ingested for its night, then one school's again a night
    later: the latest snapshots are of two nights."""
    district = generate(300, seed=5)
    load_school_directory(engine, district)
    first = ingest_paths([write_district(district, tmp_path / "night1")[0].parent.parent],
                         engine=engine, night=district.night)  # fmt: skip
    assert first.rows_accepted > 0
    later = next_night(district)
    folder = tmp_path / "night2"
    write_district(later, folder)
    # the first school whose exports changed: a school's files that are byte for byte the first
    # night's (nothing changed, written within the same second) are rightly skipped as known
    for one_school in sorted(p for p in folder.iterdir() if p.is_dir()):
        second = ingest_paths([one_school], engine=engine, night=later.night)
        if any(f.status == "loaded" for f in second.files):
            return district, later, one_school.name
    raise AssertionError("no school's exports changed on the second night")


def _exported(root) -> pl.DataFrame:
    return pl.read_parquet(
        root / "records" / "province=*" / "*.parquet", hive_partitioning=True, hive_schema=HIVE
    )


def test_the_export_holds_the_latest_records_as_the_night_reads_them(engine, tmp_path):
    district, later, school = _ingest_two_nights(engine, tmp_path)
    out = tmp_path / "country"
    outcome = export_province(engine, out)
    latest = latest_records(engine)
    exported = _exported(out)
    assert outcome.province == "79" and outcome.name == "Hồ Chí Minh"
    assert set(exported["province"]) == {"79"}
    assert exported.height == latest.height == outcome.records
    left = exported.drop("province").sort("record_id")
    assert left.schema == latest.schema
    assert left.equals(latest.sort("record_id"))
    # one school's snapshots are of the second night, the other's of the first
    nights = store.read_table(engine, "source_snapshot", columns=["id", "school_code", "night"])
    shown = exported.join(nights, left_on="snapshot_id", right_on="id")
    assert later.night in set(shown.filter(pl.col("school_code_right") == school)["night"])
    assert set(shown.filter(pl.col("school_code_right") != school)["night"]) == {district.night}
    assert outcome.registry_records == latest.filter(pl.col("source") == "moet").height > 0
    schools = pl.read_parquet(out / "schools" / "province=79" / "*.parquet")
    assert set(schools["school_code"]) == set(exported["school_code"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "export" and manifest["night"] == later.night.isoformat()
    assert [p["code"] for p in manifest["provinces"]] == ["79"]


def test_a_second_export_replaces_its_province_and_keeps_the_others(engine, tmp_path):
    _ingest_two_nights(engine, tmp_path)
    out = tmp_path / "country"
    first = export_province(engine, out)
    export_province(engine, out)  # the same province again: replaced, not doubled
    export_province(engine, out, province="74")  # Bình Dương's code: Hồ Chí Minh since 2025
    export_province(engine, out, province="01")
    exported = _exported(out)
    assert exported.filter(pl.col("province") == "79").height == first.records
    assert exported.filter(pl.col("province") == "01").height == first.records
    manifest = json.loads((out / "manifest.json").read_text())
    assert [p["code"] for p in manifest["provinces"]] == ["01", "79"]
    assert manifest["records"] == 2 * first.records


def test_an_empty_store_or_an_unknown_province_is_refused_in_words(engine, tmp_path):
    with pytest.raises(ReconcileError) as empty:
        export_province(engine, tmp_path / "out")
    assert "chưa có" in empty.value.message_vi
    _ingest_two_nights(engine, tmp_path)
    with pytest.raises(ConfigError) as unknown:
        export_province(engine, tmp_path / "out", province="99")
    assert "«99»" in unknown.value.message_vi


def test_the_command_exports_and_says_so_in_vietnamese(sqlite_engine, tmp_path):
    from service.cli import app

    _ingest_two_nights(sqlite_engine, tmp_path)
    url = str(sqlite_engine.url)
    result = CliRunner().invoke(app, ["export", "--out", str(tmp_path / "c"), "--url", url])
    assert result.exit_code == 0, result.output
    assert "Hồ Chí Minh (79)" in result.output and "Đã xuất" in result.output
    assert _exported(tmp_path / "c").height == latest_records(sqlite_engine).height
    refused = CliRunner().invoke(
        app, ["export", "--out", str(tmp_path / "d"), "--url", url, "--province", "7"]
    )
    assert refused.exit_code == 1 and "Lỗi:" in refused.output
