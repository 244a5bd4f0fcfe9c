"""Verify a signed transcript the way a receiving school needs it.

For each signature: who signed, in which role (and for which subjects), when, whether the signed
bytes are intact, whether the certificate chains to a trusted root, and what changed in the file
after it. Then the document as a whole: every signature field filled, the legal order respected,
nothing but validation data and document timestamps after the last signature (the seal's lock),
the attached XML valid against our schema, and the cover's QR code equal to the transcript number
and the SHA-256 of that XML.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field
from typing import Any

from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields as sigfields
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext

from doisoat.errors import ErrorContext, SigningError
from signing import messages as msg
from signing import qr, xmlio
from signing.pdfa import QR_XOBJECT, XML_NAME
from signing.plan import ROLE_ORDER, role_of_field

_SAFE_AFTER_LAST = {"NONE", "LTA_UPDATES"}
_SAFE_AFTER = {"NONE", "LTA_UPDATES", "FORM_FILLING"}


@dataclass
class SignatureReport:
    field: str
    role: str
    subjects: str
    signer: str
    signed_at: str | None
    timestamped: bool
    intact: bool
    valid: bool
    trusted: bool
    coverage: str
    changes_after: str
    is_document_timestamp: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class VerificationReport:
    file: str
    number: str | None = None
    signatures: list[SignatureReport] = field(default_factory=list)
    xml_valid: bool = False
    qr_matches: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and all(s.ok for s in self.signatures)

    def all_problems(self) -> list[str]:
        return [p for s in self.signatures for p in s.problems] + self.problems

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def _common_name(cert: x509.Certificate | None) -> str:
    if cert is None:
        return "?"
    native = cert.subject.native
    return str(native.get("common_name") or cert.subject.human_friendly)


def _context(
    reader: PdfFileReader, trust_roots: list[x509.Certificate], allow_fetching: bool
) -> ValidationContext:
    kwargs: dict[str, Any] = {"allow_fetching": allow_fetching, "revocation_mode": "soft-fail"}
    if trust_roots:
        kwargs["trust_roots"] = trust_roots
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except Exception:  # no DSS (PAdES B-B / B-T): validate from what the signatures carry
        return ValidationContext(**kwargs)
    return dss.as_validation_context(kwargs)


def verify_pdf(
    data: bytes,
    *,
    trust_roots: list[x509.Certificate] | None = None,
    allow_fetching: bool = False,
    file_name: str = "",
) -> VerificationReport:
    """Check everything; never raises for a bad document, only for an unreadable one."""
    report = VerificationReport(file=file_name)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:
        raise SigningError(
            f"cannot read PDF {file_name}: {exc}",
            message_vi=msg.PDF_UNREADABLE.format(file=file_name, problem=exc),
            context=ErrorContext(file=file_name or None),
        ) from exc
    vc = _context(reader, trust_roots or [], allow_fetching)
    labels = _field_labels(reader)
    for sig in embedded:
        report.signatures.append(_check_signature(sig, vc, labels))
    _check_document(reader, report, data)
    return report


def _field_labels(reader: PdfFileReader) -> dict[str, str]:
    labels = {}
    for name, _value, ref in sigfields.enumerate_sig_fields(reader):
        field_obj = ref.get_object()
        labels[name] = str(field_obj.get("/TU", ""))
    return labels


def _check_signature(sig: Any, vc: ValidationContext, labels: dict[str, str]) -> SignatureReport:
    name = sig.field_name or ""
    is_ts = sig.sig_object.get("/Type") == "/DocTimeStamp"
    role = "timestamp" if is_ts else (role_of_field(name) or "unknown")
    try:
        if is_ts:
            status = validate_pdf_timestamp(sig, validation_context=vc)
            signed_at = status.timestamp
            timestamped = True
        else:
            status = validate_pdf_signature(
                sig, signer_validation_context=vc, ts_validation_context=vc
            )
            ts = status.timestamp_validity
            signed_at = ts.timestamp if ts is not None else status.signer_reported_dt
            timestamped = ts is not None
        intact, valid, trusted = status.intact, status.valid, status.trusted
        coverage = status.coverage.name if status.coverage else "UNCLEAR"
        level = status.modification_level.name if status.modification_level else "OTHER"
        docmdp_ok = status.docmdp_ok is not False
        signer = _common_name(status.signing_cert)
        trust_problem = str(status.trust_problem_indic or "")
    except Exception as exc:  # a blob that is not even a CMS signature
        intact = valid = trusted = docmdp_ok = False
        coverage, level, signer, signed_at, timestamped = "UNCLEAR", "OTHER", "?", None, False
        trust_problem = str(exc)
    role_vi = msg.ROLE_NAMES.get(role, role)
    report = SignatureReport(
        field=name,
        role=role,
        subjects=labels.get(name, ""),
        signer=signer,
        signed_at=signed_at.isoformat() if signed_at else None,
        timestamped=timestamped,
        intact=intact,
        valid=valid,
        trusted=trusted,
        coverage=coverage,
        changes_after=level,
        is_document_timestamp=is_ts,
    )
    if not (intact and valid):
        report.problems.append(msg.CHECK_NOT_INTACT.format(signer=signer, role=role_vi))
    elif not trusted:
        report.problems.append(
            msg.CHECK_NOT_TRUSTED.format(signer=signer, role=role_vi, problem=trust_problem)
        )
    if level not in _SAFE_AFTER or not docmdp_ok:
        report.problems.append(
            msg.CHECK_MODIFIED_AFTER.format(
                signer=signer, role=role_vi, change=msg.CHANGE_NAMES.get(level, level)
            )
        )
    return report


def _check_document(reader: PdfFileReader, report: VerificationReport, data: bytes) -> None:
    regular = [s for s in report.signatures if not s.is_document_timestamp]
    if not regular:
        report.problems.append(msg.CHECK_NO_SIGNATURE)
    else:
        ranks = [ROLE_ORDER.get(s.role, -1) for s in regular]
        if -1 in ranks or ranks != sorted(ranks):
            report.problems.append(
                msg.CHECK_ORDER.format(
                    problem=" → ".join(msg.ROLE_NAMES.get(s.role, s.role) for s in regular)
                )
            )
        final = regular[-1]
        if final.changes_after not in _SAFE_AFTER_LAST and not final.problems:
            report.problems.append(
                msg.CHECK_MODIFIED_AFTER.format(
                    signer=final.signer,
                    role=msg.ROLE_NAMES.get(final.role, final.role),
                    change=msg.CHANGE_NAMES.get(final.changes_after, final.changes_after),
                )
            )
        last = report.signatures[-1]
        # after the last signature or timestamp only validation data (DSS) may follow
        if last.coverage != "ENTIRE_FILE" and not (
            last.coverage == "ENTIRE_REVISION" and last.changes_after in _SAFE_AFTER_LAST
        ):
            report.problems.append(msg.CHECK_NOT_LAST_FULL)
    empty = [name for name, value, _ in sigfields.enumerate_sig_fields(reader) if value is None]
    if empty:
        report.problems.append(msg.CHECK_MISSING_ROLES.format(roles=", ".join(empty)))
    xml = attached_xml(reader)
    if xml is None:
        report.problems.append(msg.CHECK_NO_XML)
        return
    try:
        transcript = xmlio.from_xml(xml)
    except SigningError as exc:
        report.problems.append(msg.CHECK_XML_INVALID.format(problem=exc.message_vi))
        return
    except Exception as exc:  # schema-valid but not a transcript our model accepts
        report.problems.append(msg.CHECK_XML_INVALID.format(problem=exc))
        return
    report.xml_valid = True
    report.number = transcript.number
    modules = _qr_modules(reader)
    if modules is None:
        report.problems.append(msg.CHECK_QR_MISSING)
        return
    verify_url = _qr_verify_url(reader)
    report.qr_matches = modules == qr.matrix(qr.text(transcript.number, xml, verify_url))
    if not report.qr_matches:
        report.problems.append(msg.CHECK_QR_MISMATCH)


def attached_xml(reader: PdfFileReader) -> bytes | None:
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
        for i in range(0, len(names), 2):
            if str(names[i]) == XML_NAME:
                return names[i + 1].get_object()["/EF"]["/F"].get_object().data
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
    return None


def _qr_modules(reader: PdfFileReader) -> list[list[bool]] | None:
    try:
        page = reader.root["/Pages"]["/Kids"][0].get_object()
        xobj = page["/Resources"]["/XObject"]["/" + QR_XOBJECT].get_object()
        size = int(xobj["/DoisoatQRModules"])
        return qr.read_modules(xobj.data, size)
    except (KeyError, IndexError, TypeError, AttributeError, ValueError):
        return None


def _qr_verify_url(reader: PdfFileReader) -> str:
    """The verification address the code links to ("" for a bare payload, as before it)."""
    try:
        page = reader.root["/Pages"]["/Kids"][0].get_object()
        xobj = page["/Resources"]["/XObject"]["/" + QR_XOBJECT].get_object()
        return str(xobj.get("/DoisoatVerifyURL", ""))
    except (KeyError, IndexError, TypeError, AttributeError, ValueError):
        return ""
