"""The school's transcripts page (``transcripts.html``): each issued transcript with the state of
its signatures, and a form to sign a field with an uploaded certificate file. It calls the same
``signing_service`` functions as the JSON API."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from doisoat.errors import BadRequest, FileFormatError, PermissionDenied, StateConflict
from service import transcripts as signing_service
from service.api import auth, messages
from service.api.deps import SESSION_COOKIE, EngineDep, FilesDep, status_of
from service.api.pages import PageUser, templates

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    config: Any,
    who: auth.Principal,
    school: str,
    *,
    status: int = 200,
    just_signed: tuple[str, str] = ("", ""),
    error: str = "",
) -> Response:
    items = signing_service.list_transcripts(config, who, school)
    notice = ""
    for item in items:
        for f in item["fields"]:
            if (item["name"], f["field"]) == just_signed and f["signed"]:
                notice = messages.LABELS["sign_done"].format(label=f["label"], name=item["name"])
    token = request.cookies.get(SESSION_COOKIE, "")
    ctx = {
        "who": who,
        "csrf": auth.csrf_token(token) if token else "",
        "school": school,
        "items": items,
        "notice": notice,
        "error": error,
    }
    return templates.TemplateResponse(request, "transcripts.html", ctx, status_code=status)


@router.get("/schools/{school}/transcripts", response_class=HTMLResponse)
def transcripts(
    request: Request,
    school: str,
    who: PageUser,
    config: FilesDep,
    signed: str = "",
    field: str = "",
) -> Response:
    """``signed``/``field`` name what was just signed: the confirmation is built from the
    transcript's own state, never from text in the link."""
    return _page(request, config, who, school, just_signed=(signed, field))


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
    if not auth.check_csrf(request.cookies.get(SESSION_COOKIE, ""), csrf):
        raise PermissionDenied("stale form", message_vi=messages.error("csrf"))
    data = pkcs12.file.read(signing_service.MAX_PKCS12_BYTES + 1)
    try:
        result = signing_service.sign_transcript(
            engine, config, who, school, name, field=field, pkcs12=data, passphrase=passphrase
        )
    except (BadRequest, FileFormatError, StateConflict) as exc:
        # wrong passphrase, out of order: said on the list itself, with the error's status
        return _page(request, config, who, school, status=status_of(exc), error=exc.message_vi)
    done = f"signed={quote(result['name'])}&field={quote(result['signed_field'])}"
    return RedirectResponse(f"/schools/{quote(school)}/transcripts?{done}", status_code=303)
