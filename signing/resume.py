"""Resume signing an issued transcript, one field at a time (teachers, then the homeroom, the
principal and the seal, each in their own session, e.g. through the web service).

The plan is rebuilt from the document itself (its signature field names follow
``plan.FIELD_PREFIX``), so the service needs no record of who was meant to sign: the PDF is the
source of truth. The signer is handed in (``signing.signers.from_pkcs12_bytes`` loads an
uploaded archive in memory, never written to disk).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
from dataclasses import dataclass

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields as sigfields
from pyhanko.sign import signers

from doisoat.errors import SigningError
from signing import messages as msg
from signing.execute import sign_document
from signing.plan import FIELD_PREFIX, ROLE_ORDER, SigningPlan, principal_plan, standard_plan

__all__ = [
    "FieldState",
    "certificate_identity",
    "field_states",
    "missing_before",
    "plan_from_pdf",
    "sign_field",
    "transcript_number",
]

_TEACHER = FIELD_PREFIX["subject_teacher"]


@dataclass(frozen=True)
class FieldState:
    """One signature field of a document, in the order of the plan."""

    field: str
    role: str
    label: str
    signed: bool
    # who signed it, read from the signature's certificate (common name; SHA-256 of its DER):
    # a transcript put in a folder by hand says who signed it with no record beside it
    signer: str = ""
    signer_fingerprint: str = ""


def _read_fields(pdf: bytes, file_name: str) -> list[tuple[str, str, bool]]:
    return _read(pdf, file_name)[0]


def _read(
    pdf: bytes, file_name: str, *, signers: bool = False
) -> tuple[list[tuple[str, str, bool]], dict[str, tuple[str, str]]]:
    """The signature fields (name, tooltip, signed) and, if asked, each signed field's signer."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        found = [
            (name, str(ref.get_object().get("/TU", "")), value is not None)
            for name, value, ref in sigfields.enumerate_sig_fields(reader)
        ]
        by_field: dict[str, tuple[str, str]] = {}
        for sig in reader.embedded_signatures if signers else ():
            cert = sig.signer_cert
            name = str(cert.subject.native.get("common_name", "")) or cert.subject.human_friendly
            by_field[sig.field_name] = (name, hashlib.sha256(cert.dump()).hexdigest())
        return found, by_field
    except Exception as exc:  # pyHanko raises many kinds on a damaged file
        raise SigningError(
            f"cannot read PDF {file_name}: {exc}",
            message_vi=msg.PDF_UNREADABLE.format(file=file_name, problem=exc),
        ) from exc


def plan_from_pdf(pdf: bytes, *, file_name: str = "") -> SigningPlan:
    """The plan whose fields are this document's signature fields (labels from the fields'
    tooltips). Signer keys: the teacher's field suffix, ``homeroom``, ``principal``, ``seal``."""
    return _plan(_read_fields(pdf, file_name))


def _plan(found: list[tuple[str, str, bool]]) -> SigningPlan:
    names = {name for name, _, _ in found}
    labels = {name: label for name, label, _ in found}
    if names == {FIELD_PREFIX["principal"]}:  # study-record confirmation
        plan = principal_plan(principal="principal")
    else:
        plan = standard_plan(
            teachers={n[len(_TEACHER) :]: () for n in names if n.startswith(_TEACHER)},
            homeroom="homeroom",
            principal="principal",
            seal="seal",
        )
    if set(plan.fields) != names:
        text = f"fields {sorted(names)} do not form a transcript plan"
        raise SigningError(text, message_vi=msg.PLAN_INVALID.format(problem=text))
    steps = tuple(dataclasses.replace(s, label=labels.get(s.field) or s.label) for s in plan.steps)
    return dataclasses.replace(plan, steps=steps)


def _states(
    plan: SigningPlan,
    found: list[tuple[str, str, bool]],
    signers: dict[str, tuple[str, str]] | None = None,
) -> list[FieldState]:
    signed = {name for name, _, is_signed in found if is_signed}
    return [FieldState(s.field, s.role, s.label, s.field in signed,
                       *(signers or {}).get(s.field, ("", "")))
            for s in plan.steps]  # fmt: skip


def field_states(pdf: bytes, *, file_name: str = "", signers: bool = False) -> list[FieldState]:
    """Every signature field of the document with whether it is signed, in the plan's order
    (and, with ``signers``, who signed each signed field)."""
    found, by_field = _read(pdf, file_name, signers=signers)
    return _states(_plan(found), found, by_field)


_NUMBER = re.compile(rb'\bnumber="(\d{10}/TH(?:CS|PT))"')


def transcript_number(pdf: bytes) -> str:
    """The transcript number written in the attached XML ("" if there is none): a file put in
    a folder by hand under any name is still known by its number."""
    from signing.verify import attached_xml

    try:
        xml = attached_xml(PdfFileReader(io.BytesIO(pdf), strict=False))
    except Exception:  # noqa: BLE001 — a damaged file has no readable attachment
        return ""
    found = _NUMBER.search(xml[:4096]) if xml else None
    return found.group(1).decode() if found else ""


def missing_before(states: list[FieldState], target: FieldState) -> list[FieldState]:
    """The unsigned fields of the roles before ``target``'s: the legal order says they sign
    first (subject teachers sign in any order among themselves)."""
    rank = ROLE_ORDER[target.role]
    return [s for s in states if not s.signed and ROLE_ORDER[s.role] < rank]


def certificate_identity(signer: signers.Signer) -> dict[str, str]:
    """Subject and serial number of the signer's certificate (what an audit trail records)."""
    cert = signer.signing_cert
    if cert is None:
        return {"subject": "", "serial": ""}
    return {"subject": cert.subject.human_friendly, "serial": format(cert.serial_number, "x")}


def sign_field(
    pdf: bytes,
    field: str,
    signer: signers.Signer,
    *,
    file_name: str = "",
    location: str | None = None,
) -> bytes:
    """Sign exactly ``field`` (PAdES B-B) once every field of an earlier role is signed.

    Subject teachers sign in any order among themselves (the law orders roles, and the verifier
    checks roles): the plan is reordered so that the requested teacher field comes first among
    the unsigned teacher fields, and the engine's session stops right after it.
    """
    found = _read_fields(pdf, file_name)
    plan = _plan(found)
    states = _states(plan, found)
    target = next((s for s in states if s.field == field), None)
    if target is None or target.signed:
        problem = "đã được ký" if target is not None else "không có trong học bạ"
        raise SigningError(
            f"field {field} cannot be signed",
            message_vi=msg.SIGNING_FAILED.format(field=field, problem=problem),
        )
    missing = missing_before(states, target)
    if missing:
        raise SigningError(
            f"{field} signed before {missing[0].field}",
            message_vi=msg.SIGNER_OUT_OF_ORDER.format(field=field, previous=missing[0].field),
        )
    ordered = sorted(plan.steps, key=lambda s: (ROLE_ORDER[s.role], s.field != field, s.field))
    plan = dataclasses.replace(plan, steps=tuple(ordered))
    signed = sign_document(
        pdf, plan, {s.signer: signer for s in plan.steps}, location=location, stop_after=field
    )
    after = {s.field for s in field_states(signed, file_name=file_name) if s.signed}
    before = {s.field for s in states if s.signed}
    if after - before != {field}:  # the engine must not have signed anything else
        raise SigningError(
            f"signing {field} changed {sorted(after - before)}",
            message_vi=msg.SIGNING_FAILED.format(field=field, problem=sorted(after - before)),
        )
    return signed
