"""``doisoat explain`` takes what a person has in hand: a record id, a conflict id from the
report, or a student's identity code (or 12-digit personal id); and when it finds nothing it
says which of these it accepts."""

from __future__ import annotations

import json
import re

import polars as pl
import pytest
from typer.testing import CliRunner

from doisoat import store
from doisoat.conflict_types import label_of
from reconcile import explain_record
from reports import name_schools
from service.cli import app
from service.cli.explain import find
from tests.service.cli_district import district_store

runner = CliRunner()


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    return district_store(tmp_path_factory.mktemp("explain"))


@pytest.fixture(scope="module")
def night_engine(district):
    eng = store.get_engine(district.url)
    yield eng
    eng.dispose()


def _explain(district, *args: str):
    result = runner.invoke(app, ["explain", *args, "--url", district.url], terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_conflict_id_explains_every_record_it_names(district, night_engine) -> None:
    conflicts = store.read_table(night_engine, "conflict").with_columns(
        pl.col("record_ids").str.json_decode(pl.List(pl.String)).alias("ids")
    )
    conflict = conflicts.filter(pl.col("ids").list.len() >= 2).row(0, named=True)
    said = _explain(district, conflict["conflict_id"])
    assert said.startswith(f"{conflict['conflict_id']}: {label_of(conflict['type'])}")
    assert f"({len(conflict['ids'])} hồ sơ liên quan)" in said
    for record_id in conflict["ids"]:
        assert f"{record_id} → danh tính" in said
    # the message as a person reads it: its schools by name and code
    schools = store.read_table(night_engine, "school").iter_rows(named=True)
    named = name_schools(conflict["message_vi"], {s["school_code"]: s["name"] for s in schools})
    assert named.split("\n")[0][:60] in said
    assert f"({conflict['school_code']})" in said.splitlines()[0]


def test_an_identity_code_explains_the_persons_records_in_every_source(district, night_engine):
    identities = store.read_table(night_engine, "identity")
    person = (
        identities.filter(pl.col("moet_code").is_not_null())
        .group_by("identity_id").agg(pl.col("record_id"), pl.col("moet_code").first())
        .filter(pl.col("record_id").list.len() >= 2)
        .row(0, named=True)
    )  # fmt: skip
    said = _explain(district, person["moet_code"])
    assert f"Mã định danh {person['moet_code']}: {len(person['record_id'])} hồ sơ" in said
    for record_id in person["record_id"]:
        assert f"{record_id} → danh tính {person['identity_id']}" in said


def test_a_personal_id_finds_the_record_that_carries_it(district, night_engine) -> None:
    linked = set(store.read_table(night_engine, "identity")["record_id"].to_list())
    record = (
        store.read_table(night_engine, "student_record", "personal_id IS NOT NULL",
                         columns=["record_id", "personal_id"])
        .filter(pl.col("record_id").is_in(list(linked)))
        .filter(pl.col("personal_id").str.len_chars() == 12)
        .row(0, named=True)
    )  # fmt: skip
    found = find(night_engine, record["personal_id"])
    assert found is not None and found.kind == "identity_code"
    assert record["record_id"] in found.record_ids


def test_a_record_id_still_gives_its_story_as_json(district, night_engine) -> None:
    record_id = store.read_table(night_engine, "link", "decision = 'match'")["left_id"][0]
    story = json.loads(_explain(district, record_id, "--json"))
    assert story == json.loads(json.dumps(explain_record(night_engine, record_id), default=str))


def test_the_scored_fields_read_in_the_glossarys_words(district, night_engine) -> None:
    """A pair's table names what was compared, how alike it was and the weight in Vietnamese
    (a decimal comma), never the engine's codes (``moet_code``, ``exact``, ``same_class``)."""
    from doisoat.glossary import label

    record_id = store.read_table(night_engine, "link", "decision = 'match'")["left_id"][0]
    said = _explain(district, record_id)
    assert "Mục so sánh" in said and "Mức giống nhau" in said
    assert "Cùng một học sinh — trọng số " in said and "xác suất" in said and " % (" in said
    for words in (label("comparison", "name"), label("comparison", "dob"), "Trùng khớp"):
        assert words in said, words
    rows = [line for line in said.splitlines() if line.startswith("│")]
    assert rows
    for line in rows:
        cells = [c.strip() for c in line.strip("│").split("│")]
        assert cells[0] in set(labels_of("comparison")), cells
        assert re.fullmatch(r"[+−]\d+,\d\d", cells[2]), cells
    for code in ("moet_code", "personal_id", "same_class", "exact", "else", "match,"):
        assert all(code not in line for line in rows), code


def labels_of(kind: str) -> list[str]:
    from doisoat.glossary import labels

    return list(labels(kind).values())


def test_nothing_found_says_what_the_command_accepts(district) -> None:
    result = runner.invoke(app, ["explain", "HS0042", "--url", district.url])
    assert result.exit_code == 1
    assert "Không tìm thấy «HS0042» trong lần đối soát gần nhất." in result.output
    for form in ("mã hồ sơ học sinh", "mã vấn đề", "mã định danh của học sinh (10 chữ số)",
                 "số định danh cá nhân (12 chữ số)"):  # fmt: skip
        assert form in result.output


def test_each_kind_of_key_is_found_on_every_backend(engine, tmp_path) -> None:
    from service.config import Settings
    from service.night.pipeline import run_nightly
    from simulate import generate
    from simulate.exports import write_district
    from simulate.load import load_school_directory

    district = generate(300, seed=33)
    write_district(district, tmp_path / "exports")
    load_school_directory(engine, district)
    run_nightly(engine, night=district.night, settings=Settings(reports_dir=tmp_path / "r"),
                inbox=[tmp_path / "exports"])  # fmt: skip
    conflict = store.read_table(engine, "conflict").row(0, named=True)
    by_conflict = find(engine, conflict["conflict_id"])
    assert by_conflict is not None and by_conflict.kind == "conflict"
    assert by_conflict.record_ids == json.loads(conflict["record_ids"])
    ident = store.read_table(engine, "identity", "moet_code IS NOT NULL").row(0, named=True)
    by_code = find(engine, ident["moet_code"])
    assert by_code is not None and ident["record_id"] in by_code.record_ids
    assert find(engine, ident["record_id"]) == type(by_code)("record", [ident["record_id"]])
    assert find(engine, "0000000000") is None
