"""A signing certificate belongs to an account.

Why: a certificate file and its passphrase can be handed around (a teacher once signed with a
colleague's ``.p12`` and the service accepted it). Each account registers the certificate(s)
it signs with; a signature made with any other is refused (403) and the refusal is an audit
event naming both the account's certificates and the one presented.

Registration is explicit, never "the first certificate used wins" (which would let whoever
signs first with a borrowed file own it): the account itself on its page or through the API
(``POST /api/v1/certificates``), a school administrator for the accounts of their school, or a
district officer for anyone. Only the public certificate is kept (fingerprint = SHA-256 of the
DER encoding, subject, serial, issuer, expiry); a ``.p12`` handed in to register is opened in
memory and its key dropped.

A certificate stops being usable when its account removes it (a lost token, a renewed
certificate) or when the school's principal or administrator, or a district officer, revokes it
(a teacher who left, a key handed around): the row stays, marked who, when and why (migration
0006), a signature made with it is refused (403) naming that, and it cannot be registered again.
Every removal and every such refusal is an audit event (who, which fingerprint, why).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from sqlalchemy import Engine, select

from doisoat.errors import BadRequest, NotFound, PermissionDenied, StateConflict
from doisoat.glossary import VN_TZ
from doisoat.model import UserAccount
from doisoat.store import certificates as rows
from service.api import audit, messages
from service.api.auth import DISTRICT_ROLES, Principal

_users = UserAccount.__table__
MAX_REASON = 500
MAX_CERTIFICATE_BYTES = 64 * 1024
SIGNING_ROLES = frozenset({"teacher", "principal"})
REVOKERS = frozenset({"principal", "school_admin"})  # within their school


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def describe(cert: asn1_x509.Certificate) -> dict[str, Any]:
    """What the service keeps and shows of a certificate (never its key)."""
    not_after = cert["tbs_certificate"]["validity"]["not_after"].native
    return {
        "fingerprint": fingerprint(cert.dump()),
        "subject": cert.subject.human_friendly,
        "common_name": str(cert.subject.native.get("common_name", "")),
        "serial": format(cert.serial_number, "x"),
        "issuer": cert.issuer.human_friendly,
        "not_after": not_after,
    }


def _bad_file() -> BadRequest:
    return BadRequest("not a certificate", message_vi=messages.error("cert_bad_file"))


def load_certificate(data: bytes, passphrase: str = "") -> asn1_x509.Certificate:
    """A certificate from a PEM or DER file, or the signer's certificate of a PKCS#12 archive."""
    if not data or len(data) > MAX_CERTIFICATE_BYTES:
        raise _bad_file()
    try:
        der = pem.unarmor(data)[2] if pem.detect(data) else data
        cert = asn1_x509.Certificate.load(der)
        cert.native  # noqa: B018 — parse now: a file that is not a certificate fails here
        return cert
    except Exception:  # noqa: BLE001 — not a bare certificate: maybe an archive
        pass
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    try:
        _key, cert_obj, _chain = pkcs12.load_key_and_certificates(
            data, passphrase.encode() if passphrase else None
        )
    except Exception:  # noqa: BLE001 — wrong passphrase or not an archive; no cause kept
        raise _bad_file() from None
    if cert_obj is None:
        raise _bad_file()
    return asn1_x509.Certificate.load(cert_obj.public_bytes(Encoding.DER))


def _account(engine: Engine, username: str) -> Any:
    with engine.connect() as conn:
        row = conn.execute(select(_users).where(_users.c.username == username)).first()
    if row is None:
        raise NotFound(
            f"no user {username}", message_vi=messages.error("cert_unknown_user", user=username)
        )
    return row


def _may_register_for(who: Principal, account: Any) -> None:
    if who.username == account.username and who.role in SIGNING_ROLES:
        return
    if who.role in DISTRICT_ROLES:
        return
    if who.role == "school_admin" and who.school_code == account.school_code:
        return
    raise PermissionDenied("may not register", message_vi=messages.error("forbidden"))


