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
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from sqlalchemy import Engine, select

from doisoat.errors import BadRequest, NotFound, PermissionDenied, StateConflict
from doisoat.model import SigningCertificate, UserAccount
from service.api import audit, messages
from service.api.auth import DISTRICT_ROLES, Principal

_certs = SigningCertificate.__table__
_users = UserAccount.__table__
MAX_CERTIFICATE_BYTES = 64 * 1024
SIGNING_ROLES = frozenset({"teacher", "principal"})


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
        owner = conn.execute(
            select(_certs.c.username).where(_certs.c.fingerprint == info["fingerprint"])
        ).scalar()
        if owner is not None and owner != account.username:
            raise StateConflict(
                "certificate registered to another account",
                message_vi=messages.error("cert_taken", subject=info["subject"]),
            )
        if owner is None:
            conn.execute(
                _certs.insert().values(
                    fingerprint=info["fingerprint"], username=account.username,
                    subject=info["subject"], serial=info["serial"], issuer=info["issuer"],
                    not_after=info["not_after"], registered_at=_now(),
                    registered_by=who.username,
                )
            )  # fmt: skip
            audit.record(
                conn, actor=who.username, action="certificate.registered",
                entity="user", entity_id=account.username,
                after={k: str(v) for k, v in info.items()},
            )  # fmt: skip
    return {**info, "username": account.username}


def of_account(engine: Engine, username: str) -> list[dict[str, Any]]:
    """The certificates registered to ``username``, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(_certs)
            .where(_certs.c.username == username)
            .order_by(_certs.c.registered_at.desc())
        ).fetchall()
    return [dict(row._mapping) for row in rows]


def check_signer(engine: Engine, who: Principal, signer: Any, *, entity_id: str) -> dict[str, str]:
    """The presented signer's certificate if it is one of ``who``'s registered certificates;
    otherwise the refusal is written to the audit trail (naming both) and raised as 403."""
    cert = getattr(signer, "signing_cert", None)
    presented = describe(cert) if cert is not None else {"fingerprint": "", "subject": "?"}
    mine = of_account(engine, who.username)
    if any(c["fingerprint"] == presented["fingerprint"] for c in mine):
        return {"fingerprint": presented["fingerprint"], "subject": presented["subject"]}
    registered = [{"fingerprint": c["fingerprint"], "subject": c["subject"]} for c in mine]
    with engine.begin() as conn:
        audit.record(
            conn, actor=who.username, action="sign.refused_certificate", entity="transcript",
            entity_id=entity_id,
            before={"registered": registered},
            after={"presented": {"fingerprint": presented["fingerprint"],
                                 "subject": presented["subject"]}},
            reason="certificate not registered to the account",
        )  # fmt: skip
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
