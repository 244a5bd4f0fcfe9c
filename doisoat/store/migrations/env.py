"""Alembic environment: migrations run on the connection handed in by ``doisoat.store.upgrade``."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from doisoat import model  # noqa: F401  (registers the tables)

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        from doisoat.store import get_engine

        with get_engine().begin() as conn:
            _run(conn)
        return
    _run(connection)


def _run(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