def _when(value: Any) -> str:
    return value.astimezone(VN_TZ).strftime("%d/%m/%Y") if value is not None else "?"


def _how(row: dict[str, Any]) -> str:
    """«gỡ» when the account removed its own certificate, «thu hồi» when someone else did."""
    own = row.get("revoked_by") == row.get("username")
    return messages.LABELS["how_removed" if own else "how_revoked"]


def register(
    engine: Engine, who: Principal, data: bytes, *, passphrase: str = "", username: str = ""
) -> dict[str, Any]:
    """Register the certificate in ``data`` as ``username``'s (default: the caller's own)."""
    account = _account(engine, username or who.username)
    _may_register_for(who, account)
    cert = load_certificate(data, passphrase)
    info = describe(cert)
    if info["not_after"] is not None and info["not_after"] < _now():
        raise BadRequest(
            "expired certificate",
            message_vi=messages.error(
                "cert_expired", subject=info["common_name"] or info["subject"],
                until=f"{info['not_after']:%d/%m/%Y}",
            ),
        )  # fmt: skip
    with engine.begin() as conn:
        known = rows.certificate(conn, info["fingerprint"])
        if known is not None and known["revoked_at"] is not None:
            raise StateConflict("certificate was revoked", message_vi=_revoked_message(known))
        if known is not None and known["username"] != account.username:
            raise StateConflict(
                "certificate registered to another account",
                message_vi=messages.error("cert_taken", subject=info["subject"]),
            )
        if known is None:
            rows.insert_certificate(
                conn, fingerprint=info["fingerprint"], username=account.username,
                subject=info["subject"], serial=info["serial"], issuer=info["issuer"],
                not_after=info["not_after"], registered_at=_now(), registered_by=who.username,
            )  # fmt: skip
            audit.record(
                conn, actor=who.username, action="certificate.registered",
                entity="user", entity_id=account.username,
                after={k: str(v) for k, v in info.items()},
            )  # fmt: skip
    return {**info, "username": account.username}


def of_account(engine: Engine, username: str) -> list[dict[str, Any]]:
    """The certificates registered to ``username``, newest first, removed ones included
    (``revoked_at`` set)."""
    with engine.connect() as conn:
        return rows.certificates_of(conn, username)


def of_school(engine: Engine, who: Principal, school: str) -> list[dict[str, Any]]:
    """The certificates of every account of the school: for its principal and administrator
    (who may revoke a teacher's) and the district."""
    who.school_scope(school)
    if who.role not in REVOKERS and who.role not in DISTRICT_ROLES:
        raise PermissionDenied("may not list", message_vi=messages.error("forbidden"))
    with engine.connect() as conn:
        return rows.certificates_of_school(conn, school)


def _may_revoke(who: Principal, owner: Any) -> None:
    if who.username == owner.username or who.role in DISTRICT_ROLES:
        return
    same_school = who.school_code is not None and who.school_code == owner.school_code
    if same_school and who.role == "school_admin":
        return
    if same_school and who.role == "principal" and owner.role == "teacher":
        return
    raise PermissionDenied(
        "may not revoke",
        message_vi=messages.error("cert_revoke_forbidden", user=owner.username),
    )


