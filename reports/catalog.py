"""How conflicts are grouped and ordered for readers: families, severities, statuses.

Declarative tables only; the report and worklist builders read them. A type no one listed here
(a rule added later in reconcile/) still shows, in the family ``other``.
"""

from __future__ import annotations

import datetime as dt

SEVERITY_ORDER: tuple[str, ...] = ("critical", "high", "medium", "low")

FAMILY_ORDER: tuple[str, ...] = ("identity", "duplicates", "transfers", "grades", "sync", "other")

# The four families every worklist has a sheet for, even when empty; the others only when used.
WORKLIST_FAMILIES: tuple[str, ...] = ("identity", "duplicates", "transfers", "grades")

TYPE_FAMILY: dict[str, str] = {
    "ID_MISSING": "identity",
    "ID_INVALID": "identity",
    "ID_NOT_IN_REGISTRY": "identity",
    "ID_MISMATCH": "identity",
    "UNREGISTERED": "identity",
    "DEMOGRAPHIC_DRIFT": "identity",
    "PERSONAL_ID_INCONSISTENT": "identity",
    "ID_DUPLICATE": "duplicates",
    "ID_SHARED": "duplicates",
    "TRANSFER_UNRECEIVED": "transfers",
    "DUAL_ENROLLMENT": "transfers",
    "TRANSFER_CODE_CHANGED": "transfers",
    "TRANSFER_RECORD_MISMATCH": "transfers",
    "GRADE_AVERAGE_MISMATCH": "grades",
    "LOCKED_PERIOD_EDITED": "grades",
    "SYNC_OVERDUE": "sync",
}

CONFLICT_TYPES: tuple[str, ...] = tuple(TYPE_FAMILY)

OPEN_STATUSES: tuple[str, ...] = ("new", "persisting", "reopened")


def family_of(conflict_type: str) -> str:
    return TYPE_FAMILY.get(conflict_type, "other")


def severity_rank(severity: str | None) -> int:
    """0 for the most severe; unknown severities sort last."""
    try:
        return SEVERITY_ORDER.index(severity or "")
    except ValueError:
        return len(SEVERITY_ORDER)


def type_rank(conflict_type: str) -> int:
    try:
        return CONFLICT_TYPES.index(conflict_type)
    except ValueError:
        return len(CONFLICT_TYPES)


def vn_date(value: dt.date | str | None) -> str:
    """dd/mm/yyyy, as every Vietnamese office writes dates; '' for nothing."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value.strftime("%d/%m/%Y")
