"""Each organ is used through its public face: what its ``__init__`` names in ``__all__``.

The layer contracts (``pyproject.toml``, run by ``make test`` through import-linter) say which
floor may import which; this test says *how*: code outside an organ writes ``from reconcile
import run_reconcile``, never ``from reconcile.service import run_reconcile``, so that the
organ's insides can move without breaking anyone (httpx's ``test_exported_members`` in spirit).
Tests and benchmarks may reach inside the package they exercise; production code may not.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORGANS = ("connectors", "reconcile", "reports", "signing", "simulate")
# Second faces: a sub-package with its own ``__all__`` that its organ's ``__init__`` does not
# import, because it needs an extra (``reconcile.spark`` needs pyspark).
SECOND_FACES = ("reconcile.spark",)
PRODUCTION = ("service", "connectors", "reconcile", "reports", "signing", "simulate", "doisoat")


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) for every import in a file; ``names`` empty for ``import x``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name, []) for a in node.names)
    return found


def _faults(package_dirs: tuple[str, ...]) -> list[str]:
    faults = []
    for top in package_dirs:
        for path in sorted((ROOT / top).rglob("*.py")):
            for line, module, names in _imports(path):
                organ = module.split(".")[0]
                if organ not in ORGANS or organ == top:
                    continue
                where = f"{path.relative_to(ROOT)}:{line}"
                if module != organ and module not in SECOND_FACES:
                    faults.append(f"{where} imports {module} (an organ's insides)")
                    continue
                public = set(importlib.import_module(module).__all__)
                faults.extend(
                    f"{where} imports {module}.{name}, which {module}.__all__ does not name"
                    for name in names
                    if name not in public
                )
    return faults


def test_production_code_uses_only_the_organs_public_faces() -> None:
    faults = _faults(PRODUCTION)
    assert not faults, "\n".join(faults)


@pytest.mark.parametrize("organ", ORGANS)
def test_every_exported_name_exists(organ: str) -> None:
    package = importlib.import_module(organ)
    missing = [name for name in package.__all__ if not hasattr(package, name)]
    assert not missing, f"{organ}.__all__ names what it does not have: {missing}"
    assert sorted(package.__all__) == sorted(set(package.__all__)), f"{organ}.__all__ repeats"
