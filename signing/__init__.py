"""Standard transcripts (học bạ): model, XML/JSON, PDF/A-3, PAdES signatures in the legal order,
verification. See ``signing.plan`` for why the school's seal is the last (locking) approval
signature rather than a certification signature.
"""

from signing.build import build_transcript, load_transcript_inputs
from signing.config import load_setup
from signing.execute import sign_document
from signing.issue import (
    SigningSetup,
    build_class,
    build_students,
    check_teachers,
    issue_transcript,
    plan_for,
    render_transcript,
    write_issued,
)
from signing.messages import CHANGE_NAMES, ROLE_NAMES
from signing.model import SchoolYear, Student, SubjectLine, TermOutcome, Transcript, Transfer
from signing.plan import Lock, SigningPlan, Step, principal_plan, standard_plan
from signing.resume import (
    certificate_identity,
    field_states,
    missing_before,
    sign_field,
    transcript_number,
)
from signing.signers import (
    from_pkcs12,
    from_pkcs12_bytes,
    http_timestamper,
    load_certificates,
    local_timestamper,
    pkcs11_signers,
)
from signing.verify import SignatureReport, VerificationReport, verify_pdf
from signing.xmlio import from_json, from_xml, to_json, to_xml

__all__ = [
    "CHANGE_NAMES",
    "ROLE_NAMES",
    "certificate_identity",
    "field_states",
    "missing_before",
    "sign_field",
    "transcript_number",
    "Lock",
    "SchoolYear",
    "SignatureReport",
    "SigningPlan",
    "SigningSetup",
    "Step",
    "Student",
    "SubjectLine",
    "TermOutcome",
    "Transcript",
    "Transfer",
    "VerificationReport",
    "build_class",
    "build_students",
    "build_transcript",
    "check_teachers",
    "from_json",
    "from_pkcs12",
    "from_pkcs12_bytes",
    "from_xml",
    "http_timestamper",
    "issue_transcript",
    "load_certificates",
    "load_setup",
    "load_transcript_inputs",
    "local_timestamper",
    "pkcs11_signers",
    "plan_for",
    "principal_plan",
    "render_transcript",
    "sign_document",
    "standard_plan",
    "to_json",
    "to_xml",
    "verify_pdf",
    "write_issued",
]
