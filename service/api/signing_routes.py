"""JSON routes to list a school's issued transcripts, sign one field of one of them, sign all
of one's fields of a class (at once, or as a job followed by its status), and manage the
account's signing certificates.

Thin: parse, call ``signing_service``, present. Errors come out as ``{"detail": "<tiếng Việt>"}``
through the app's handlers, like every other route.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, UploadFile
from pydantic import BaseModel, Field

from service import class_signing
from service import transcripts as signing_service
from service.api import messages
from service.api.deps import EngineDep, FilesDep, PrincipalDep
from service.api.services import SCHOOL_RE

router = APIRouter(prefix="/api/v1", tags=[messages.API_DOC["transcripts_tag"]])


class ErrorOut(BaseModel):
    detail: str = Field(description=messages.API_DOC["error_detail"])


def _error(key: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": messages.API_DOC[key]}


ERRORS: dict[int | str, dict[str, Any]] = {
    401: _error("401"),
    403: _error("sign_403"),
    404: _error("404"),
    422: {"description": messages.API_DOC["422"]},  # FastAPI's own validation errors too
}
SIGN_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    400: _error("sign_400"),
    409: _error("sign_409"),
    413: _error("sign_413"),
}


class FieldOut(BaseModel):
    field: str = Field(description=messages.API_DOC["field_name"])
    role: str = Field(description="subject_teacher | homeroom | principal | seal")
    label: str = Field(description=messages.API_DOC["field_label"])
    signed: bool
    yours: bool = Field(description=messages.API_DOC["field_yours"])
    owner: str | None = None
    signer: str = Field(default="", description="người ký (tên trên chứng thư của chữ ký)")
    signer_fingerprint: str = ""
    signed_by: str = Field(default="", description="tài khoản đã đăng ký chứng thư đã ký ô này")


class TranscriptOut(BaseModel):
    name: str
    sha256: str
    class_name: str = Field(default="", description=messages.API_DOC["class_name"])
    identity_code: str = ""
    student_name: str = ""
    complete: bool = Field(description=messages.API_DOC["complete"])
    fields: list[FieldOut]
    signable: list[str] = Field(description=messages.API_DOC["signable"])
    problem: str | None = Field(default=None, description=messages.API_DOC["problem"])
    hand_placed: bool = Field(default=False, description="đặt tay vào thư mục lớp, không có "
                              "tệp phân công người ký (.signers.json)")
    linkable: bool = True


class CertificateOut(BaseModel):
    subject: str
    serial: str = Field(description=messages.API_DOC["serial"])


class SignedOut(TranscriptOut):
    signed_field: str
    certificate: CertificateOut


School = Annotated[str, Path(max_length=32, pattern=SCHOOL_RE.pattern)]
Name = Annotated[str, Path(max_length=120, pattern=r"^[\w.\-]{1,120}$")]


@router.get("/transcripts/{school}", response_model=list[TranscriptOut], responses=ERRORS)
def list_transcripts(
    school: School, who: PrincipalDep, config: FilesDep, engine: EngineDep
) -> list[dict[str, Any]]:
    """The school's issued transcripts with the signed and unsigned fields of each (the
    caller's school only; the district sees every school)."""
    return signing_service.list_transcripts(config, who, school, engine)


@router.post("/transcripts/{school}/{name}/sign", response_model=SignedOut, responses=SIGN_ERRORS)
def sign(
    school: School,
    name: Name,
    who: PrincipalDep,
    engine: EngineDep,
    config: FilesDep,
    field: Annotated[
        str,
        Form(
            max_length=64,
            pattern=r"^[A-Za-z0-9_-]{1,64}$",
            description=messages.API_DOC["sign_field"],
        ),
    ],
    pkcs12: Annotated[UploadFile, File(description=messages.API_DOC["pkcs12"])],
    passphrase: Annotated[
        str, Form(max_length=200, description=messages.API_DOC["passphrase"])
    ] = "",
) -> dict[str, Any]:
    """Sign one field in the legal order (teachers, homeroom, principal, seal). Teachers sign
    GVBM_* and GVCN, the principal HIEUTRUONG and DAUTRUONG. The certificate file and its
    passphrase are used once in memory and never stored; one audit event per signature."""
    data = pkcs12.file.read(signing_service.MAX_PKCS12_BYTES + 1)
    return signing_service.sign_transcript(
        engine, config, who, school, name, field=field, pkcs12=data, passphrase=passphrase
    )


