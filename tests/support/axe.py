"""axe-core in the browser tests: the pinned axe-playwright-python (axe-core 4.12.1) injects axe with
``page.evaluate``, which the page's Content-Security-Policy does not block, so pages are checked as served."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()


def axe_violations(page, *, exclude: list[str] | None = None) -> list[str]:
    """The page's axe violations, one line each (rule, impact, the first nodes); empty when clean."""
    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    results = _axe.run(page, context=context)
    lines = []
    for violation in results.response.get("violations", []):
        targets = [" ".join(map(str, node.get("target", []))) for node in violation.get("nodes", [])[:5]]
        lines.append(f"{violation['id']} ({violation.get('impact')}): {violation.get('help')} at {targets}")
    return lines


def assert_no_axe_violations(page, **kwargs) -> None:
    found = axe_violations(page, **kwargs)
    assert not found, f"axe found {len(found)} violation(s) on {page.url}:\n" + "\n".join(found)
