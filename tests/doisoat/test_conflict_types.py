"""The conflict registry names every type the rules can raise, and its tables agree."""

from __future__ import annotations

import ast
from pathlib import Path

from doisoat import conflict_types as registry
from doisoat.model import CONFLICT_STATUSES, OPEN_CONFLICT_STATUSES

RULES = Path(__file__).resolve().parents[2] / "reconcile" / "conflicts"
# How a rule makes a conflict: its first argument is the type's code.
MAKERS = {"conflict", "conflict_id", "_row"}


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level ``NAME = "TEXT"`` and ``A, B = "X", "Y"``."""
    out: dict[str, str] = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if isinstance(target, ast.Name) and isinstance(node.value, ast.Constant):
                out[target.id] = node.value.value
            elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                for name, value in zip(target.elts, node.value.elts, strict=True):
                    if isinstance(name, ast.Name) and isinstance(value, ast.Constant):
                        out[name.id] = value.value
    return out


def _emitted_types() -> dict[str, str]:
    """Every type code a rule module passes to a conflict maker, or writes as a row's ``type``
    (code → the file it was found in)."""
    found: dict[str, str] = {}
    for path in sorted(RULES.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _constants(tree)

        def code(node: ast.expr, path: Path = path, names: dict[str, str] = names) -> None:
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found[node.value] = path.name
            elif isinstance(node, ast.Name) and node.id in names:
                found[names[node.id]] = path.name

        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args:
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name in MAKERS:
                    code(node.args[0])
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "type":
                        code(value)
    return found


def test_every_type_a_rule_can_raise_has_an_entry():
    emitted = _emitted_types()
    # The scan must see every family, or it proves nothing.
    assert {"ID_MISMATCH", "DUAL_ENROLLMENT", "GRADE_ASSESSMENTS_MISSING", "SYNC_OVERDUE",
            "LOCKED_PERIOD_EDITED", "PERSONAL_ID_INCONSISTENT"} <= set(emitted)  # fmt: skip
    known = registry.CONFLICT_TYPES
    missing = {code: where for code, where in emitted.items() if code not in known}
    assert not missing, f"types raised by a rule but not in doisoat.conflict_types: {missing}"


def test_every_entry_is_complete_and_consistent():
    for code, entry in registry.CONFLICT_TYPES.items():
        assert entry.code == code
        assert entry.severity in registry.SEVERITY_ORDER, code
        assert entry.family in registry.FAMILY_ORDER, code
        assert entry.label_vi and entry.label_vi != code, code
        assert entry.description_vi, code
    labels = [e.label_vi for e in registry.CONFLICT_TYPES.values()]
    assert len(set(labels)) == len(labels), "two types a school could not tell apart"
    assert set(registry.SEVERITY_LABELS) == set(registry.SEVERITY_ORDER)
    assert set(registry.FAMILY_LABELS) == set(registry.FAMILY_ORDER)
    assert set(registry.STATUS_LABELS) == set(CONFLICT_STATUSES)
    assert set(OPEN_CONFLICT_STATUSES) == set(CONFLICT_STATUSES) - {"resolved"}


def test_grade_assessments_missing_has_a_label_and_the_grades_family():
    entry = registry.CONFLICT_TYPES["GRADE_ASSESSMENTS_MISSING"]
    assert entry.family == "grades" and entry.severity == "low"
    assert registry.label_of("GRADE_ASSESSMENTS_MISSING") == "Thiếu điểm đánh giá theo quy định"


def test_an_unregistered_type_still_shows_but_a_rule_cannot_raise_it():
    assert registry.label_of("SOMETHING_NEW") == "SOMETHING_NEW"
    assert registry.family_of("SOMETHING_NEW") == "other"
    try:
        registry.severity_of("SOMETHING_NEW")
    except KeyError:
        pass
    else:
        raise AssertionError("a rule raised a type no reader can name")
