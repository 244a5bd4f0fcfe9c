"""The one Vietnamese glossary every output a person reads takes its words from.

Why one home: the report, the Excel worklists, the CSV, the web pages and the CLI each used to
name the same thing their own way (``studying`` here, «Đang học» there, ``conflict.new`` on the
audit page, ``M``/``F`` in the comparison table). A school administrator should read the same
words wherever they look, so every reader asks :func:`label` and the ``fmt_*`` helpers; data for
programs (JSON, the API, Parquet) keeps its codes and never passes through here.

Nothing here raises on an unknown code: a label missing is a wording bug, not a reason to hide a
page. The tests check that every code the system emits has a label, so the fallback (the code
itself) is only a safety net.

The conflict types, severities and statuses keep their home in :mod:`doisoat.conflict_types`
and the subjects theirs in :mod:`doisoat.vn.subjects`; this module only routes to them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from doisoat.conflict_types import (
    FAMILY_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
)
from doisoat.glossary_words import (
    AUDIT_ENTITY_LABELS,
    AUDIT_EVENT_LABELS,
    COMPARISON_LABELS,
    COMPARISON_LEVEL_LABELS,
    ENROLLMENT_STATUS_LABELS,
    FIELD_LABELS,
    LINK_DECISION_LABELS,
    MATCH_DECISION_LABELS,
    PERSONAL_ID_PROBLEM_LABELS,
    RATING_LABELS,
    ROLE_LABELS,
    RULES_LABELS,
    RUN_STATUS_LABELS,
    SEX_LABELS,
    SOURCE_LABELS,
    TERM_LABELS,
)
from doisoat.vn.subjects import SUBJECTS

EMPTY = "—"
"""What a person reads where there is no value."""

VN_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")
"""Vietnam time (no daylight saving); every time a person reads is in it."""

_KINDS: dict[str, Mapping[str, str]] = {
    "conflict_type": TYPE_LABELS,
    "status": STATUS_LABELS,
    "severity": SEVERITY_LABELS,
    "family": FAMILY_LABELS,
    "field": FIELD_LABELS,
    "source": SOURCE_LABELS,
    "vendor": SOURCE_LABELS,
    "enrollment_status": ENROLLMENT_STATUS_LABELS,
    "sex": SEX_LABELS,
    "gender": SEX_LABELS,
    "audit_event": AUDIT_EVENT_LABELS,
    "audit_entity": AUDIT_ENTITY_LABELS,
    "run_status": RUN_STATUS_LABELS,
    "subject": {code: s.name_vi for code, s in SUBJECTS.items()},
    "term": TERM_LABELS,
    "link_decision": LINK_DECISION_LABELS,
    "role": ROLE_LABELS,
    "rules": RULES_LABELS,
    "rating": RATING_LABELS,
    "personal_id_problem": PERSONAL_ID_PROBLEM_LABELS,
    "comparison": COMPARISON_LABELS,
    "comparison_level": COMPARISON_LEVEL_LABELS,
    "match_decision": MATCH_DECISION_LABELS,
}
KINDS: tuple[str, ...] = tuple(_KINDS)


def labels(kind: str) -> Mapping[str, str]:
    """Every label of one kind (code → words); empty for a kind no one has listed."""
    return _KINDS.get(kind, {})


def label(kind: str, code: str | None) -> str:
    """The Vietnamese words for ``code`` of ``kind``; the code itself when none is listed, and
    «—» for no code at all. Never raises: a missing label is a wording bug, not an outage."""
    if code is None or code == "":
        return EMPTY
    text = str(code)
    return _KINDS.get(kind, {}).get(text, text)


_THRESHOLD_LEVEL = re.compile(r"^(levenshtein<=|jaro_winkler>=)([\d.]+)$")


def level_label(comparison: str, level: str | None) -> str:
    """The words for the level a pair reached on one comparison of the linkage engine: «Trùng
    khớp», «Khác tối đa 1 ký tự», «Gần giống (Jaro-Winkler ≥ 0,9)»."""
    if level is None or level == "":
        return EMPTY
    words = COMPARISON_LEVEL_LABELS.get(f"{comparison}.{level}") or COMPARISON_LEVEL_LABELS.get(
        str(level)
    )
    if words:
        return words
    match = _THRESHOLD_LEVEL.match(str(level))
    if match and match.group(1) == "levenshtein<=":
        return f"Khác tối đa {match.group(2)} ký tự"
    if match:
        return f"Gần giống (Jaro-Winkler ≥ {match.group(2).replace('.', ',')})"
    return str(level)


# -- values --------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _as_datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATETIME.match(value.strip()):
        try:
            return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def fmt_date(value: Any) -> str:
    """dd/mm/yyyy for a date, a datetime (its date as written) or an ISO string; «—» for none;
    any other text is returned as it is (a date that could not be read is shown, not hidden)."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    text = str(value).strip()
    match = _ISO_DATE.match(text)
    if match:
        return f"{match.group(3)}/{match.group(2)}/{match.group(1)}"
    moment = _as_datetime(text)
    if moment is not None:
        return moment.strftime("%d/%m/%Y")
    return text


