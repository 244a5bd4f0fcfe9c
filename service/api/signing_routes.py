"""JSON routes to list a school's issued transcripts and sign one field of one of them.

Thin: parse, call ``signing_service``, present. Errors come out as ``{"detail": "<tiếng Việt>"}``
through the app's handlers, like every other route.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, UploadFile
from pydantic import BaseModel, Field

from service import transcripts as signing_service
from service.api.deps import EngineDep, FilesDep, PrincipalDep
from service.api.services import SCHOOL_RE

router = APIRouter(prefix="/api/v1", tags=["học bạ"])


class ErrorOut(BaseModel):
    detail: str = Field(description="Thông báo lỗi bằng tiếng Việt")


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


ERRORS: dict[int | str, dict[str, Any]] = {
    401: _error("Chưa đăng nhập / mã truy cập sai"),
    403: _error("Không có quyền (trường khác, hoặc vai trò không được ký ô này)"),
    404: _error("Không tìm thấy"),
    422: {"description": "Dữ liệu không hợp lệ"},  # FastAPI's own validation errors too
}
SIGN_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    400: _error("Sai mật khẩu hoặc tệp không phải PKCS#12; học bạ không bị thay đổi"),
    409: _error("Ô đã được ký, hoặc chưa đủ chữ ký của các vai trò ký trước"),
    413: _error("Tệp chứng thư số quá lớn"),
}


class FieldOut(BaseModel):
    field: str = Field(description="Tên ô chữ ký: GVBM_…, GVCN, HIEUTRUONG, DAUTRUONG")
    role: str = Field(description="subject_teacher | homeroom | principal | seal")
    label: str = Field(description="Người ký, bằng tiếng Việt")
    signed: bool
    yours: bool = Field(description="Vai trò của người gọi được ký ô này")


class TranscriptOut(BaseModel):
    name: str
    sha256: str
    complete: bool = Field(description="Mọi ô chữ ký đã được ký")
    fields: list[FieldOut]
    signable: list[str] = Field(description="Các ô người gọi có thể ký ngay bây giờ")
    problem: str | None = Field(default=None, description="Vì sao không đọc được tệp")


class CertificateOut(BaseModel):
    subject: str
    serial: str = Field(description="Số sê-ri chứng thư (hệ 16)")


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
        str, Form(max_length=64, pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Ô chữ ký")
    ],
    pkcs12: Annotated[UploadFile, File(description="Chứng thư số của người ký (.p12/.pfx)")],
    passphrase: Annotated[str, Form(max_length=200, description="Mật khẩu chứng thư số")] = "",
) -> dict[str, Any]:
    """Sign one field in the legal order (teachers, homeroom, principal, seal). Teachers sign
    GVBM_* and GVCN, the principal HIEUTRUONG and DAUTRUONG. The certificate file and its
    passphrase are used once in memory and never stored; one audit event per signature."""
    data = pkcs12.file.read(signing_service.MAX_PKCS12_BYTES + 1)
    return signing_service.sign_transcript(
        engine, config, who, school, name, field=field, pkcs12=data, passphrase=passphrase
    )
