"""The signing workflow's pages: the school's transcripts by class (sign one field, or all of
one's fields of a class at once), the account's signing certificate, and the public
verification page a receiving school uses without an account. They call the same service
functions as the JSON API (``service.transcripts``, ``service.certificates``,
``service.verification``)."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from doisoat.errors import (
    BadRequest,
    FileFormatError,
    NotFound,
    PermissionDenied,
    StateConflict,
)
from service import certificates, class_signing, verification
from service import transcripts as signing_service
from service.api import auth, messages
from service.api.deps import SESSION_COOKIE, EngineDep, FilesDep, client_address, status_of
from service.api.pages import PageUser, templates

router = APIRouter(include_in_schema=False)
_REFUSALS = (BadRequest, FileFormatError, StateConflict, PermissionDenied, NotFound)


def _csrf(request: Request) -> str:
    token = request.cookies.get(SESSION_COOKIE, "")
    return auth.csrf_token(token) if token else ""


def _check_csrf(request: Request, given: str) -> None:
    if not auth.check_csrf(request.cookies.get(SESSION_COOKIE, ""), given):
        raise PermissionDenied("stale form", message_vi=messages.error("csrf"))


def _by_class(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Transcripts grouped by class, with the count of the caller's fields signed / to sign."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        groups[item.get("class_name", "")].append(item)
    out = []
    for class_name in sorted(groups):
        members = sorted(groups[class_name], key=lambda i: (i.get("student_name", ""), i["name"]))
        mine = [f for i in members for f in i["fields"] if f["yours"]]
        labels = list(dict.fromkeys(f["label"] for f in mine if not f["signed"]))
        out.append(
            {
                "class_name": class_name,
                "transcripts": members,
                "mine_signed": sum(f["signed"] for f in mine),
                "mine_total": len(mine),
                "open_fields": [
                    {"label": label,
                     "field": next(f["field"] for f in mine if f["label"] == label)}
                    for label in labels
                ],  # fmt: skip
            }
        )
    return out


def _page(
    request: Request,
    engine: Any,
    config: Any,
    who: auth.Principal,
    school: str,
    *,
    status: int = 200,
    just_signed: tuple[str, str] = ("", ""),
    notice: str = "",
    error: str = "",
    job_id: str = "",
) -> Response:
    items = signing_service.list_transcripts(config, who, school, engine)
    job = None
    if job_id:
        try:
            job = class_signing.job_status(config, who, job_id)
        except NotFound:
            job = None  # an old or foreign link: the list alone
    for item in items:
        for f in item["fields"]:
            if (item["name"], f["field"]) == just_signed and f["signed"]:
                notice = messages.LABELS["sign_done"].format(label=f["label"], name=item["name"])
    ctx = {
        "who": who,
        "csrf": _csrf(request),
        "school": school,
        "classes": _by_class(items),
        "items": items,
        "notice": notice,
        "error": error,
        "registered": [c for c in certificates.of_account(engine, who.username)
                       if c["revoked_at"] is None],  # fmt: skip
        "job": job,
    }
    return templates.TemplateResponse(request, "transcripts.html", ctx, status_code=status)


@router.get("/schools/{school}/transcripts", response_class=HTMLResponse)
def transcripts(
    request: Request,
    school: str,
    who: PageUser,
    engine: EngineDep,
    config: FilesDep,
    signed: str = "",
    field: str = "",
    job: str = "",
) -> Response:
    """``signed``/``field`` name what was just signed: the confirmation is built from the
    transcript's own state, never from text in the link. ``job``: a class being signed (its
    progress, then its results; the caller's own jobs only)."""
    return _page(request, engine, config, who, school, just_signed=(signed, field), job_id=job)


