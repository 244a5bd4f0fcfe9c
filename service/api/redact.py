"""What a school user may read of a conflict that involves another school: the API's door to the
one rule, :mod:`reports.withhold`.

The rule lives in ``reports`` (an organ the service may import, and where the Excel worklist
and the CSV apply it): the pages, the JSON API, the Excel file and the CSV therefore hide and
show the same fields. This module only adapts it to the shapes the service hands around: the
records the principal can see (``visible``) and those it cannot (``hidden``), split by
:meth:`service.api.auth.Principal.can_see`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reports import KEPT_FIELDS, other_school_codes, withhold

__all__ = ["KEPT_FIELDS", "other_schools", "redact"]


def redact(
    out: dict[str, Any],
    hidden: list[dict[str, Any]],
    visible: list[dict[str, Any]],
    *,
    visible_ids: Iterable[str] = (),
) -> dict[str, Any]:
    """``out`` (a conflict of the viewer's school) with the other schools' details withheld from
    its text, evidence and record ids; ``hidden_records`` says how many records were left out.
    ``visible_ids`` are record ids the viewer may read although their records were not loaded."""
    shown = {str(i) for i in visible_ids}
    kept = [{"record_id": i} for i in shown - {str(r.get("record_id")) for r in visible}]
    return withhold(out, hidden, [*visible, *kept])


def other_schools(out: dict[str, Any], hidden: list[dict[str, Any]], own: str | None) -> list[str]:
    """The codes of the other schools a conflict names (its hidden records', and the schools its
    evidence names: where a student went, where they came from), the viewer's own left out."""
    return other_school_codes(out, hidden, own)
