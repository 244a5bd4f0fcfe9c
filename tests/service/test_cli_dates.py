"""Every command reads a date the way a Vietnamese office writes it, dd/mm/yyyy (ISO too), through
the one parser, says so in its --help, and refuses any other form with an example."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from service.cli import app
from service.cli.dates import METAVAR, parse_date


def _date_options() -> list[tuple[str, Any]]:
    """(command path, option) for every option of every command that takes a date."""
    found = []

    def walk(command: Any, path: str) -> None:  # typer's own click: walked by its attributes
        for param in command.params:
            if {"--night", "--date", "--since", "--until"} & set(getattr(param, "opts", ())):
                found.append((path, param))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(typer.main.get_command(app), "")
    return found


OPTIONS = _date_options()


def test_the_commands_with_a_date_are_all_found() -> None:
    paths = {path for path, _ in OPTIONS}
    assert {"nightly", "report", "reconcile", "ingest", "pull", "inspect", "simulate",
            "transcript issue"} <= paths  # fmt: skip


@pytest.mark.parametrize(("path", "option"), OPTIONS, ids=[p for p, _ in OPTIONS])
def test_each_date_option_says_dd_mm_yyyy_and_refuses_another_form(path: str, option: Any):
    assert option.metavar == METAVAR
    assert "dd/mm/yyyy" in (option.help or "")
    flag = next(o for o in option.opts if o.startswith("--"))
    # the date is read before anything else the command needs (its arguments, its store)
    result = CliRunner().invoke(app, [*path.split(), flag, "06/31/2026"])
    assert result.exit_code == 2
    said = " ".join(re.sub("[│╭╮╰╯─]", " ", result.output).split())  # out of its box
    assert "Ngày không hợp lệ: «06/31/2026» (cần dd/mm/yyyy, ví dụ 10/06/2026" in said


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_date_reads_back_in_both_forms_and_with_other_separators(day: dt.date) -> None:
    assert parse_date(day.strftime("%d/%m/%Y")) == day
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.day}.{day.month}.{day.year}") == day
    assert parse_date(f" {day:%d-%m-%Y} ") == day


@pytest.mark.parametrize("raw", ["10/06/26", "45817", "10/06", "2026/06/10", "10/06-2026",
                                 "ngày mai", ""])  # fmt: skip
def test_other_forms_are_refused_not_guessed(raw: str) -> None:
    with pytest.raises(typer.BadParameter):
        parse_date(raw)


def test_a_refused_date_stops_the_command_before_it_touches_anything(tmp_path) -> None:
    result = CliRunner().invoke(app, ["reconcile", "--night", "2026-13-01",
                                      "--url", f"sqlite:///{tmp_path / 's.db'}"])  # fmt: skip
    assert result.exit_code == 2
    assert "Ngày không hợp lệ: «2026-13-01»" in " ".join(result.output.split())
    assert not (tmp_path / "s.db").exists()
