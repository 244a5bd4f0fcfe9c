"""The conflict page's "same student / not the same student" form (``_link_form.html``): it posts
here, the decision goes through ``link_service`` like the API's, and the browser goes back to the
conflict with a Vietnamese confirmation."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from doisoat.errors import PermissionDenied
from service.api import auth, link_service, messages, pages, services
from service.api.deps import SESSION_COOKIE, EngineDep
from service.api.pages import PageUser

router = APIRouter(include_in_schema=False)

# Conflicts about who a student is, where a person's word on two records settles the question.
IDENTITY_CONFLICTS = frozenset({
    "ID_MISMATCH", "ID_DUPLICATE", "ID_SHARED", "DEMOGRAPHIC_DRIFT",
    "PERSONAL_ID_INCONSISTENT", "TRANSFER_CODE_CHANGED",
})  # fmt: skip

# What _link_form.html needs (it is rendered by pages.py's conflict page): its strings, the
# conflict types it appears on, and who sees it.
pages.templates.env.globals.update(
    LINK=messages.LINK, LINK_CONFLICTS=IDENTITY_CONFLICTS, LINK_ROLES=link_service.DECIDERS
)


@router.post("/links")
def decide(
    request: Request,
    who: PageUser,
    engine: EngineDep,
    conflict_id: Annotated[str, Form(pattern=link_service.ID_PATTERN)],
    left: Annotated[str, Form(pattern=link_service.ID_PATTERN)],
    right: Annotated[str, Form(pattern=link_service.ID_PATTERN)],
    decision: Annotated[str, Form(max_length=20)],
    reason: Annotated[str, Form(max_length=2000, pattern=link_service.REASON_PATTERN)] = "",
    csrf: Annotated[str, Form()] = "",
):
    if not auth.check_csrf(request.cookies.get(SESSION_COOKIE, ""), csrf):
        raise PermissionDenied("stale form", message_vi=messages.error("csrf"))
    services.get_conflict(engine, who, conflict_id)  # the page we go back to is one they may see
    link_service.decide(engine, who, left, right, decision, reason)
    target = f"/conflicts/{quote(conflict_id, safe='')}?link={quote(decision)}#link-done"
    return RedirectResponse(target, status_code=303)
