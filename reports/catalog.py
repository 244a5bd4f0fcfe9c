"""How conflicts are grouped and ordered for readers: families, severities, statuses.

The conflict types themselves (family, severity, label) and the lifecycle statuses live once, on
the ground floor (``doisoat.conflict_types``, ``doisoat.model``); this module only adds what is the
report's own (which family sheets every worklist has). A type no one registered (a rule added
later in reconcile/) still shows, in the family ``other``.
"""

from __future__ import annotations

import datetime as dt

from doisoat import conflict_types as registry
from doisoat.conflict_types import (
    FAMILY_ORDER,
    OPEN_CONFLICT_STATUSES,
    SEVERITY_ORDER,
    family_of,
    severity_rank,
    type_rank,
)

# The four families every worklist has a sheet for, even when empty; the others only when used.
WORKLIST_FAMILIES: tuple[str, ...] = ("identity", "duplicates", "transfers", "grades")

TYPE_FAMILY: dict[str, str] = {code: t.family for code, t in registry.CONFLICT_TYPES.items()}

CONFLICT_TYPES: tuple[str, ...] = tuple(registry.CONFLICT_TYPES)

OPEN_STATUSES: tuple[str, ...] = OPEN_CONFLICT_STATUSES
"""Open = still to fix: acknowledged ones included (answered, not gone), as on the web worklist."""

__all__ = [
    "CONFLICT_TYPES",
    "FAMILY_ORDER",
    "OPEN_STATUSES",
    "SEVERITY_ORDER",
    "TYPE_FAMILY",
    "WORKLIST_FAMILIES",
    "family_of",
    "severity_rank",
    "type_rank",
    "vn_date",
]


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
