"""Sign issued transcripts through the service, one field per request, in the legal order.

Who may sign what: teachers the subject-teacher (``GVBM_*``) and homeroom (``GVCN``) fields,
the principal ``HIEUTRUONG`` and the school's seal ``DAUTRUONG``, each only at their own school;
school administrators and district officers never sign. The document itself says which fields
exist and which are signed (``signing.resume``), so no table mirrors it.

A field given to an account (``service.transcript_people``: the plan's keys are account names)
is that account's alone, and the uploaded certificate must be one the account registered
(``service.certificates``). ``service.class_signing`` signs all the caller's fields of a class
folder with one upload (as a background job the pages follow), each signature its own unit of
work as below.

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
from service.transcript_people import (
    FIELDS_BY_USER_ROLE,
    NO_OWNERS,
    Owners,
    identity_code_of,
    is_yours,
    owner_of,
    school_accounts,
    student_names,
)

MAX_PKCS12_BYTES = 64 * 1024
TRANSCRIPT_NAME = re.compile(r"^[\w.\-]{1,120}\.pdf$", re.IGNORECASE)
CLASS_NAME = re.compile(r"^[\w.\-]{1,40}$")
LOCK_NAME = ".signing.lock"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def field_states_of(data: bytes, name: str, *, signers: bool = False) -> list[Any]:
    from signing import field_states

    try:
        return field_states(data, file_name=name, signers=signers)
    except SigningError as exc:
        raise BadRequest(
            str(exc), message_vi=messages.error("sign_bad_pdf", name=name, problem=exc.message_vi)
        ) from exc


def _field_out(state: Any, who: Principal, accounts: Owners) -> dict[str, Any]:
    return {
        "field": state.field,
        "role": state.role,
        "label": state.label,
        "signed": state.signed,
        "yours": is_yours(state, who, accounts),
        "owner": owner_of(state, accounts),
        "signer": state.signer,  # from the signature's certificate
        "signer_fingerprint": state.signer_fingerprint,
    }


def _signable_now(states: list[Any], who: Principal, accounts: Owners) -> list[str]:
    """Fields the caller may sign right now: theirs, unsigned, every earlier role signed."""
    from signing import missing_before

    return [s.field for s in states
            if not s.signed and is_yours(s, who, accounts) and not missing_before(states, s)]


def describe(
    data: bytes, name: str, who: Principal, accounts: Owners = NO_OWNERS
) -> dict[str, Any]:
    """One transcript's signature state as the API and the pages show it."""
    states = field_states_of(data, name, signers=True)
    return {
        "name": name,
        "sha256": _sha256(data),
        "complete": all(s.signed for s in states),
        "fields": [_field_out(s, who, accounts) for s in states],
        "signable": _signable_now(states, who, accounts),
    }


def list_transcripts(
    config: FilesConfig, who: Principal, school: str, engine: Engine | None = None
) -> list[dict[str, Any]]:
    """The school's issued transcripts (its folder and its class folders) with their fields,
    who signed each (from the signatures), the student's name (from the store, when ``engine``
    is given) and the class (its folder).

    A transcript the service cannot read is listed with its problem, not hidden; so is one put
    in a folder by hand: known by the number in its attached XML when its name does not carry
    it, and, when its name cannot be used in a link, listed with the name to give it."""
    if not SCHOOL_RE.match(school):
        raise not_found("school")
    who.school_scope(school)
    accounts = school_accounts(engine, school)
    out = []
    for path in school_transcripts(config, school):
        data = path.read_bytes()
        class_name = "" if path.parent.name == school else path.parent.name
        try:
            item = describe(data, path.name, who, accounts.of_folder(path.parent))
        except BadRequest as exc:
            item = {"name": path.name, "sha256": _sha256(data), "complete": False,
                    "fields": [], "signable": [], "problem": exc.message_vi}  # fmt: skip
        item["class_name"] = class_name
        item["hand_placed"] = bool(class_name) and not accounts.has_plan(path.parent)
        item["identity_code"] = identity_code_of(path.name) or _number_code(data)
        item["linkable"] = bool(TRANSCRIPT_NAME.match(path.name))
        if not item["linkable"]:  # cannot be named in a link: say how to fix
            item["signable"] = []
            item["problem"] = messages.error(
                "transcript_bad_name", name=path.name,
                suggested=f"HocBa_{item['identity_code'] or '<mã định danh>'}_THCS.pdf",
            )  # fmt: skip
        out.append(item)
    names = student_names(engine, school, [i["identity_code"] for i in out])
    signed_by = _accounts_of(engine, out)
    for item in out:
        item["student_name"] = names.get(item["identity_code"], "")
        for f in item["fields"]:
            f["signed_by"] = signed_by.get(f["signer_fingerprint"], "")
    return out


