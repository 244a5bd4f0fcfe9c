"""Named queries on the signing certificates accounts registered (``signing_certificate``).

The service decides who may register, remove or revoke (``service.certificates``); this is only
how the rows are read and written, inside the caller's connection so that a change and its
audit event commit together. A removed or revoked certificate keeps its row (migration 0006):
``revoked_at`` set means it signs nothing any more and cannot be registered again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select

from doisoat.model import SigningCertificate, UserAccount

_certs: Any = SigningCertificate.__table__  # type: ignore[attr-defined]
_users: Any = UserAccount.__table__  # type: ignore[attr-defined]

__all__ = [
    "certificate",
    "certificates_of",
    "certificates_of_school",
    "insert_certificate",
    "mark_revoked",
    "owners_of",
]


def certificate(conn: Connection, fingerprint: str) -> dict[str, Any] | None:
    row = conn.execute(select(_certs).where(_certs.c.fingerprint == fingerprint)).first()
    return dict(row._mapping) if row is not None else None


def certificates_of(
    conn: Connection, username: str, *, include_revoked: bool = True
) -> list[dict[str, Any]]:
    """An account's certificates, newest first (the in-use ones only, if asked)."""
    query = select(_certs).where(_certs.c.username == username)
    if not include_revoked:
        query = query.where(_certs.c.revoked_at.is_(None))
    rows = conn.execute(query.order_by(_certs.c.registered_at.desc())).fetchall()
    return [dict(row._mapping) for row in rows]


def certificates_of_school(conn: Connection, school_code: str) -> list[dict[str, Any]]:
    """Every certificate registered to an account of the school, with the account's role."""
    query = (
        select(_certs, _users.c.role, _users.c.full_name)
        .join(_users, _users.c.username == _certs.c.username)
        .where(_users.c.school_code == school_code)
        .order_by(_certs.c.username, _certs.c.registered_at.desc())
    )
    return [dict(row._mapping) for row in conn.execute(query).fetchall()]


def insert_certificate(conn: Connection, **values: Any) -> None:
    conn.execute(_certs.insert().values(**values))


def mark_revoked(
    conn: Connection, fingerprint: str, *, by: str, reason: str, at: dt.datetime
) -> bool:
    """Mark the certificate removed/revoked; False if it already was (nothing changed)."""
    done = conn.execute(
        _certs.update()
        .where(_certs.c.fingerprint == fingerprint, _certs.c.revoked_at.is_(None))
        .values(revoked_at=at, revoked_by=by, revoked_reason=reason)
    )
    return bool(done.rowcount)


def owners_of(conn: Connection, fingerprints: list[str]) -> dict[str, str]:
    """The account each of these certificates is registered to (those that are)."""
    wanted = sorted(set(fingerprints))
    if not wanted:
        return {}
    query = select(_certs.c.fingerprint, _certs.c.username).where(
        _certs.c.fingerprint.in_(wanted)
    )
    return {row.fingerprint: row.username for row in conn.execute(query)}
