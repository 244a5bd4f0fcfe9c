"""JSON routes to list a school's issued transcripts and sign one field of one of them.

Thin: parse, call ``signing_service``, present. Errors come out as ``{"detail": "<tiếng Việt>"}``
through the app's handlers, like every other route.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, UploadFile
from pydantic import BaseModel, Field

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


class TranscriptOut(BaseModel):
    name: str
    sha256: str
    complete: bool = Field(description=messages.API_DOC["complete"])
    fields: list[FieldOut]
    signable: list[str] = Field(description=messages.API_DOC["signable"])
    problem: str | None = Field(default=None, description=messages.API_DOC["problem"])


class CertificateOut(BaseModel):
    subject: str
    serial: str = Field(description=messages.API_DOC["serial"])


class SignedOut(TranscriptOut):
    signed_field: str
    certificate: CertificateOut


School = Annotated[str, Path(max_length=32, pattern=SCHOOL_RE.pattern)]
Name = Annotated[str, Path(max_length=120, pattern=r"^[\w.\-]{1,120}$")]


@router.get("/transcripts/{school}", response_model=list[TranscriptOut], responses=ERRORS)
def list_transcripts(school: School, who: PrincipalDep, config: FilesDep) -> list[dict[str, Any]]:
    """The school's issued transcripts with the signed and unsigned fields of each (the
    caller's school only; the district sees every school)."""
    return signing_service.list_transcripts(config, who, school)


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
