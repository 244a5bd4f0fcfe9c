"""Record linkage: a generic Fellegi–Sunter engine, the student profile, and conflict rules.

``link(left, right, profile)`` and ``dedupe(table, profile)`` take polars or pandas frames and a
declarative :class:`Profile`; they return a :class:`LinkResult` (``.pairs``, ``.clusters``,
``.explain(id)``). ``student_profile()`` is the profile for canonical student records.
"""

from reconcile.conflicts import CONFLICT_COLUMNS, identity_conflicts
from reconcile.conflicts.grades import grade_conflicts
from reconcile.conflicts.locked import GradeSnapshot, locked_period_edits
from reconcile.conflicts.sync import last_sync_by_school, sync_overdue
from reconcile.conflicts.transfers import transfer_conflicts
from reconcile.decisions import confirm, schools_of, separate, undo_link
from reconcile.decisions import decisions as list_decisions
from reconcile.engine import dedupe, link
from reconcile.increment import Increment
from reconcile.lifecycle import acknowledge, merge_night
from reconcile.messages import DECISIONS_VI
from reconcile.night_state import previous_night
from reconcile.profile import (
    BlockingRule,
    Comparison,
    Profile,
    block_on,
    compile_profile,
    custom,
    date,
    exact,
    name,
    string,
)
from reconcile.result import LinkResult
from reconcile.scoring import Model
from reconcile.service import (
    explain_record,
    human_decisions,
    identity_night,
    latest_records,
    person_identities,
    run_reconcile,
    write_identity_night,
)
from reconcile.student import registry_profile, student_profile, with_keys

__all__ = [
    "CONFLICT_COLUMNS",
    "DECISIONS_VI",
    "BlockingRule",
    "Comparison",
    "GradeSnapshot",
    "Increment",
    "LinkResult",
    "Model",
    "Profile",
    "acknowledge",
    "block_on",
    "compile_profile",
    "confirm",
    "custom",
    "date",
    "dedupe",
    "exact",
    "explain_record",
    "grade_conflicts",
    "human_decisions",
    "identity_conflicts",
    "identity_night",
    "last_sync_by_school",
    "latest_records",
    "link",
    "list_decisions",
    "locked_period_edits",
    "merge_night",
    "name",
    "person_identities",
    "previous_night",
    "registry_profile",
    "run_reconcile",
    "schools_of",
    "separate",
    "string",
    "student_profile",
    "sync_overdue",
    "transfer_conflicts",
    "undo_link",
    "with_keys",
    "write_identity_night",
]
