"""Sign issued transcripts through the service, one field per request, in the legal order.

Who may sign what: teachers the subject-teacher (``GVBM_*``) and homeroom (``GVCN``) fields,
the principal ``HIEUTRUONG`` and the school's seal ``DAUTRUONG``, each only at their own school;
school administrators and district officers never sign. The document itself says which fields
exist and which are signed (``signing.resume``), so no table mirrors it.

The signer's PKCS#12 archive and passphrase live in memory for one request: never written, never
logged, never put in an audit event (only the certificate's subject and serial are).

A signature and its audit event form one unit of work: the new PDF is written to a temporary
file, the event is appended inside a transaction, the file is renamed over the old one as the
last step of that transaction, and restored if the commit fails. A per-school lock file
serialises signers of the same school, so two sessions never sign from the same old bytes.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from doisoat.errors import (
    BadRequest,
    FileFormatError,
    PermissionDenied,
    SigningError,
    StateConflict,
    TooLarge,
)
from service.api import audit, messages
from service.api.auth import Principal, other_school
from service.api.files import FilesConfig, school_transcripts, transcript_file
from service.api.services import SCHOOL_RE, not_found

# which fields (by role of the field) each user role may sign
FIELDS_BY_USER_ROLE: dict[str, frozenset[str]] = {
    "teacher": frozenset({"subject_teacher", "homeroom"}),
    "principal": frozenset({"principal", "seal"}),
}
MAX_PKCS12_BYTES = 64 * 1024
TRANSCRIPT_NAME = re.compile(r"^[\w.\-]{1,120}\.pdf$")
LOCK_NAME = ".signing.lock"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _states(data: bytes, name: str) -> list[Any]:
    from signing import field_states

    try:
        return field_states(data, file_name=name)
    except SigningError as exc:
        raise BadRequest(
            str(exc), message_vi=messages.error("sign_bad_pdf", name=name, problem=exc.message_vi)
        ) from exc


def _field_out(state: Any, who: Principal) -> dict[str, Any]:
    return {
        "field": state.field,
        "role": state.role,
        "label": state.label,
        "signed": state.signed,
        "yours": state.role in FIELDS_BY_USER_ROLE.get(who.role, frozenset()),
    }


def _signable_now(states: list[Any], who: Principal) -> list[str]:
    """Fields the caller may sign right now: theirs, unsigned, every earlier role signed."""
    from signing import missing_before

    mine = FIELDS_BY_USER_ROLE.get(who.role, frozenset())
    return [s.field for s in states
            if not s.signed and s.role in mine and not missing_before(states, s)]


def describe(data: bytes, name: str, who: Principal) -> dict[str, Any]:
    """One transcript's signature state as the API and the pages show it."""
    states = _states(data, name)
    return {
        "name": name,
        "sha256": _sha256(data),
        "complete": all(s.signed for s in states),
        "fields": [_field_out(s, who) for s in states],
        "signable": _signable_now(states, who),
    }


def list_transcripts(config: FilesConfig, who: Principal, school: str) -> list[dict[str, Any]]:
    """The school's issued transcripts (its folder and its class folders) with their fields.

    A transcript the service cannot read is listed with its problem, not hidden."""
    if not SCHOOL_RE.match(school):
        raise not_found("school")
    who.school_scope(school)
    out = []
    for path in school_transcripts(config, school):
        if not TRANSCRIPT_NAME.match(path.name):
            continue
        data = path.read_bytes()
        try:
            out.append(describe(data, path.name, who))
        except BadRequest as exc:
            out.append({"name": path.name, "sha256": _sha256(data), "complete": False,
                        "fields": [], "signable": [], "problem": exc.message_vi})  # fmt: skip
    return out


def _authorise(who: Principal, school: str) -> None:
    if who.role not in FIELDS_BY_USER_ROLE:
        raise PermissionDenied(
            f"role {who.role} does not sign",
            message_vi=messages.error(
                "sign_role_forbidden", role=messages.ROLES.get(who.role, who.role)
            ),
        )
    if who.school_code != school:
        raise other_school()


