"""No law key is compared in code: law facts live in the law records (``laws/data/<key>.json``).

DESIGN.md "Rules as data": adding a regime means adding data and tests, never a branch in code. This test
reads every ``.py`` file under ``deletion_portal/`` (except ``laws/registry.py``, which orders the records)
and fails on code that decides by a law key:

* a comparison with a key: ``law_key == "eu-gdpr"``, ``!=``, ``in ("eu-gdpr", "uk-gdpr")``, ``is``;
* ``.startswith("us-")`` / ``.endswith(...)`` with a key's prefix;
* a lookup table keyed by law: a dict literal with a key as one of its keys;
* a module constant holding a key (``EU_LAW_KEY = "eu-gdpr"``) or a collection of keys;
* a ``match`` case on a key.

A key passed as data is fine: seeding a bench or fixture with ``law_key="eu-gdpr"`` (a keyword argument)
or asking the registry for a record (``get_regime("eu-gdpr")``) compares nothing.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from deletion_portal.laws.registry import regime_keys

PACKAGE = Path(__file__).resolve().parents[2] / "deletion_portal"
ALLOWED = {Path("laws/registry.py")}
_PREFIX = re.compile(r"^[a-z]{2}-[a-z0-9-]*$")


def _is_key(node: ast.AST, keys: frozenset[str]) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in keys


def _is_prefix(node: ast.AST, keys: frozenset[str]) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(_PREFIX.match(node.value))
            and any(key.startswith(node.value) for key in keys))


def _holds_key(node: ast.AST, keys: frozenset[str]) -> bool:
    """A key, or a tuple / list / set literal with a key in it."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_is_key(item, keys) for item in node.elts)
    return _is_key(node, keys)


def law_key_decisions(source: str, keys: frozenset[str]) -> list[tuple[int, str]]:
    """``(line, what)`` for every place ``source`` decides by a law key (see the module docstring)."""
    found: list[tuple[int, str]] = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            if any(_holds_key(side, keys) for side in (node.left, *node.comparators)):
                found.append((node.lineno, "compares a law key"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("startswith", "endswith") and node.args:
            arg = node.args[0]
            items = arg.elts if isinstance(arg, ast.Tuple) else [arg]
            if any(_is_prefix(item, keys) for item in items):
                found.append((node.lineno, f"{node.func.attr}() with a law key prefix"))
        elif isinstance(node, ast.Dict):
            if any(key is not None and _is_key(key, keys) for key in node.keys):
                found.append((node.lineno, "a table keyed by law key"))
        elif isinstance(node, ast.match_case):
            if any(isinstance(p, ast.MatchValue) and _is_key(p.value, keys) for p in ast.walk(node.pattern)):
                found.append((node.pattern.lineno, "a match case on a law key"))
    for statement in tree.body:  # module constants
        value = statement.value if isinstance(statement, (ast.Assign, ast.AnnAssign)) else None
        if value is not None and (_holds_key(value, keys) or _is_prefix(value, keys)):
            found.append((statement.lineno, "a module constant holding a law key"))
    return sorted(set(found))


def scan(package: Path, keys: frozenset[str]) -> list[str]:
    problems = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative in ALLOWED or "migrations" in relative.parts:
            continue
        for line, what in law_key_decisions(path.read_text(encoding="utf-8"), keys):
            problems.append(f"deletion_portal/{relative}:{line}: {what}")
    return problems


KEYS = frozenset(regime_keys())


def test_it_finds_no_law_key_decided_in_code():
    problems = scan(PACKAGE, KEYS)
    assert problems == [], (
        "Law facts belong in the law records (laws/data/<key>.json, validated by laws/registry.py), "
        "not in code:\n" + "\n".join(problems)
    )


@pytest.mark.parametrize(
    ("source", "what"),
    [
        ('if case.law_key == "eu-gdpr": pass', "compares a law key"),
        ('if law_key != "uk-gdpr": pass', "compares a law key"),
        ('x = law_key in ("eu-gdpr", "uk-gdpr")', "compares a law key"),
        ('x = "us-ca-ccpa" == regime.key', "compares a law key"),
        ('x = regime.key not in {"ca-qc-law25"}', "compares a law key"),
        ('x = case.law_key.startswith("us-")', "startswith() with a law key prefix"),
        ('x = key.startswith(("ca-", "br-"))', "startswith() with a law key prefix"),
        ('EU_LAW_KEY = "eu-gdpr"', "a module constant holding a law key"),
        ('_PREFIX = "us-"', "a module constant holding a law key"),
        ('KEYS: tuple = ("eu-gdpr", "uk-gdpr")', "a module constant holding a law key"),
        ('def f(k):\n    return {"ca-qc-law25": "fr"}.get(k)', "a table keyed by law key"),
        ('match key:\n    case "eu-gdpr":\n        pass', "a match case on a law key"),
    ],
)
def test_the_scan_catches_each_way_of_deciding_by_law(source, what):
    assert what in [found for _line, found in law_key_decisions(source, KEYS)]


@pytest.mark.parametrize(
    "source",
    [
        'Case.objects.create(law_key="eu-gdpr", region="DE-BE")',  # seeding data: a keyword argument
        'regime = get_regime("eu-gdpr")',  # asking the registry
        'x = regime.letters.family == "gdpr"',  # a fact of the record
        'x = region.startswith("DE-")',  # a region code, not a law key
        'if case.law_key == law_key: pass',  # two variables
    ],
)
def test_data_and_record_facts_pass(source):
    assert law_key_decisions(source, KEYS) == []