def revoke(engine: Engine, who: Principal, fingerprint: str, *, reason: str) -> dict[str, Any]:
    """Remove (one's own) or revoke (a teacher's of one's school; any, for the district) a
    registered certificate; the row as it now stands. Audited with who, fingerprint and why."""
    reason = " ".join((reason or "").split())[:MAX_REASON]
    with engine.connect() as conn:
        row = rows.certificate(conn, fingerprint.lower())
    owner = _account(engine, row["username"]) if row is not None else None
    if row is None or owner is None or (
        who.role not in DISTRICT_ROLES and who.username != owner.username
        and who.school_code != owner.school_code
    ):  # another school's certificate is not found, as another school's items are
        raise NotFound("no certificate", message_vi=messages.error(
            "not_found", what=messages.THINGS["certificate"]))  # fmt: skip
    _may_revoke(who, owner)
    if not reason:
        raise BadRequest("no reason", message_vi=messages.error("cert_revoke_reason"))
    own = who.username == owner.username
    at = _now()
    with engine.begin() as conn:
        if not rows.mark_revoked(conn, row["fingerprint"], by=who.username, reason=reason, at=at):
            current = rows.certificate(conn, row["fingerprint"]) or row
            raise StateConflict("already revoked", message_vi=messages.error(
                "cert_already_revoked", subject=row["subject"], how=_how(current),
                when=_when(current["revoked_at"])))  # fmt: skip
        audit.record(
            conn, actor=who.username,
            action="certificate.removed" if own else "certificate.revoked",
            entity="user", entity_id=owner.username,
            before={"fingerprint": row["fingerprint"], "subject": row["subject"],
                    "serial": row["serial"], "registered_by": row["registered_by"]},
            after={"fingerprint": row["fingerprint"], "revoked_by": who.username,
                   "revoked_at": at.isoformat()},
            reason=reason,
        )  # fmt: skip
    return {**row, "revoked_at": at, "revoked_by": who.username, "revoked_reason": reason}


def _revoked_message(row: dict[str, Any]) -> str:
    return messages.error(
        "cert_revoked", subject=row["subject"], how=_how(row), when=_when(row["revoked_at"]),
        by=row["revoked_by"], reason=row["revoked_reason"] or "",
    )  # fmt: skip


def check_signer(engine: Engine, who: Principal, signer: Any, *, entity_id: str) -> dict[str, str]:
    """The presented signer's certificate if it is one of ``who``'s registered certificates
    still in use; otherwise the refusal is written to the audit trail (naming the account's
    certificates and the one presented, and a removal if that is why) and raised as 403."""
    cert = getattr(signer, "signing_cert", None)
    presented = describe(cert) if cert is not None else {"fingerprint": "", "subject": "?"}
    with engine.connect() as conn:
        everything = rows.certificates_of(conn, who.username)
        known = rows.certificate(conn, presented["fingerprint"]) if cert is not None else None
    mine = [c for c in everything if c["revoked_at"] is None]
    if any(c["fingerprint"] == presented["fingerprint"] for c in mine):
        return {"fingerprint": presented["fingerprint"], "subject": presented["subject"]}
    revoked = known if known is not None and known["revoked_at"] is not None else None
    registered = [{"fingerprint": c["fingerprint"], "subject": c["subject"]} for c in mine]
    after: dict[str, Any] = {"presented": {"fingerprint": presented["fingerprint"],
                                           "subject": presented["subject"]}}  # fmt: skip
    why = "certificate not registered to the account"
    if revoked is not None:
        why = "certificate removed or revoked"
        after["revoked"] = {"by": revoked["revoked_by"], "at": str(revoked["revoked_at"]),
                            "reason": revoked["revoked_reason"]}  # fmt: skip
    with engine.begin() as conn:
        audit.record(
            conn, actor=who.username, action="sign.refused_certificate", entity="transcript",
            entity_id=entity_id, before={"registered": registered}, after=after, reason=why,
        )  # fmt: skip
    if revoked is not None:
        raise PermissionDenied("revoked certificate", message_vi=_revoked_message(revoked))
    if not mine:
        raise PermissionDenied(
            "no registered certificate",
            message_vi=messages.error("cert_not_registered", user=who.username),
        )
    raise PermissionDenied(
        "foreign certificate",
        message_vi=messages.error(
            "cert_foreign", subject=presented.get("common_name") or presented["subject"],
            user=who.username,
            registered=", ".join(f"«{c['subject']}»" for c in registered),
        ),
    )  # fmt: skip
