"""Users, roles, passwords (argon2id) and tokens (stored as SHA-256 only).

A :class:`Principal` is who is asking; :meth:`Principal.school_scope` is the single place that
turns "which school may this person see" into a filter, so that every route asks it the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, select, update

from doisoat.errors import ConfigError, NotFound, PermissionDenied
from doisoat.model import ApiToken, UserAccount
from doisoat.store.retry import write_transaction
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
    """A new random token for ``username``; only its digest is stored, so show it once.
    A login waits for the store while a night writes (never a «database is locked»)."""
    token = secrets.token_urlsafe(32)
    now = _now()
    row = {
        "token_hash": _digest(token),
        "username": username,
        "kind": kind,
        "label": label,
        "created_at": now,
        "expires_at": now + dt.timedelta(hours=hours) if hours else None,
        "revoked": False,
    }
    write_transaction(engine, lambda conn: conn.execute(_tokens.insert().values(**row)),
                      what="a login")
    return token


def revoke_token(engine: Engine, token: str) -> None:
    _cache.pop(_digest(token), None)
    revoke = update(_tokens).where(_tokens.c.token_hash == _digest(token)).values(revoked=True)
    write_transaction(engine, lambda conn: conn.execute(revoke), what="a logout")


def list_users(engine: Engine) -> list[dict[str, object]]:
    """Every account (never its password hash) with how many unrevoked, unexpired API tokens
    and page sessions it holds, by user name."""
    now = _now()
    with engine.connect() as conn:
        users = conn.execute(
            select(_users.c.username, _users.c.full_name, _users.c.role, _users.c.school_code,
                   _users.c.active, _users.c.created_at).order_by(_users.c.username)
        ).mappings().all()  # fmt: skip
        tokens = conn.execute(
            select(_tokens.c.username, _tokens.c.kind, _tokens.c.expires_at).where(
                _tokens.c.revoked.is_(False)
            )
        ).all()
    live: dict[tuple[str, str], int] = {}
    for username, kind, expires in tokens:
        if expires is not None and expires.tzinfo is None:
            expires = expires.replace(tzinfo=dt.UTC)
        if expires is None or expires > now:
            live[(username, kind)] = live.get((username, kind), 0) + 1
    return [
        dict(u, tokens=live.get((u["username"], "api"), 0),
             sessions=live.get((u["username"], "session"), 0))
        for u in users
    ]  # fmt: skip


def disable_user(engine: Engine, username: str, *, actor: str, reason: str = "") -> int:
    """Lock ``username`` out: the account inactive and every API token and page session it has
    revoked, with an audit event (``user.disabled``), all in one transaction. Returns how many
    tokens and sessions were revoked. A server in another process stops accepting them within
    ``_CACHE_SECONDS``; its login refuses the account at once."""
    from service.api import audit

    with engine.begin() as conn:
        row = _existing_user(conn, username)
        revoked = conn.execute(
            update(_tokens)
            .where((_tokens.c.username == username) & _tokens.c.revoked.is_(False))
            .values(revoked=True)
        ).rowcount
        conn.execute(update(_users).where(_users.c.username == username).values(active=False))
        audit.record(
            conn, actor=actor, action="user.disabled", entity="user", entity_id=username,
            before={"active": bool(row.active)},
            after={"active": False, "tokens_revoked": revoked}, reason=reason,
        )  # fmt: skip
    _cache.clear()
    return revoked


def enable_user(engine: Engine, username: str, *, actor: str, reason: str = "") -> None:
    """Let a disabled account sign in again with its password, audited (``user.enabled``). The
    tokens and sessions revoked when it was disabled stay revoked."""
    from service.api import audit

    with engine.begin() as conn:
        row = _existing_user(conn, username)
        conn.execute(update(_users).where(_users.c.username == username).values(active=True))
        audit.record(
            conn, actor=actor, action="user.enabled", entity="user", entity_id=username,
            before={"active": bool(row.active)}, after={"active": True}, reason=reason,
        )  # fmt: skip
    _cache.clear()


def _existing_user(conn: Connection, username: str) -> Any:
    row = conn.execute(select(_users).where(_users.c.username == username)).first()
    if row is None:
        said = messages.error("unknown_user", username=username)
        raise NotFound(f"no user {username!r}", message_vi=said)
    return row


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


class TooManyLogins(PermissionDenied):
    """Too many failed logins for this account or from this address: wait ``retry_after``
    seconds (answered 429 with ``Retry-After``)."""

    def __init__(self, message: str, *, message_vi: str, retry_after: int) -> None:
        super().__init__(message, message_vi=message_vi)
        self.retry_after = retry_after


class LoginThrottle:
    """Refuses logins after too many failures: ``per_account`` failures for one user name, or
    ``per_address`` from one client address, within ``window`` seconds. While refused, even the
    right password is refused (else guessing would just go on); a success resets that account's
    count (not the address's).

    The counts live in memory, in this process only (one per app, ``app.state.login_throttle``):
    a restart forgets them, and several worker processes each count their own. That is enough to
    stop a guesser at a few tries a second; it is no replacement for a proxy's limits. ``clock``
    (seconds, monotonic) is injectable for tests."""

    _MAX_KEYS = 100_000  # beyond this many remembered names and addresses, forget the stale ones

    def __init__(
        self,
        *,
        per_account: int = 5,
        per_address: int = 20,
        window: float = 15 * 60,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_account = per_account
        self.per_address = per_address
        self.window = window
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def check(self, username: str, address: str) -> None:
        """Raise :class:`TooManyLogins` if this account or address must wait."""
        now = self.clock()
        with self._lock:
            waits = [
                times[0] + self.window - now
                for key, limit in ((("user", username), self.per_account),
                                   (("addr", address), self.per_address))
                if len(times := self._recent(key, now)) >= limit
            ]  # fmt: skip
        if waits:
            seconds = max(1, math.ceil(max(waits)))
            minutes = max(1, math.ceil(seconds / 60))
            raise TooManyLogins(
                "too many failed logins",
                message_vi=messages.error("too_many_logins", minutes=minutes),
                retry_after=seconds,
            )

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) > self._MAX_KEYS:
                for key in list(self._failures):
                    self._recent(key, now)
            for key in (("user", username), ("addr", address)):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(("user", username), None)


def login(
    engine: Engine, throttle: LoginThrottle, username: str, password: str, address: str
) -> Principal | None:
    """:func:`authenticate` behind ``throttle``: raises :class:`TooManyLogins` while this
    account or address must wait (the password is then not even checked)."""
    throttle.check(username, address)
    who = authenticate(engine, username, password)
    if who is None:
        throttle.failed(username, address)
    else:
        throttle.succeeded(username)
    return who
