"""A person's word on a pair outlives the night it was given: the CLI end to end."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from doisoat import store
from service.cli import app
from service.config import Settings
from service.night.pipeline import run_nightly
from simulate import generate, next_night
from simulate.load import load_district

runner = CliRunner()


def _stable(engine, record_id: str) -> tuple[str, str, str]:
    row = store.read_table(
        engine, "student_record", "record_id = :r", {"r": record_id},
        columns=["source", "school_code", "local_id"],
    ).row(0)  # fmt: skip
    return row


def _identity_by_key(engine) -> dict[tuple[str, str, str], str]:
    ids = store.read_table(engine, "identity", columns=["record_id", "identity_id"])
    recs = store.read_table(
        engine, "student_record", columns=["record_id", "source", "school_code", "local_id"]
    )
    joined = ids.join(recs, on="record_id")
    return {
        (r["source"], r["school_code"], r["local_id"]): r["identity_id"]
        for r in joined.iter_rows(named=True)
    }


@pytest.fixture
def first_night(tmp_path):
    engine = store.get_engine(f"sqlite:///{tmp_path / 'store.db'}")
    store.upgrade(engine)
    district = generate(2_000, seed=41)
    load_district(engine, district)
    settings = Settings(reports_dir=tmp_path / "reports")
    run_nightly(engine, night=district.night, settings=settings)
    return engine, district, settings, f"sqlite:///{tmp_path / 'store.db'}"


def _cli(url: str, *args: str):
    return runner.invoke(app, ["link", *args, "--url", url])


def test_undone_and_confirmed_links_hold_on_the_next_night(first_night):
    engine, district, settings, url = first_night
    links = store.read_table(engine, "link", "decision = 'match'")
    undone = links.row(0, named=True)
    lonely = store.read_table(
        engine, "conflict", "type = 'UNREGISTERED'", columns=["record_ids"]
    ).row(0)[0]
    vendor_alone = json.loads(lonely)[0]
    registry_other = links.row(1, named=True)["right_id"]

    why_apart = "Hai học sinh khác nhau, đã xác minh"
    result = _cli(url, "undo", undone["left_id"], undone["right_id"],
                  "--by", "Nguyễn Văn Hùng", "--reason", why_apart)  # fmt: skip
    assert result.exit_code == 0, result.output
    why_same = "Cùng một học sinh theo hồ sơ giấy"
    result = _cli(url, "same", vendor_alone, registry_other,
                  "--by", "Trần Thị Mai", "--reason", why_same)  # fmt: skip
    assert result.exit_code == 0, result.output

    listed = _cli(url, "list")
    assert listed.exit_code == 0
    rows = [json.loads(line) for line in listed.output.strip().splitlines()]
    assert {r["decision"] for r in rows} == {"same", "different"}
    audit = store.read_table(engine, "audit_event", "entity = 'link'")
    assert set(audit["action"].to_list()) == {"link.undo", "link.same"}
    assert set(audit["actor"].to_list()) == {"Nguyễn Văn Hùng", "Trần Thị Mai"}

    keys = {
        name: _stable(engine, rid)
        for name, rid in {
            "undone_left": undone["left_id"], "undone_right": undone["right_id"],
            "alone": vendor_alone, "other": registry_other,
        }.items()
    }  # fmt: skip
    tomorrow = next_night(district)
    load_district(engine, tomorrow)
    run_nightly(engine, night=tomorrow.night, settings=settings)
    identity = _identity_by_key(engine)
    assert identity[keys["undone_left"]] != identity[keys["undone_right"]]
    assert identity[keys["alone"]] == identity[keys["other"]]
    newest = store.read_table(engine, "link").join(
        store.read_table(engine, "identity", columns=["record_id"]),
        left_on="left_id", right_on="record_id",
    )  # fmt: skip
    assert newest.height > 0


def test_a_decision_needs_known_records_and_a_reason(first_night):
    engine, _district, _settings, url = first_night
    result = _cli(url, "same", "smas:1:nope", "moet:2:nope", "--by", "A", "--reason", "B")
    assert result.exit_code == 1
    assert "Không tìm thấy bản ghi học sinh" in result.output
    link = store.read_table(engine, "link", "decision = 'match'").row(0, named=True)
    result = _cli(url, "different", link["left_id"], link["right_id"], "--by", "A", "--reason", " ")
    assert result.exit_code == 1
    assert "lý do" in result.output
    assert store.read_table(engine, "link_decision").height == 0
    assert pl.DataFrame(store.read_table(engine, "audit_event", "entity = 'link'")).height == 0