class FailedOut(BaseModel):
    name: str
    field: str
    problem: str


class ClassSignedOut(BaseModel):
    class_name: str
    done: int = Field(description="ô đã ký trong lần này")
    total: int = Field(description="ô của người gọi chưa ký khi bắt đầu")
    waiting: int = Field(description="ô còn chờ vai trò ký trước")
    failed: list[FailedOut]
    transcripts: int
    certificate: dict[str, str] | None = None


ClassName = Annotated[str, Path(max_length=40, pattern=r"^[\w.\-]{1,40}$")]


@router.post(
    "/transcripts/{school}/classes/{class_name}/sign",
    response_model=ClassSignedOut,
    responses=SIGN_ERRORS,
    description=messages.API_DOC["sign_class"],
)
def sign_class(
    school: School,
    class_name: ClassName,
    who: PrincipalDep,
    engine: EngineDep,
    config: FilesDep,
    pkcs12: Annotated[UploadFile, File(description=messages.API_DOC["pkcs12"])],
    passphrase: Annotated[
        str, Form(max_length=200, description=messages.API_DOC["passphrase"])
    ] = "",
    field: Annotated[
        str,
        Form(
            max_length=64,
            pattern=r"^[A-Za-z0-9_-]{0,64}$",
            description=messages.API_DOC["sign_class_field"],
        ),
    ] = "",
) -> dict[str, Any]:
    """Sign all the caller's fields (or one ``field``) in every transcript of a class with one
    certificate upload, used for this request only. One audit event per signature."""
    data = pkcs12.file.read(signing_service.MAX_PKCS12_BYTES + 1)
    return class_signing.sign_class(
        engine, config, who, school, class_name, pkcs12=data, passphrase=passphrase, field=field
    )


class CurrentOut(BaseModel):
    name: str
    identity_code: str = ""
    student_name: str = ""
    class_name: str = ""
    label: str = ""


class StudentResultOut(BaseModel):
    name: str
    identity_code: str
    student_name: str
    class_name: str
    signed: list[str] = Field(description="nhãn các ô đã ký")
    waiting: list[str] = Field(description="nhãn các ô còn chờ vai trò ký trước")
    failed: list[dict[str, str]] = Field(description="ô không ký được: label, problem")


class ClassResultOut(ClassSignedOut):
    students: list[StudentResultOut] = []


class SigningJobOut(BaseModel):
    id: str
    owner: str
    school: str
    class_name: str
    field: str = ""
    state: str = Field(description="running | done | failed | interrupted")
    handled: int = Field(description="ô đã xử lý (đã ký, chờ hoặc lỗi)")
    done: int = Field(description="ô đã ký")
    total: int
    current: CurrentOut | None = None
    started_at: str
    finished_at: str | None = None
    message: str = Field(description="câu tiếng Việt trang hiển thị, ví dụ «Đang ký 12/45 — …»")
    result: ClassResultOut | None = None
    error: str | None = None


