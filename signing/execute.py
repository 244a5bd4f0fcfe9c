"""Execute a signing plan: one incremental update per signature, in the plan's order.

The engine owns no keys, no clock and no network: signers, the timestamper and the validation
context are handed in (pyHanko's ``DummyTimeStamper``-style injection), so unit tests sign in
process and integration tests sign against a real TSA/OCSP/CRL on loopback.

PAdES levels: B-B signs only; B-T adds an RFC 3161 signature timestamp to each signature; B-LT
also embeds the validation data (certificates, OCSP responses, CRLs) in the DSS; B-LTA adds a
document timestamp after the last signature.

Keys: use RSA for transcripts. pyHanko marks a document signed with ECDSA on a NIST curve as
PDF 2.0 (ISO 32002), and PDF/A-3 is PDF 1.7; Vietnamese CAs issue RSA certificates anyway.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields as sigfields
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator import ValidationContext

from doisoat.errors import SigningError
from signing import messages as msg
from signing.appearance import SignerStampStyle, appearance_params
from signing.plan import SigningPlan


def sign_document(
    pdf: bytes,
    plan: SigningPlan,
    signers_by_key: Mapping[str, signers.Signer],
    *,
    timestamper: TimeStamper | None = None,
    validation_context: ValidationContext | None = None,
    location: str | None = None,
    stop_after: str | None = None,
) -> bytes:
    """Sign the plan's fields in order and return the signed document.

    Signing may happen in sessions (teachers during the year, the principal and the seal at its
    end): fields already signed are skipped and ``stop_after`` ends a session at a field.
    """
    plan.check()
    level = plan.level
    if level != "B-B" and timestamper is None:
        raise SigningError(
            f"PAdES {level} needs a timestamper",
            message_vi=msg.TIMESTAMP_FAILED.format(url="(chưa cấu hình)", problem=level),
        )
    for step in plan.steps:
        if step.signer not in signers_by_key:
            raise SigningError(
                f"no signer for {step.role} ({step.field})",
                message_vi=msg.SIGNER_MISSING.format(
                    role=msg.ROLE_NAMES[step.role], field=step.field
                ),
            )
    data = pdf
    signed = _signed_fields(pdf)
    last = len(plan.steps) - 1
    for i, step in enumerate(plan.steps):
        if step.field in signed:
            continue
        meta = signers.PdfSignatureMetadata(
            field_name=step.field,
            md_algorithm="sha256",
            subfilter=sigfields.SigSeedSubFilter.PADES,
            reason=step.label or msg.ROLE_NAMES[step.role],
            location=location,
            embed_validation_info=level in ("B-LT", "B-LTA"),
            use_pades_lta=level == "B-LTA" and i == last,
            validation_context=validation_context,
            # the seal's lock dictionary already says /P 1; say the same, not pyHanko's default
            docmdp_permissions=(
                MDPPerm.NO_CHANGES if step.lock.no_changes_after else MDPPerm.FILL_FORMS
            ),
        )
        signer = signers_by_key[step.signer]
        pdf_signer = signers.PdfSigner(
            meta,
            signer=signer,
            timestamper=timestamper if level != "B-B" else None,
            stamp_style=SignerStampStyle(),
        )
        text = appearance_params(
            signer.signing_cert,
            ("Dấu của nhà trường",) if step.role == "seal" else (),
            dt.datetime.now(dt.UTC),
            seal=step.role == "seal",
        )
        try:
            out = _sign_once(pdf_signer, data, _reserve(plan.level), text)
        except SigningError:
            raise
        except Exception as exc:  # pyHanko, certvalidator, requests, PKCS#11 errors
            raise SigningError(
                f"signing field {step.field} failed: {exc}",
                message_vi=msg.SIGNING_FAILED.format(field=step.field, problem=exc),
                details={"field": step.field, "role": step.role},
            ) from exc
        data = out.getvalue()
        signed.add(step.field)
        if step.field == stop_after:
            break
    return data


def _signed_fields(pdf: bytes) -> set[str]:
    if b"/ByteRange" not in pdf:  # freshly rendered: nothing to resume (and parsing is not free)
        return set()
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        return {name for name, value, _ in sigfields.enumerate_sig_fields(reader) if value}
    except Exception as exc:
        raise SigningError(
            f"cannot read PDF: {exc}",
            message_vi=msg.PDF_UNREADABLE.format(file="", problem=exc),
        ) from exc


def _sign_once(
    pdf_signer: signers.PdfSigner, data: bytes, reserve: int, text: dict
) -> io.BytesIO:
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        return pdf_signer.sign_pdf(
            writer, existing_fields_only=True, bytes_reserved=reserve, appearance_text_params=text
        )
    except PyHankoSigningError as exc:
        if "larger than expected" not in str(exc):
            raise
    # a long chain or a big timestamp token: let pyHanko measure a dry run (slower, exact)
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    return pdf_signer.sign_pdf(writer, existing_fields_only=True, appearance_text_params=text)


def _reserve(level: str) -> int:
    """Room for the CMS blob, fixed so pyHanko need not sign twice to estimate it."""
    return 8192 if level == "B-B" else 16384