def _number_code(data: bytes) -> str:
    from signing import transcript_number

    return transcript_number(data)[:10]


def _accounts_of(engine: Engine | None, items: list[dict[str, Any]]) -> dict[str, str]:
    """Which account registered each certificate that signed these transcripts."""
    if engine is None:
        return {}
    from doisoat.store import certificates as rows

    with engine.connect() as conn:
        return rows.owners_of(conn, [f["signer_fingerprint"] for i in items
                                     for f in i["fields"] if f["signer_fingerprint"]])  # fmt: skip


def authorise(who: Principal, school: str) -> None:
    if who.role not in FIELDS_BY_USER_ROLE:
        raise PermissionDenied(
            f"role {who.role} does not sign",
            message_vi=messages.error(
                "sign_role_forbidden", role=messages.ROLES.get(who.role, who.role)
            ),
        )
    if who.school_code != school:
        raise other_school()


def _check_field(
    states: list[Any], who: Principal, name: str, field: str, accounts: Owners
) -> Any:
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
    owner = owner_of(target, accounts)
    if owner is not None and owner != who.username:
        raise PermissionDenied(
            f"{field} is {owner}'s",
            message_vi=messages.error(
                "sign_field_not_yours", label=target.label, owner=owner, user=who.username
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
def school_lock(folder: Path) -> Iterator[None]:
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


def sign_one(
    engine: Engine,
    path: Path,
    who: Principal,
    school: str,
    *,
    field: str,
    signer: Any,
    certificate: dict[str, str],
    accounts: Owners,
    skip_waiting: bool = False,
) -> bytes | None:
    """Sign ``field`` of the transcript at ``path`` (the school's lock held by the caller) and
    write it with its audit event; the new bytes. ``skip_waiting``: None, not 409, when an
    earlier role has not signed yet, or the field is already signed (a class being signed)."""
    from signing import missing_before, sign_field

    name = path.name
    old = path.read_bytes()
    states = field_states_of(old, name)
    if skip_waiting:
        state = next((s for s in states if s.field == field), None)
        if state is None or state.signed or missing_before(states, state):
            return None
    target = _check_field(states, who, name, field, accounts)
    try:
        new = sign_field(old, field, signer, file_name=name)
    except SigningError as exc:
        problem = exc.message_vi
        raise BadRequest(
            str(exc), message_vi=messages.error("sign_failed", name=name, problem=problem)
        ) from exc
    before = {"sha256": _sha256(old), "signed": [s.field for s in states if s.signed]}
    after = {
        "sha256": _sha256(new),
        "field": field,
        "role": target.role,
        "label": target.label,
        "certificate_subject": certificate["subject"],
        "certificate_serial": certificate["serial"],
        "certificate_fingerprint": certificate.get("fingerprint", ""),
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
    return new


def signer_for(
    engine: Engine, who: Principal, pkcs12: bytes, passphrase: str, entity_id: str
) -> tuple[Any, dict[str, str]]:
    """The uploaded signer, once its certificate is known to be one the account registered."""
    from service import certificates
    from signing import certificate_identity

    signer = _load_signer(pkcs12, passphrase)
    registered = certificates.check_signer(engine, who, signer, entity_id=entity_id)
    return signer, {**certificate_identity(signer), "fingerprint": registered["fingerprint"]}


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
    """Sign ``field`` of the school's transcript ``name`` with the uploaded PKCS#12 signer,
    which must hold a certificate the account registered (``service.certificates``)."""
    path = transcript_file(config, who, school, name)  # 404 / other school first
    authorise(who, school)
    accounts = school_accounts(engine, school).of_folder(path.parent)
    with school_lock(path.parent):
        _check_field(field_states_of(path.read_bytes(), name), who, name, field, accounts)
        signer, certificate = signer_for(engine, who, pkcs12, passphrase, f"{school}/{name}")
        new = sign_one(
            engine, path, who, school, field=field, signer=signer,
            certificate=certificate, accounts=accounts,
        )  # fmt: skip
        del signer
    assert new is not None  # only a class signing skips a field
    return {**describe(new, name, who, accounts), "signed_field": field,
            "certificate": certificate}  # fmt: skip
