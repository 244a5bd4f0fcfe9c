"""The ``doisoat`` command: a thin adapter over the service functions.

Each topic lives in its own module with a ``register(app)`` function, so the command grows
without one file owning every verb.
"""

from __future__ import annotations

import typer

from service.cli import db, ingest, link, nightly, reconcile, report, serve, simulate, transcript

app = typer.Typer(
    name="doisoat",
    help="Reconcile Vietnamese school data across vendors and the sector database (CSDL ngành).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

for module in (simulate, db, ingest, nightly, reconcile, link, report, transcript, serve):
    module.register(app)


def main() -> None:
    app()
