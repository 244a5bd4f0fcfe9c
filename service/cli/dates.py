"""Dates on the command line: dd/mm/yyyy as schools write them, or ISO; the one parser every
``doisoat`` command uses for a date.

Why strict: a night typed by hand decides which report is written or which snapshots are
loaded, so ``10/06/26`` or an Excel serial number is refused with an example rather than
guessed at (the connectors read sources' dates leniently; a person at a terminal can retype).
Day first always: ``06/10/2026`` is 6 October. A slipped day and month is caught where it
matters, by the commands that look for a night's run (``doisoat report`` names the nights that
have one).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import typer

from service.cli.messages import ERRORS

METAVAR = "DD/MM/YYYY"
"""What ``--help`` shows for a date option."""

_DAY_FIRST = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(raw: str) -> dt.date:
    """``10/06/2026`` (also ``10-06-2026``, ``10.06.2026``, ``1/6/2026``) or ``2026-06-10``;
    :class:`typer.BadParameter` with a Vietnamese example otherwise."""
    text = (raw or "").strip()
    if day_first := _DAY_FIRST.match(text):
        day, month, year = int(day_first[1]), int(day_first[3]), int(day_first[4])
    elif iso := _ISO.match(text):
        year, month, day = int(iso[1]), int(iso[2]), int(iso[3])
    else:
        raise typer.BadParameter(ERRORS["bad_night"].format(raw=raw))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise typer.BadParameter(ERRORS["bad_night"].format(raw=raw)) from None


def parse_night(raw: str | dt.date | None, *, default_today: bool = False) -> dt.date | None:
    """A date option's value: None (or today, Vietnam time) when not given."""
    if isinstance(raw, dt.date):
        return raw
    if not raw:
        return vietnam_today() if default_today else None
    return parse_date(raw)


def vietnam_today() -> dt.date:
    """Today in Vietnam (UTC+7), whatever the server's zone: the night a school means."""
    from service.night.pipeline import vietnam_today as today

    return today()


def format_date(value: dt.date) -> str:
    """``dd/mm/yyyy``: how every date a person reads on the terminal is written."""
    return value.strftime("%d/%m/%Y")


def date_option(*names: str, help: str) -> Any:  # noqa: A002  (typer's own keyword)
    """A ``typer.Option`` that parses with :func:`parse_date` and shows ``DD/MM/YYYY``; the
    help says both forms are accepted, so every command says it the same way."""
    return typer.Option(
        *(names or ("--night",)),
        parser=parse_date,
        metavar=METAVAR,
        help=f"{help} Format dd/mm/yyyy (yyyy-mm-dd also accepted).",
    )