@router.post("/schools/{school}/transcripts/{name}/sign")
def sign(
    request: Request,
    school: str,
    name: str,
    who: PageUser,
    engine: EngineDep,
    config: FilesDep,
    field: Annotated[str, Form(max_length=64)],
    pkcs12: Annotated[UploadFile, File()],
    passphrase: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    _check_csrf(request, csrf)
    data = pkcs12.file.read(signing_service.MAX_PKCS12_BYTES + 1)
    try:
        result = signing_service.sign_transcript(
            engine, config, who, school, name, field=field, pkcs12=data, passphrase=passphrase
        )
    except _REFUSALS as exc:
        # wrong passphrase, out of order, a certificate not yours: said on the list itself
        return _page(
            request, engine, config, who, school, status=status_of(exc), error=exc.message_vi
        )
    done = f"signed={quote(result['name'])}&field={quote(result['signed_field'])}"
    return RedirectResponse(f"/schools/{quote(school)}/transcripts?{done}", status_code=303)


@router.post("/schools/{school}/classes/{class_name}/sign")
def sign_class(
    request: Request,
    school: str,
    class_name: str,
    who: PageUser,
    engine: EngineDep,
    config: FilesDep,
    pkcs12: Annotated[UploadFile, File()],
    passphrase: Annotated[str, Form(max_length=200)] = "",
    field: Annotated[str, Form(max_length=64)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """All the caller's fields of a class with one upload, as a job: refusals are said on the
    list at once; otherwise the list opens with the job's progress (``?job=``), which
    ``static/signing-job.js`` refreshes every second until the results are shown."""
    _check_csrf(request, csrf)
    data = pkcs12.file.read(signing_service.MAX_PKCS12_BYTES + 1)
    try:
        job = class_signing.start_job(
            engine, config, who, school, class_name,
            pkcs12=data, passphrase=passphrase, field=field,
        )  # fmt: skip
    except _REFUSALS as exc:
        return _page(
            request, engine, config, who, school, status=status_of(exc), error=exc.message_vi
        )
    return RedirectResponse(
        f"/schools/{quote(school)}/transcripts?job={job['id']}#job", status_code=303
    )


# -- the account's signing certificate ---------------------------------------------------------


def _cert_page(
    request: Request, engine: Any, who: auth.Principal, *, status: int = 200, **extra: str
) -> Response:
    school_certs = None
    if who.school_code and who.role in certificates.REVOKERS:
        school_certs = certificates.of_school(engine, who, who.school_code)
    ctx = {
        "who": who,
        "csrf": _csrf(request),
        "registered": certificates.of_account(engine, who.username),
        "school_certificates": school_certs,
        "notice": extra.get("notice", ""),
        "error": extra.get("error", ""),
    }
    return templates.TemplateResponse(request, "certificates.html", ctx, status_code=status)


@router.get("/account/certificates", response_class=HTMLResponse)
def my_certificates(request: Request, who: PageUser, engine: EngineDep) -> Response:
    return _cert_page(request, engine, who)


@router.post("/account/certificates")
def register_certificate(
    request: Request,
    who: PageUser,
    engine: EngineDep,
    certificate: Annotated[UploadFile, File()],
    passphrase: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    _check_csrf(request, csrf)
    data = certificate.file.read(certificates.MAX_CERTIFICATE_BYTES + 1)
    try:
        info = certificates.register(engine, who, data, passphrase=passphrase)
    except _REFUSALS as exc:
        return _cert_page(request, engine, who, status=status_of(exc), error=exc.message_vi)
    notice = messages.LABELS["cert_registered"].format(subject=info["subject"])
    return _cert_page(request, engine, who, notice=notice)


@router.post("/account/certificates/{fingerprint}/revoke")
def revoke_certificate(
    request: Request,
    fingerprint: str,
    who: PageUser,
    engine: EngineDep,
    reason: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Remove one's own certificate, or revoke a teacher's of one's school, with a reason."""
    _check_csrf(request, csrf)
    try:
        row = certificates.revoke(engine, who, fingerprint[:64], reason=reason)
    except _REFUSALS as exc:
        return _cert_page(request, engine, who, status=status_of(exc), error=exc.message_vi)
    how = "how_removed" if row["username"] == who.username else "how_revoked"
    notice = messages.LABELS["cert_removed"].format(
        how=messages.LABELS[how], subject=row["subject"]
    )
    return _cert_page(request, engine, who, notice=notice)


# -- public verification ---------------------------------------------------------------------


def _throttle(request: Request) -> verification.VerifyThrottle:
    state = request.app.state
    if not hasattr(state, "verify_throttle"):
        state.verify_throttle = verification.VerifyThrottle()
    return state.verify_throttle


def _verify_page(request: Request, *, status: int = 200, **ctx: Any) -> Response:
    base = {"who": None, "csrf": "", "result": None, "error": "", "number": "", "sha256": ""}
    return templates.TemplateResponse(request, "verify.html", base | ctx, status_code=status)


@router.get("/verify", response_class=HTMLResponse)
def verify_form(
    request: Request, config: FilesDep, number: str = "", sha256: str = "", qr: str = ""
) -> Response:
    """Public: no login. A link that carries ``number`` and ``sha256`` (or the QR text ``qr``)
    is verified at once, so a QR code holding such a link opens the verdict."""
    number, sha256, qr = number[:40], sha256[:80], qr[:200]
    if not (qr or (number and sha256)):
        return _verify_page(request, number=number, sha256=sha256)
    _throttle(request).check(client_address(request))
    return _by_reference(request, config, number, sha256, qr)


def _by_reference(request: Request, config: Any, number: str, sha256: str, qr: str) -> Response:
    trust = config.transcripts_dir.parent / "trust"
    try:
        found, digest = verification.parse_reference(number, sha256, qr)
        result = verification.verify_reference(config.transcripts_dir, trust, found, digest)
    except (BadRequest, NotFound) as exc:
        return _verify_page(
            request, status=status_of(exc), error=exc.message_vi, number=number, sha256=sha256
        )
    return _verify_page(request, result=result, number=number, sha256=sha256)


@router.post("/verify", response_class=HTMLResponse)
def verify(
    request: Request,
    config: FilesDep,
    pdf: Annotated[UploadFile | None, File()] = None,
    number: Annotated[str, Form(max_length=40)] = "",
    sha256: Annotated[str, Form(max_length=80)] = "",
    qr: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    _throttle(request).check(client_address(request))
    data = pdf.file.read(verification.MAX_PDF_BYTES + 1) if pdf is not None else b""
    if not data:
        return _by_reference(request, config, number, sha256, qr)
    trust = config.transcripts_dir.parent / "trust"
    try:
        result = verification.verify_pdf_bytes(data, trust_dir=trust, file_name="upload.pdf")
    except BadRequest as exc:
        return _verify_page(request, status=status_of(exc), error=exc.message_vi)
    return _verify_page(request, result=result)