def fmt_datetime_vn(value: Any) -> str:
    """«dd/mm/yyyy HH:MM» in Vietnam time. A naive datetime is taken as UTC (the store writes
    UTC); a plain date has no time and reads as its date."""
    if value is None or value == "":
        return EMPTY
    moment = _as_datetime(value)
    if moment is None:
        return fmt_date(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")


def fmt_decimal(x: Any, digits: int = 1) -> str:
    """A number with a decimal comma, rounded half up as report cards round: 7 → «7,0»;
    «—» for none; text that is not a number is returned as it is."""
    if x is None or x == "" or isinstance(x, bool):
        return EMPTY if x is None or x == "" else str(x)
    try:
        number = Decimal(str(x).replace(",", "."))
    except InvalidOperation:
        return str(x)
    if not number.is_finite():
        return str(x)
    quantum = Decimal(1).scaleb(-digits) if digits > 0 else Decimal(1)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
    # Vietnamese writes 1.234,5: swap the separators Python writes as 1,234.5
    text = f"{rounded:,.{max(digits, 0)}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


PROBABILITY_WORDS: tuple[tuple[float, str], ...] = (
    (0.999, "gần như chắc chắn"),
    (0.95, "rất có thể"),
    (0.8, "có thể"),
    (0.5, "chưa chắc chắn"),
    (0.0, "khó có khả năng"),
)
"""The words scale for a match probability, highest threshold first."""


def probability_words(p: float) -> str:
    for threshold, words in PROBABILITY_WORDS:
        if p >= threshold:
            return words
    return PROBABILITY_WORDS[-1][1]


def fmt_probability(p: Any) -> str:
    """«99,98 % (gần như chắc chắn)». Two decimals, but never rounded up to a certainty the
    model did not give: 0.99999 reads 99,99 %, not 100,00 %."""
    if p is None or p == "":
        return EMPTY
    try:
        value = float(p)
    except (TypeError, ValueError):
        return str(p)
    value = min(max(value, 0.0), 1.0)
    percent = Decimal(str(value * 100)).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    return f"{str(percent).replace('.', ',')} % ({probability_words(value)})"


# -- evidence ------------------------------------------------------------------------------------

_VALUE_KIND: dict[str, str] = {
    "source": "source",
    "vendor": "source",
    "gender": "sex",
    "sex": "sex",
    "status": "enrollment_status",
    "enrollment_status": "enrollment_status",
    "subject": "subject",
    "term": "term",
    "type": "conflict_type",
    "severity": "severity",
    "field": "field",
    "fields": "field",
    "changed": "field",
    "missing": "field",
    "rules": "rules",
    "rating": "rating",
    "academic": "rating",
    "conduct": "rating",
    "term1_conduct": "rating",
    "term2_conduct": "rating",
    "term2_rating": "rating",
    "kind": "personal_id_problem",
}
_DATE_KEYS = frozenset(
    {"dob", "status_date", "last_sync", "deadline", "term_end", "before_night", "after_night",
     "night", "first_seen", "last_seen", "resolved_on"}
)  # fmt: skip


_SCORE_KEYS = frozenset({"regular_scores", "midterm", "final", "average"})


def fmt_value(key: str, value: Any) -> str:
    """One evidence value as a person reads it, given the field it belongs to."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if key == "match_probability":
        return fmt_probability(value)
    if key in _DATE_KEYS:
        return fmt_date(value)
    if isinstance(value, list | tuple):
        # "; " between items: a comma is already the decimal mark (7,0; 8,5)
        return "; ".join(fmt_value(key, v) for v in value) or EMPTY
    if isinstance(value, dict):
        return "; ".join(f"{label('field', k)}: {fmt_value(k, v)}" for k, v in value.items())
    if isinstance(value, str) and _ISO_DATE.match(value):
        return fmt_date(value)
    if key in _VALUE_KIND and isinstance(value, str):
        return label(_VALUE_KIND[key], value)
    if isinstance(value, float):
        # a score keeps at least one decimal (7,0) and never loses one it has (7,25)
        digits = 1 if round(value, 1) == value else 2
        return fmt_decimal(value, digits)
    if key in _SCORE_KEYS and isinstance(value, int):
        return fmt_decimal(value, 1)  # a score of 7 reads 7,0
    if isinstance(value, str):
        if _ISO_DATE.match(value):
            return fmt_date(value)
    return str(value)


def _parse(evidence: Any) -> Any:
    if isinstance(evidence, str):
        try:
            return json.loads(evidence) if evidence.strip() else {}
        except ValueError:
            return evidence
    return evidence if evidence is not None else {}


_SIDE_KEYS = frozenset(
    {"vendor", "registry", "exported", "expected", "recomputed", "before", "after", "value",
     "sending", "receiving", "old", "new"}
)  # fmt: skip
"""Keys that name a side of a comparison: their values are of the field the parent names
(``{"gender": {"vendor": "M", "registry": "F"}}`` reads Nam / Nữ)."""


def evidence_rows(evidence: Any, prefix: str = "", parent: str = "") -> list[tuple[str, str]]:
    """A conflict's evidence as (label, value) rows: nested mappings (a grade's subject result,
    the registry match) become rows of their own whose label names the parent, lists of
    mappings (the holders of a code) one row per item. Accepts the stored JSON text too."""
    data = _parse(evidence)
    if not isinstance(data, Mapping):
        return [(prefix or label("field", "evidence"), fmt_value("", data))]
    rows: list[tuple[str, str]] = []
    # a grade result's sides («exported», «recomputed») are of the field the evidence names
    subject_of = str(data.get("field") or parent)
    key_kind = "term" if parent == "term_averages" else "field"
    for key, value in data.items():
        name = label(key_kind, str(key))
        title = f"{prefix} › {name}" if prefix else name
        value_key = subject_of if str(key) in _SIDE_KEYS and subject_of else str(key)
        if isinstance(value, Mapping) and value:
            rows.extend(evidence_rows(value, title, str(key)))
        elif (
            isinstance(value, list | tuple) and value and all(isinstance(v, Mapping) for v in value)
        ):
            for index, item in enumerate(value, start=1):
                rows.extend(evidence_rows(item, f"{title} {index}"))
        else:
            rows.append((title, fmt_value(value_key, value)))
    return rows


__all__ = [
    "AUDIT_ENTITY_LABELS",
    "AUDIT_EVENT_LABELS",
    "EMPTY",
    "ENROLLMENT_STATUS_LABELS",
    "FIELD_LABELS",
    "KINDS",
    "LINK_DECISION_LABELS",
    "PERSONAL_ID_PROBLEM_LABELS",
    "ROLE_LABELS",
    "PROBABILITY_WORDS",
    "RATING_LABELS",
    "RULES_LABELS",
    "RUN_STATUS_LABELS",
    "SEX_LABELS",
    "SOURCE_LABELS",
    "TERM_LABELS",
    "VN_TZ",
    "evidence_rows",
    "fmt_date",
    "fmt_datetime_vn",
    "fmt_decimal",
    "fmt_probability",
    "fmt_value",
    "label",
    "labels",
    "level_label",
    "probability_words",
]
