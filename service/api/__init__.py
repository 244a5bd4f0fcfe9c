"""The HTTP API and the web pages: roles, school scoping and the append-only audit trail.

* :func:`create_app` — the FastAPI application over a store (``doisoat serve`` runs it).
* :func:`add_user`, :func:`issue_token`, :func:`authenticate` — accounts and tokens.
"""

from service.api.app import create_app
from service.api.audit import AuditAppendOnlyError
from service.api.auth import ROLES, Principal, add_user, authenticate, issue_token

__all__ = [
    "ROLES",
    "AuditAppendOnlyError",
    "Principal",
    "add_user",
    "authenticate",
    "create_app",
    "issue_token",
]
