"""The ``doisoat`` command: a thin adapter over the service functions.

Each topic lives in its own module with a ``register(app)`` function, so the command grows
without one file owning every verb.

A command that is refused ends the same way whichever command it is: :class:`_Group` prints the
error's Vietnamese message and exits 1 (a :class:`~doisoat.errors.DoisoatError`), and a database,
network or signature library's error that no package translated, or a file or folder that cannot
be read or written (an ``OSError``: a wrong ``--url`` or ``--out``), is said in words too, never
as a traceback. A command with its own exit code for a refusal (``nightly``, ``transcript issue``,
``user add``) catches it itself, with the sentences of :mod:`service.cli.messages`.
"""

from __future__ import annotations

from typing import Any

import click
import typer
from typer.core import TyperGroup

from doisoat.errors import DoisoatError
from service.cli import (
    country,
    db,
    export,
    ingest,
    link,
    nightly,
    reconcile,
    report,
    serve,
    simulate,
    transcript,
)
from service.cli.messages import ERRORS

# Third-party libraries whose errors a user may meet through a command, by the package that
# defines the error's class, and what to tell them.
_THIRD_PARTY = {
    "sqlalchemy": "store",
    "psycopg": "store",
    "sqlite3": "store",
    "httpx": "network",
    "httpcore": "network",
    "pyhanko": "signature",
    "pyhanko_certvalidator": "signature",
}


def _third_party(error: Exception) -> str | None:
    """The ``ERRORS`` key for an untranslated third-party error, or None if it is not one."""
    for kind in type(error).__mro__:
        key = _THIRD_PARTY.get(kind.__module__.split(".", 1)[0])
        if key:
            return key
    return None


class _Group(TyperGroup):
    """The ``doisoat`` group: every command, and every sub-command, runs inside :meth:`invoke`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DoisoatError as exc:
            typer.echo(ERRORS["refused"].format(problem=exc.message_vi), err=True)
            raise typer.Exit(1) from exc
        except OSError as exc:  # a folder that does not exist, a file that may not be written
            where = exc.filename if exc.filename is not None else ""
            typer.echo(ERRORS["file"].format(path=where, problem=exc.strerror or exc), err=True)
            raise typer.Exit(1) from exc
        except Exception as exc:
            key = _third_party(exc)
            if key is None:
                raise
            first_line = next(iter(str(exc).splitlines()), "")[:200]
            problem = f"{type(exc).__name__}: {first_line}"
            typer.echo(ERRORS[key].format(problem=problem), err=True)
            raise typer.Exit(1) from exc


app = typer.Typer(
    cls=_Group,
    name="doisoat",
    help="Reconcile Vietnamese school data across vendors and the sector database (CSDL ngành).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Markdown: a docstring's wrapped lines read as one paragraph, and "[api]" stays text
    # (write a placeholder as SCHOOL, not <school>, which markdown takes for a tag).
    rich_markup_mode="markdown",
)

for module in (
    simulate, db, ingest, nightly, reconcile, link, report, transcript, serve, export, country
):
    module.register(app)


def main() -> None:
    app()
