"""The tests share one base (tests/support, registered by the root conftest) and import nothing from
each other: no test module imports another test module or a conftest, and no conftest imports a conftest
(a fixture imported by name is registered twice and silently shadows the shared one)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def forbidden(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "tests" and any(part == "conftest" or part.startswith("test_") for part in parts[1:])


def test_the_scan_spots_imports_of_tests_and_conftests():
    assert forbidden("tests.cases.conftest") and forbidden("tests.tracking.test_follow_up")
    assert forbidden("tests.conftest")
    assert not forbidden("tests.support.world") and not forbidden("tests.integration.stack")


def test_no_test_module_or_conftest_imports_a_test_module_or_a_conftest():
    offenders = {
        str(path.relative_to(TESTS)): bad
        for path in sorted(TESTS.rglob("*.py"))
        if (bad := [m for m in imported_modules(path) if forbidden(m)])
    }
    assert not offenders, f"import helpers from tests/support (or a folder's helper module) instead: {offenders}"