@router.post(
    "/transcripts/{school}/classes/{class_name}/sign-jobs",
    response_model=SigningJobOut,
    status_code=202,
    responses=SIGN_ERRORS,
    description=messages.API_DOC["sign_job"],
)
def start_sign_class_job(
    school: School,
    class_name: ClassName,
    who: PrincipalDep,
    engine: EngineDep,
    config: FilesDep,
    pkcs12: Annotated[UploadFile, File(description=messages.API_DOC["pkcs12"])],
    passphrase: Annotated[
        str, Form(max_length=200, description=messages.API_DOC["passphrase"])
    ] = "",
    field: Annotated[
        str,
        Form(
            max_length=64,
            pattern=r"^[A-Za-z0-9_-]{0,64}$",
            description=messages.API_DOC["sign_class_field"],
        ),
    ] = "",
) -> dict[str, Any]:
    """Every refusal (class, role, passphrase, certificate) is answered here; the signing then
    runs in the server and ``GET /api/v1/signing-jobs/{id}`` follows it."""
    data = pkcs12.file.read(signing_service.MAX_PKCS12_BYTES + 1)
    return class_signing.start_job(
        engine, config, who, school, class_name, pkcs12=data, passphrase=passphrase, field=field
    )


JobId = Annotated[str, Path(max_length=32, pattern=r"^[0-9a-f]{1,32}$")]


@router.get(
    "/signing-jobs/{job_id}",
    response_model=SigningJobOut,
    responses=ERRORS,
    description=messages.API_DOC["sign_job_status"],
)
def signing_job(job_id: JobId, who: PrincipalDep, config: FilesDep) -> dict[str, Any]:
    """The caller's own jobs only: another account's job id answers 404."""
    return class_signing.job_status(config, who, job_id)


class CertificateRow(BaseModel):
    fingerprint: str = Field(description=messages.API_DOC["fingerprint"])
    username: str
    subject: str
    serial: str
    issuer: str
    revoked_at: dt.datetime | None = Field(default=None, description="gỡ / thu hồi lúc (UTC)")
    revoked_by: str | None = None
    revoked_reason: str | None = None


class SchoolCertificateRow(CertificateRow):
    role: str
    full_name: str = ""


class RevokeIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description=messages.API_DOC["cert_reason"])


@router.get("/certificates", response_model=list[CertificateRow], responses=ERRORS)
def my_certificates(who: PrincipalDep, engine: EngineDep) -> list[dict[str, Any]]:
    """The signing certificates registered to the caller's account."""
    from service import certificates

    return certificates.of_account(engine, who.username)


@router.post("/certificates", response_model=CertificateRow, responses=SIGN_ERRORS)
def register_certificate(
    who: PrincipalDep,
    engine: EngineDep,
    certificate: Annotated[UploadFile, File(description=messages.API_DOC["certificate"])],
    passphrase: Annotated[str, Form(max_length=200)] = "",
    username: Annotated[str, Form(max_length=64)] = "",
) -> dict[str, Any]:
    """Register a signing certificate to an account: the caller's own (teacher, principal), an
    account of their school (school administrator) or any account (district officer). Only the
    public certificate is kept; signing with any other certificate is then refused (403)."""
    from service import certificates

    data = certificate.file.read(certificates.MAX_CERTIFICATE_BYTES + 1)
    return certificates.register(engine, who, data, passphrase=passphrase, username=username)


Fingerprint = Annotated[str, Path(max_length=64, pattern=r"^[0-9A-Fa-f]{64}$")]


@router.post(
    "/certificates/{fingerprint}/revoke",
    response_model=CertificateRow,
    responses={**ERRORS, 409: _error("sign_409")},
    description=messages.API_DOC["cert_remove"],
)
def revoke_certificate(
    fingerprint: Fingerprint, body: RevokeIn, who: PrincipalDep, engine: EngineDep
) -> dict[str, Any]:
    """One's own certificate (removed), or a teacher's of one's school by its principal or
    administrator, or any by a district officer (revoked). Audited with who, which fingerprint
    and why; the row stays, so that a later signature with it is refused naming this."""
    from service import certificates

    return certificates.revoke(engine, who, fingerprint, reason=body.reason)


@router.get(
    "/schools/{school}/certificates", response_model=list[SchoolCertificateRow], responses=ERRORS
)
def school_certificates(
    school: School, who: PrincipalDep, engine: EngineDep
) -> list[dict[str, Any]]:
    """Every certificate registered to an account of the school (its principal and
    administrator, and the district), removed ones included."""
    from service import certificates

    return certificates.of_school(engine, who, school)
