"""The apps depend one way, and no module reaches into another's private names (docs/DESIGN "Conventions").

Layers, bottom to top (an app may import its own layer's bottom apps and anything below, never above):

* 0 — ``laws``, ``core``, ``accounts`` (users and roles; the export and the account deletion only keep
  registries that the apps above fill in their ``AppConfig.ready``: ``accounts/hooks.py``)
* 1 — ``employers``
* 2 — ``cases`` (announces what happened through ``cases/signals.py``)
* 3 — ``tracking``, ``dpo``, ``advocacy`` (subscribe; they do not import each other)

The project modules (``settings``, ``urls``, ``celery``, ``wsgi``, ``env``) sit above every app and are exempt.
Read from the source with ``ast`` (imports inside functions count too), so an import cycle cannot hide in
a function body.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "deletion_portal"

LAYERS = {"laws": 0, "core": 0, "accounts": 0, "employers": 1, "cases": 2, "tracking": 3, "dpo": 3, "advocacy": 3}
BOTTOM = 0
EXEMPT = {"settings", "urls", "celery", "wsgi", "env", "__init__"}



def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(dotted: str) -> bool:
    base = REPO.joinpath(*dotted.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def source_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts and "migrations" not in p.parts)


def imports(tree: ast.AST, module: str, *, package: bool = False) -> list[tuple[int, str]]:
    """(line, dotted name) of everything the module imports from the project: modules and names."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "deletion_portal"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            if base.split(".")[0] == "deletion_portal":
                found += [(node.lineno, f"{base}.{a.name}") for a in node.names]
    return found


def private_uses(tree: ast.AST, module: str, *, package: bool = False) -> list[tuple[int, str]]:
    """Private names of another project module this one uses: imported, or read off an imported module."""
    found = []
    aliases: dict[str, str] = {}
    for line, dotted in imports(tree, module, package=package):
        owner, _, name = dotted.rpartition(".")
        if name.startswith("_") and not name.startswith("__") and owner != module:
            found.append((line, dotted))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "deletion_portal" and a.asname:
                    aliases[a.asname] = a.name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "deletion_portal":
            for a in node.names:
                if is_module(f"{node.module}.{a.name}"):
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            target = aliases[node.value.id]
            if node.attr.startswith("_") and not node.attr.startswith("__") and target != module:
                found.append((node.lineno, f"{target}.{node.attr}"))
    return found


def app_of(dotted: str) -> str | None:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "deletion_portal" else None


def layering_offences(tree: ast.AST, module: str, *, package: bool = False) -> list[tuple[int, str]]:
    app = app_of(module)
    if app is None or app in EXEMPT:
        return []
    if app not in LAYERS:
        return [(0, f"{module}: unknown app '{app}', give it a layer in tests/test_architecture.py")]
    offences = []
    for line, dotted in imports(tree, module, package=package):
        target = app_of(dotted)
        if target is None or target == app:
            continue
        if target in EXEMPT or target not in LAYERS:
            offences.append((line, dotted))
        elif LAYERS[target] > LAYERS[app] or (LAYERS[target] == LAYERS[app] != BOTTOM):
            offences.append((line, dotted))
    return offences


def scan(check) -> dict[str, list[tuple[int, str]]]:
    found = {}
    for path in source_files():
        module = module_name(path)
        result = check(ast.parse(path.read_text(encoding="utf-8")), module, package=path.name == "__init__.py")
        if result:
            found[path.relative_to(REPO).as_posix()] = result
    return found


# --- the scanners themselves -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [
    "from deletion_portal.tracking.services import deadlines_sync",
    "from deletion_portal.tracking import services",
    "import deletion_portal.tracking.services",
    "def f():\n    from deletion_portal.dpo.models import Team",
    "from ..tracking.models import Deadline",
])
def test_it_finds_an_import_of_a_higher_layer(code):
    assert layering_offences(ast.parse(code), "deletion_portal.cases.services")


@pytest.mark.parametrize("module, code", [
    ("deletion_portal.tracking.views", "from deletion_portal.cases.models import Case"),
    ("deletion_portal.cases.services", "from deletion_portal.employers.models import Employer"),
    ("deletion_portal.laws.views", "from deletion_portal.core.pdf import render_pdf"),
    ("deletion_portal.urls", "from deletion_portal.tracking import urls"),
])
def test_it_lets_a_module_import_below_it(module, code):
    assert layering_offences(ast.parse(code), module) == []


def test_it_keeps_the_top_apps_apart_and_accounts_at_the_bottom():
    assert layering_offences(ast.parse("from deletion_portal.tracking.models import Deadline"), "deletion_portal.dpo.views")
    assert layering_offences(ast.parse("from deletion_portal.cases.models import Case"), "deletion_portal.accounts.export")


@pytest.mark.parametrize("code", [
    "from deletion_portal.cases.letters import _CATEGORY_TEXT",
    "from deletion_portal.cases.views.wizard import letter_as_text, _chosen_employer",
    "def f():\n    from deletion_portal.tracking.sweep import _insert_outbox",
    "from deletion_portal.cases import letters\nletters._CATEGORY_TEXT",
    "import deletion_portal.cases.letters as letters\nletters._CATEGORY_TEXT",
])
def test_it_finds_a_private_name_taken_from_another_module(code):
    assert private_uses(ast.parse(code), "deletion_portal.tracking.views")


def test_it_lets_a_module_use_its_own_private_names_and_dunders():
    assert private_uses(ast.parse("from deletion_portal.cases.letters import __doc__, letter_html"),
                        "deletion_portal.tracking.views") == []


# --- the code --------------------------------------------------------------------------------------------


def test_no_app_imports_a_layer_above_it():
    assert scan(layering_offences) == {}


def test_no_module_imports_a_private_name_of_another():
    assert scan(private_uses) == {}


def test_no_template_of_a_lower_app_links_or_includes_a_higher_one():
    """Templates follow the same order: ``cases/detail.html`` shows tracking's sections through the slots
    tracking fills (``cases.hooks.register_case_page_context``), never by naming its URLs or templates."""
    templates = REPO / "templates"
    namespaces = {"tracking": "tracking", "calendar": "tracking", "dpo": "dpo", "advocacy": "advocacy",
                  "cases": "cases", "employers": "employers"}
    found = {}
    for app, layer in LAYERS.items():
        folder = templates / app
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.html")):
            text = path.read_text(encoding="utf-8")
            named = {ns for ns in namespaces if f"'{ns}:" in text or f'"{ns}:' in text or f'"{ns}/' in text}
            above = sorted(ns for ns in named if namespaces[ns] != app and LAYERS[namespaces[ns]] > layer)
            if above:
                found[path.relative_to(REPO).as_posix()] = above
    assert found == {}
