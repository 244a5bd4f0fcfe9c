"""Conflict rules over linkage results (identity conflicts; other families join here)."""

from reconcile.conflicts.base import CONFLICT_COLUMNS, conflict_id
from reconcile.conflicts.identity import identity_conflicts

__all__ = ["CONFLICT_COLUMNS", "conflict_id", "identity_conflicts"]
