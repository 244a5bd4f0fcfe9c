"""``doisoat link same|different|undo A B`` and ``doisoat link list``: a person's word on a
pair of student records, kept over every later night (adapters over ``reconcile.decisions``)."""

from __future__ import annotations

import json

import typer

link_app = typer.Typer(help="Human decisions on pairs of student records (kept every night).")

_BY = typer.Option(..., "--by", help="Who decides (kept in the audit trail).")
_REASON = typer.Option(..., "--reason", help="Why (kept in the audit trail).")
_URL = typer.Option(None, "--url", help="Database URL (default: the store).")


def register(app: typer.Typer) -> None:
    """Add this topic's commands to the ``doisoat`` app."""
    app.add_typer(link_app, name="link")


def _run(action: str, a: str, b: str, by: str, reason: str, url: str | None) -> None:
    from doisoat import store
    from reconcile import confirm, separate, undo_link

    do = {"same": confirm, "different": separate, "undo": undo_link}
    row = do[action](store.open_store(url), a, b, by=by, reason=reason)  # refusals: __init__
    typer.echo(json.dumps(row, ensure_ascii=False, default=str))


_DECISIONS = {
    "same": "The two records are the same student: linked tonight and every night after.",
    "different": "The two records are different students: never linked again.",
    "undo": 'Undo a link: the pair is marked "do not re-link".',
}


def _decision_command(action: str):
    def command(
        a: str = typer.Argument(..., help="A student record id."),
        b: str = typer.Argument(..., help="The other record id."),
        by: str = _BY,
        reason: str = _REASON,
        url: str | None = _URL,
    ) -> None:
        _run(action, a, b, by, reason, url)

    command.__doc__ = _DECISIONS[action]
    return command


for _action in _DECISIONS:
    link_app.command(_action)(_decision_command(_action))


@link_app.command("list")
def list_command(
    record_id: str | None = typer.Argument(None, help="Only the decisions naming this record."),
    url: str | None = _URL,
) -> None:
    """Every human decision (newest first), as JSON lines."""
    from doisoat import store
    from reconcile import list_decisions

    for row in list_decisions(store.open_store(url), record_id).iter_rows(named=True):
        typer.echo(json.dumps(row, ensure_ascii=False, default=str))
