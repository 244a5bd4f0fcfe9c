"""One exception tree for the whole service.

::

    DoisoatError
     ├── SourceError            a source could not be read (source, file, sheet, row, column)
     │    ├── FileFormatError   the file is not what it claims, is damaged, or is unsafe to open
     │    ├── TransientSourceError  the source failed in a way worth retrying (5xx, timeout, drop)
     │    └── AuthError         the source refused our credentials
     ├── ReconcileError         the engine was given something it cannot link
     ├── SigningError           a transcript could not be built, signed or verified
     ├── ConfigError            a profile, suite or setting is wrong
     └── RequestError           a person asked for something the service will not do as asked
          ├── BadRequest        the request is incomplete or malformed (a missing reason)
          │    └── TooLarge     an upload is over the size limit
          ├── NotSignedIn       no credentials, or expired or revoked ones
          ├── PermissionDenied  this person's role or school may not do this
          ├── NotFound          it does not exist, or is not this person's to see
          └── StateConflict     it is not in a state that allows this (already resolved, signed)

Every error carries a Vietnamese message a school officer can act on (``message_vi``) and the
context that locates the problem. Third-party exceptions are translated at the package boundary,
so callers only ever catch these. What an error means for an answer (an HTTP status, an exit
code) is chosen by its class, never by reading its message: the HTTP API's one table is
``service.api.deps.STATUS``. The top floor adds leaves of its own under these branches (the audit
trail's ``AuditAppendOnlyError`` is a ``StateConflict``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ErrorContext:
    """Where a problem is: the more of these are known, the faster a school can fix it."""

    source: str | None = None
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def describe_vi(self) -> str:
        parts = []
        if self.source:
            parts.append(f"nguồn {self.source}")
        if self.file:
            parts.append(f"tệp «{self.file}»")
        if self.sheet:
            parts.append(f"trang tính «{self.sheet}»")
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        if self.column:
            parts.append(f"cột «{self.column}»")
        return ", ".join(parts)


class DoisoatError(Exception):
    """Root of every error the service raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        message_vi: str | None = None,
        context: ErrorContext | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.context = context or ErrorContext()
        self.details = details or {}
        where = self.context.describe_vi()
        text_vi = message_vi or message
        self.message_vi = f"{text_vi} ({where})" if where else text_vi

    def __str__(self) -> str:
        where = self.context.describe_vi()
        return f"{self.message} [{where}]" if where else self.message


class SourceError(DoisoatError):
    """A source (file or HTTP API) could not be read."""


class FileFormatError(SourceError):
    """The file is damaged, of the wrong kind, or unsafe to open."""


class TransientSourceError(SourceError):
    """A failure worth retrying: server errors, timeouts, dropped connections."""


class AuthError(SourceError):
    """The source refused our credentials."""


class ReconcileError(DoisoatError):
    """The linkage engine was given input it cannot work with."""


class SigningError(DoisoatError):
    """A transcript could not be built, signed or verified."""


class ConfigError(DoisoatError):
    """A profile, suite or setting is wrong."""


class RequestError(DoisoatError):
    """A person (through the API, the pages or the command line) asked for something the
    service will not do as asked; the message says why, in words they can act on."""


class BadRequest(RequestError):
    """The request is incomplete or malformed: a missing reason, a bad filter, a bad file name."""


class TooLarge(BadRequest):
    """An upload is over the size limit."""


class NotSignedIn(RequestError):
    """No credentials were given, or they are wrong, expired or revoked."""


class PermissionDenied(RequestError):
    """This person's role or school may not do this."""


class NotFound(RequestError):
    """It does not exist, or it belongs to a school this person may not see (the two answer
    alike, so an id tells nothing about another school)."""


class StateConflict(RequestError):
    """It exists but is not in a state that allows this: already resolved, already signed,
    signed out of order, an audit event someone tried to change."""


@dataclass
class ProblemLog:
    """Collects every problem of one input before failing, so one report lists them all."""

    problems: list[DoisoatError] = field(default_factory=list)

    def add(self, error: DoisoatError) -> None:
        self.problems.append(error)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def __len__(self) -> int:
        return len(self.problems)
