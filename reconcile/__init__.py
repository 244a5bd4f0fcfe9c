"""Record linkage: a generic Fellegi–Sunter engine, the student profile, and conflict rules.

``link(left, right, profile)`` and ``dedupe(table, profile)`` take polars or pandas frames and a
declarative :class:`Profile`; they return a :class:`LinkResult` (``.pairs``, ``.clusters``,
``.explain(id)``). ``student_profile()`` is the profile for canonical student records.
"""

from reconcile.engine import dedupe, link
from reconcile.increment import Increment
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
from reconcile.student import registry_profile, student_profile

__all__ = [
    "Increment",
    "BlockingRule",
    "Comparison",
    "LinkResult",
    "Model",
    "Profile",
    "block_on",
    "compile_profile",
    "custom",
    "date",
    "dedupe",
    "exact",
    "link",
    "name",
    "registry_profile",
    "string",
    "student_profile",
]
