"""``doisoat reconcile`` / ``doisoat explain`` over a real store (SQLite, and PostgreSQL in CI)."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from typer.testing import CliRunner

from doisoat import store
from doisoat.model import LinkDecision
from reconcile.service import explain_record, run_reconcile
from service.cli import app
from simulate import generate
from simulate.load import load_district

NIGHT = dt.date(2026, 6, 10)


@pytest.fixture(scope="module")
def district():
    return generate(800, seed=9)


@pytest.fixture
def loaded(engine, district):
    load_district(engine, district)
    return engine


def test_reconcile_writes_identities_links_and_conflicts(loaded, district):
    outcome = run_reconcile(loaded, night=NIGHT)
    identities = store.read_table(loaded, "identity")
    assert identities.height == district.records.height
    vendor_ids = identities.filter(~pl.col("record_id").str.starts_with("moet:"))
    # almost every vendor record belongs to an identity named by a registry code
    named = vendor_ids.filter(pl.col("identity_id").str.contains(r"^moet:\d{10}$")).height
    assert named >= 0.97 * vendor_ids.height
    conflicts = store.read_table(loaded, "conflict")
    assert set(conflicts["type"]) >= {"ID_MISMATCH", "ID_MISSING", "DEMOGRAPHIC_DRIFT"}
    assert (conflicts["status"] == "new").all()
    assert conflicts["message_vi"].str.len_chars().min() > 10
    assert (
        outcome.conflicts["ID_MISMATCH"] == conflicts.filter(pl.col("type") == "ID_MISMATCH").height
    )
    run = store.read_table(
        loaded, "run", "id = :id", {"id": outcome.run_id}, columns=["status", "summary"]
    )
    assert run["status"][0] == "committed"
    assert "prior_weight" in json.loads(run["summary"][0])["model"]


def test_a_second_night_keeps_ids_and_first_seen_and_resolves_what_was_fixed(loaded):
    run_reconcile(loaded, night=NIGHT)
    before = store.read_table(loaded, "conflict")
    fixed = before.filter(pl.col("type") == "ID_MISSING").row(0, named=True)
    vendor_id = next(r for r in json.loads(fixed["record_ids"]) if not r.startswith("moet:"))
    code = json.loads(fixed["evidence"])["registry_match"]["moet_code"]
    with loaded.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE student_record SET moet_code = ? WHERE record_id = ?"
            if loaded.dialect.name == "sqlite"
            else "UPDATE student_record SET moet_code = %s WHERE record_id = %s",
            (code, vendor_id),
        )
    later = NIGHT + dt.timedelta(days=1)
    run_reconcile(loaded, night=later)
    after = store.read_table(loaded, "conflict")
    gone = after.filter(pl.col("conflict_id") == fixed["conflict_id"]).row(0, named=True)
    assert gone["status"] == "resolved" and gone["resolved_on"] == later
    kept = after.filter(pl.col("status") == "persisting")
    assert kept.height == before.height - 1
    assert (kept["first_seen"] == NIGHT).all() and (kept["last_seen"] == later).all()


def test_explain_shows_the_fields_behind_a_match(loaded):
    run_reconcile(loaded, night=NIGHT)
    link = store.read_table(loaded, "link", "decision = 'match'").row(0, named=True)
    story = explain_record(loaded, link["left_id"])
    best = story["pairs"][0]
    assert best["right_id"] == link["right_id"] and best["decision"] == "match"
    levels = {f["comparison"]: f["level"] for f in best["explanation"]}
    assert {"moet_code", "name", "dob"} <= set(levels)
    assert story["identity"]["record_id"] == link["left_id"]


def test_a_human_decision_splits_a_pair_the_model_joined(loaded):
    run_reconcile(loaded, night=NIGHT)
    link = store.read_table(loaded, "link", "decision = 'match'").row(0, named=True)
    with store.session_scope(loaded) as session:
        session.add(
            LinkDecision(
                left_id=link["left_id"],
                right_id=link["right_id"],
                decision="different",
                decided_by="tester",
                decided_at=dt.datetime(2026, 6, 11, 8, 0, tzinfo=dt.UTC),
            )
        )
    run_reconcile(loaded, night=NIGHT + dt.timedelta(days=1))
    story = explain_record(loaded, link["left_id"])
    assert all(
        p["decision"] != "match" or p["right_id"] != link["right_id"] for p in story["pairs"]
    )
    assert story["human_decisions"][0]["decision"] == "different"


def test_cli_reconcile_then_explain(tmp_path, district):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = store.get_engine(url)
    store.upgrade(engine)
    load_district(engine, district)
    engine.dispose()  # the command opens the store on its own, as a user's shell would
    runner = CliRunner()
    done = runner.invoke(app, ["reconcile", "--url", url, "--night", "10/06/2026"])
    assert done.exit_code == 0, done.output
    summary = json.loads(done.output)
    assert summary["conflicts"]["ID_MISMATCH"] > 0
    engine = store.get_engine(url)
    some = store.read_table(engine, "link", "decision = 'match'")["left_id"][0]
    engine.dispose()
    shown = runner.invoke(app, ["explain", some, "--url", url])
    assert shown.exit_code == 0, shown.output
    # what an officer reads: the decision and the fields in the glossary's Vietnamese
    assert "Cùng một học sinh" in shown.output and "Ngày sinh" in shown.output
    missing = runner.invoke(app, ["explain", "smas:0:nobody", "--url", url])
    assert missing.exit_code == 1
    assert "Không tìm thấy" in missing.output


def test_cli_reconcile_on_an_empty_store_says_what_to_do(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    store.open_store(url)
    done = CliRunner().invoke(app, ["reconcile", "--url", url])
    assert done.exit_code == 1
    assert "hãy nạp dữ liệu" in done.output


def test_stored_explanations_say_what_explain_row_says(district):
    from reconcile.result import explain_row
    from reconcile.service import explanation_json, split_and_link

    _, _, links, _, _ = split_and_link(district.records)
    sample = links.pairs.filter(pl.col("decision") != "non-match").head(300)
    sample = pl.concat([sample, links.pairs.filter(pl.col("decision") == "non-match").head(300)])
    stored = sample.select(explanation_json(links.model).alias("e"))["e"].to_list()
    expected = [explain_row(row, links.model)["fields"] for row in sample.iter_rows(named=True)]
    assert [json.loads(s) for s in stored] == expected
    assert any(f["level"] == "missing" for fields in expected for f in fields)
