"""The HTTP API and the web pages: roles, school scoping and the append-only audit trail.

* :func:`create_app` — the FastAPI application over a store (``doisoat serve`` runs it).
* :func:`add_user`, :func:`issue_token`, :func:`authenticate` — accounts and tokens.
* :func:`install_audit_guard` — database triggers that refuse changes to ``audit_event``.
"""

from service.api.app import create_app
from service.api.audit import AuditAppendOnlyError
from service.api.audit import install_guard as install_audit_guard
from service.api.auth import ROLES, Principal, add_user, authenticate, issue_token

__all__ = [
    "ROLES",
    "AuditAppendOnlyError",
    "Principal",
    "add_user",
    "authenticate",
    "create_app",
    "install_audit_guard",
    "issue_token",
]