def _check_field(states: list[Any], who: Principal, name: str, field: str) -> Any:
    """The state of ``field`` if the caller may sign it now; else why not (403 / 409 / 422)."""
    from signing import missing_before

    target = next((s for s in states if s.field == field), None)
    if target is None:
        raise BadRequest(
            f"no field {field}",
            message_vi=messages.error("sign_unknown_field", name=name, field=field),
        )
    if target.role not in FIELDS_BY_USER_ROLE[who.role]:
        raise PermissionDenied(
            f"role {who.role} does not sign {field}",
            message_vi=messages.error(
                "sign_field_forbidden",
                role=messages.ROLES.get(who.role, who.role),
                label=target.label,
            ),
        )
    if target.signed:
        raise StateConflict(
            f"{field} already signed",
            message_vi=messages.error("sign_already", label=target.label, name=name),
        )
    missing = missing_before(states, target)
    if missing:
        raise StateConflict(
            f"{field} signed out of order",
            message_vi=messages.error(
                "sign_out_of_order",
                label=target.label,
                missing=", ".join(f"«{s.label}»" for s in missing),
            ),
        )
    return target


def _load_signer(pkcs12: bytes, passphrase: str) -> Any:
    from signing import from_pkcs12_bytes

    if len(pkcs12) > MAX_PKCS12_BYTES:
        raise TooLarge(
            "PKCS#12 archive too large",
            message_vi=messages.error("sign_pkcs12_too_large", limit=MAX_PKCS12_BYTES // 1024),
        )
    try:
        return from_pkcs12_bytes(pkcs12, passphrase)
    except SigningError:
        # no chained cause: nothing about the archive or its passphrase reaches a log; a file
        # that cannot be opened answers 400
        raise FileFormatError(
            "PKCS#12 archive cannot be opened", message_vi=messages.error("sign_bad_pkcs12")
        ) from None


@contextlib.contextmanager
def _school_lock(folder: Path) -> Iterator[None]:
    with (folder / LOCK_NAME).open("a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _temp_copy(folder: Path, data: bytes) -> Path:
    fd, name = tempfile.mkstemp(dir=folder, prefix=".signing-", suffix=".tmp")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    return Path(name)


def _replace_with_audit(
    engine: Engine, target: Path, old: bytes, new: bytes, event: dict[str, Any]
) -> None:
    """Rename the new bytes over ``target`` as the last step of the audit transaction."""
    temp = _temp_copy(target.parent, new)
    replaced = False
    try:
        with engine.begin() as conn:
            audit.record(conn, **event)
            os.replace(temp, target)
            replaced = True
    except BaseException:
        temp.unlink(missing_ok=True)
        if replaced:  # the commit failed after the rename: put the old transcript back
            os.replace(_temp_copy(target.parent, old), target)
        raise


def sign_transcript(
    engine: Engine,
    config: FilesConfig,
    who: Principal,
    school: str,
    name: str,
    *,
    field: str,
    pkcs12: bytes,
    passphrase: str,
) -> dict[str, Any]:
    """Sign ``field`` of the school's transcript ``name`` with the uploaded PKCS#12 signer."""
    from signing import certificate_identity, sign_field

    path = transcript_file(config, who, school, name)  # 404 / other school first
    _authorise(who, school)
    with _school_lock(path.parent):
        old = path.read_bytes()
        states = _states(old, name)
        target = _check_field(states, who, name, field)
        signer = _load_signer(pkcs12, passphrase)
        try:
            new = sign_field(old, field, signer, file_name=name)
        except SigningError as exc:
            problem = exc.message_vi
            raise BadRequest(
                str(exc), message_vi=messages.error("sign_failed", name=name, problem=problem)
            ) from exc
        certificate = certificate_identity(signer)
        del signer
        before = {"sha256": _sha256(old), "signed": [s.field for s in states if s.signed]}
        after = {
            "sha256": _sha256(new),
            "field": field,
            "role": target.role,
            "label": target.label,
            "certificate_subject": certificate["subject"],
            "certificate_serial": certificate["serial"],
            "signed": [*before["signed"], field],
        }
        event = {
            "actor": who.username,
            "action": "sign",
            "entity": "transcript",
            "entity_id": f"{school}/{name}",
            "before": before,
            "after": after,
            "reason": target.label,
        }
        _replace_with_audit(engine, path, old, new, event)
    return {**describe(new, name, who), "signed_field": field, "certificate": certificate}
