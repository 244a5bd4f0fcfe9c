"""Dates on the command line: dd/mm/yyyy as schools write them, or ISO."""

from __future__ import annotations

import datetime as dt

import typer

from service.cli.messages import ERRORS


def parse_night(raw: str | None, *, default_today: bool = False) -> dt.date | None:
    """``10/06/2026`` or ``2026-06-10``; None (or today) when not given; a clear error otherwise."""
    if not raw:
        return dt.date.today() if default_today else None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    raise typer.BadParameter(ERRORS["bad_night"].format(raw=raw))
