"""Users, roles, passwords (argon2id) and tokens (stored as SHA-256 only).

A :class:`Principal` is who is asking; :meth:`Principal.school_scope` is the single place that
turns "which school may this person see" into a filter, so that every route asks it the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select, update

from doisoat.errors import ConfigError, PermissionDenied
from doisoat.model import ApiToken, UserAccount
from service.api import messages

ROLES = ("district_officer", "school_admin", "principal", "teacher")
DISTRICT_ROLES = frozenset({"district_officer"})
CAN_ACT_ON_CONFLICTS = frozenset({"district_officer", "school_admin"})
SESSION_HOURS = 12

_hasher = PasswordHasher()
_users = UserAccount.__table__
_tokens = ApiToken.__table__
# Spent on unknown user names too, so a login's timing does not tell which names exist.
_DUMMY_HASH = _hasher.hash("not-a-password")


def forbidden() -> PermissionDenied:
    """This role may not do this."""
    return PermissionDenied("forbidden", message_vi=messages.error("forbidden"))


def other_school() -> PermissionDenied:
    """A school's user asked for another school's data."""
    return PermissionDenied("another school", message_vi=messages.error("other_school"))


@dataclass(frozen=True)
class Principal:
    username: str
    role: str
    school_code: str | None

    @property
    def is_district(self) -> bool:
        return self.role in DISTRICT_ROLES

    def school_scope(self, requested: str | None = None) -> str | None:
        """The school to filter on: None means every school (district only).

        A school user asking for another school is refused rather than silently narrowed, so a
        wrong link says so instead of showing an empty list.
        """
        if self.is_district:
            return requested
        if requested is not None and requested != self.school_code:
            raise other_school()
        return self.school_code

    def can_see(self, school_code: str | None) -> bool:
        return self.is_district or (school_code is not None and school_code == self.school_code)

    def require(self, roles: frozenset[str]) -> None:
        if self.role not in roles:
            raise forbidden()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add_user(
    engine: Engine,
    username: str,
    password: str,
    *,
    role: str,
    school_code: str | None = None,
    full_name: str = "",
) -> Principal:
    """Create (or replace the password and role of) a user."""
    if role not in ROLES:
        raise ConfigError(
            f"unknown role {role!r}", message_vi=messages.error("bad_role", role=role)
        )
    if role not in DISTRICT_ROLES and not school_code:
        raise ConfigError(
            f"role {role} needs a school", message_vi=messages.error("school_required", role=role)
        )
    values = {
        "full_name": full_name,
        "role": role,
        "school_code": None if role in DISTRICT_ROLES else school_code,
        "active": True,
        "password_hash": hash_password(password),
    }
    _cache.clear()  # a changed role or school applies to live tokens at once
    with engine.begin() as conn:
        exists = conn.execute(
            select(_users.c.username).where(_users.c.username == username)
        ).first()
        if exists:
            conn.execute(update(_users).where(_users.c.username == username).values(**values))
        else:
            conn.execute(_users.insert().values(username=username, created_at=_now(), **values))
    return Principal(username, role, values["school_code"])


def authenticate(engine: Engine, username: str, password: str) -> Principal | None:
    with engine.connect() as conn:
        row = conn.execute(select(_users).where(_users.c.username == username)).first()
    if row is None or not row.active:
        try:
            _hasher.verify(_DUMMY_HASH, password + "x")
        except VerificationError:
            pass
        return None
    try:
        _hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return Principal(row.username, row.role, row.school_code)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    engine: Engine, username: str, *, kind: str = "api", label: str = "", hours: int | None = None
) -> str:
    """A new random token for ``username``; only its digest is stored, so show it once."""
    token = secrets.token_urlsafe(32)
    now = _now()
    with engine.begin() as conn:
        conn.execute(
            _tokens.insert().values(
                token_hash=_digest(token),
                username=username,
                kind=kind,
                label=label,
                created_at=now,
                expires_at=now + dt.timedelta(hours=hours) if hours else None,
                revoked=False,
            )
        )
    return token


def revoke_token(engine: Engine, token: str) -> None:
    _cache.pop(_digest(token), None)
    with engine.begin() as conn:
        conn.execute(
            update(_tokens).where(_tokens.c.token_hash == _digest(token)).values(revoked=True)
        )


_CACHE_SECONDS = 15.0
# digest -> (looked up at, principal or None, kind, expires): saves a query on every request of a
# busy page; a revocation made by another process applies within _CACHE_SECONDS.
_cache: dict[str, tuple[float, Principal | None, str, dt.datetime | None]] = {}


def principal_for_token(engine: Engine, token: str, *, kind: str | None = None) -> Principal | None:
    if not token or len(token) > 200:
        return None
    digest = _digest(token)
    hit = _cache.get(digest)
    if hit is None or time.monotonic() - hit[0] > _CACHE_SECONDS:
        hit = (time.monotonic(), *_lookup(engine, digest))
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[digest] = hit
    _, who, token_kind, expires = hit
    if who is None or (kind is not None and token_kind != kind):
        return None
    if expires is not None and expires < _now():
        return None
    return who


def _lookup(engine: Engine, digest: str) -> tuple[Principal | None, str, dt.datetime | None]:
    query = (
        select(
            _users.c.username,
            _users.c.role,
            _users.c.school_code,
            _users.c.active,
            _tokens.c.kind,
            _tokens.c.expires_at,
            _tokens.c.revoked,
        )
        .select_from(_tokens.join(_users, _users.c.username == _tokens.c.username))
        .where(_tokens.c.token_hash == digest)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or row.revoked or not row.active:
        return None, "", None
    expires = row.expires_at
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=dt.UTC)
    return Principal(row.username, row.role, row.school_code), row.kind, expires


def csrf_token(session_token: str) -> str:
    """A form token bound to the login session (forms must echo it back)."""
    return hmac.new(session_token.encode(), b"doisoat-csrf", hashlib.sha256).hexdigest()


def check_csrf(session_token: str, given: str) -> bool:
    return hmac.compare_digest(csrf_token(session_token), given or "")
