"""``doisoat nightly`` tells the night in words a district officer reads in the morning: the
conflicts new, open and resolved by type, the schools that sent nothing (with their last
export), the report's path; ``--json`` gives programs the same with the codes."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from doisoat import store
from doisoat.conflict_types import label_of
from doisoat.model import Conflict
from service.cli import app
from service.cli.night_summary import night_standing
from tests.service.cli_district import district_store

runner = CliRunner()


@pytest.fixture
def here(tmp_path, monkeypatch):
    """Commands run in ``tmp_path`` with the default settings (reports under ./var/reports)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOISOAT_CONFIG", str(tmp_path / "no-such.toml"))
    return tmp_path


def _row(output: str, label: str) -> list[str]:
    """The numbers of the summary's row for ``label``."""
    for line in output.splitlines():
        if line.startswith(label + " "):
            return line[len(label):].split()
    raise AssertionError(f"no row «{label}» in:\n{output}")


def test_a_night_in_words_then_a_night_when_no_school_sent_anything(here) -> None:
    district = district_store(here, run=False)
    night = district.night.strftime("%d/%m/%Y")
    first = runner.invoke(app, ["nightly", str(district.exports), "--url", district.url,
                                "--night", night])  # fmt: skip
    assert first.exit_code == 0, first.output
    said = first.stdout
    assert f"Đêm {night}: đối soát hoàn tất" in said
    engine = store.get_engine(district.url)
    types = store.read_table(engine, "conflict").group_by("type").len()
    assert types.height > 0
    for code, count in types.iter_rows():
        assert code not in said  # the words, not the code
        assert _row(said, label_of(code)) == [str(count), str(count), "0"]  # new, open, resolved
    total = str(types["len"].sum())
    assert _row(said, "Tổng") == [total, total, "0"]
    assert "Mọi trường đều đã gửi dữ liệu đêm nay." in said
    assert f"Báo cáo: var/reports/{district.night.isoformat()}/report.html" in said

    nobody = runner.invoke(app, ["nightly", str(here / "empty-inbox"), "--url", district.url,
                                 "--night", "11/06/2026"])  # fmt: skip
    assert nobody.exit_code == 0, nobody.output
    assert "2 trường không gửi dữ liệu đêm nay:" in nobody.stdout
    for code, name in district.schools.items():
        assert f"  - {name} ({code}): lần gửi gần nhất {night}" in nobody.stdout
    assert _row(nobody.stdout, "Tổng") == ["0", total, "0"]  # nothing new, all still open
    engine.dispose()


def test_json_keeps_the_codes_for_programs(here) -> None:
    district = district_store(here)
    result = runner.invoke(app, ["nightly", "--url", district.url, "--json",
                                 "--night", "2026-06-12"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["night"] == "2026-06-12" and data["status"] == "committed"
    assert all(code == code.upper() for code in data["conflicts_by_type"])
    assert {s["school_code"] for s in data["silent_schools"]} == set(district.schools)
    assert {s["last_export"] for s in data["silent_schools"]} == {district.night.isoformat()}


def test_resolved_conflicts_count_on_the_night_that_resolved_them(engine) -> None:
    """The standing read from the store, on each backend: a conflict resolved tonight counts as
    resolved (not open), one first seen tonight as new."""
    night = dt.date(2026, 6, 11)
    with engine.begin() as conn:
        for cid, status, first, resolved in (
            ("ID_MISSING-a", "new", night, None),
            ("ID_MISSING-b", "persisting", night - dt.timedelta(days=1), None),
            ("ID_MISSING-c", "resolved", night - dt.timedelta(days=1), night),
            ("ID_INVALID-d", "resolved", night - dt.timedelta(days=3), night - dt.timedelta(1)),
        ):
            conn.execute(store.table_of(Conflict).insert().values(
                conflict_id=cid, type=cid.split("-")[0], severity="high", school_code="1",
                status=status, first_seen=first, last_seen=night if not resolved else resolved,
                resolved_on=resolved,
            ))  # fmt: skip
    standing = night_standing(engine, night).as_dict()["conflicts_by_type"]
    assert standing == {"ID_MISSING": {"new": 1, "open": 2, "resolved": 1}}
