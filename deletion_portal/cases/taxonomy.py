"""What a request can be about: the training-contribution categories and the ready-made bundles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from deletion_portal.laws.types import Regime


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    help: str


CATEGORIES: tuple[Category, ...] = (
    Category("keystrokes", "Keystrokes", "Keystroke logs and their timing: what you typed, when, and how fast."),
    Category("mouse_movements", "Mouse movements", "Mouse trajectories, clicks and scrolling."),
    Category(
        "screen_activity",
        "Screen activity",
        "Screenshots, screen recordings and the sequences of operations you performed on screen.",
    ),
    Category("app_switching", "App switching", "Which window had focus and when you switched between applications."),
    Category(
        "derived_data",
        "Data derived from it",
        "Features, labels, embeddings, productivity or behaviour scores computed from the data above.",
    ),
    Category("training_datasets", "Training datasets", "Datasets that contain any of the data above."),
    Category(
        "trained_models",
        "Trained models",
        "Models, checkpoints and evaluations trained or tested on the data above.",
    ),
)
CATEGORY_CODES: tuple[str, ...] = tuple(c.code for c in CATEGORIES)
CATEGORY_BY_CODE = {c.code: c for c in CATEGORIES}


@dataclass(frozen=True)
class Bundle:
    code: str
    label: str
    help: str
    rights: tuple[str, ...]  # right codes, in the order the letter lists them


BUNDLES: tuple[Bundle, ...] = (
    Bundle(
        "erase_training",
        "Erase my training contributions",
        "Find out what they hold, object to its use for training, restrict it while they assess that, "
        "and erase it — including datasets and models built from it.",
        ("access", "objection", "restriction", "erasure"),
    ),
    Bundle("find_out", "Find out what they hold", "A copy of your data and how it was used.", ("access",)),
    Bundle("custom", "Choose the rights myself", "Pick the rights you want from the list.", ()),
)
BUNDLE_BY_CODE = {b.code: b for b in BUNDLES}


def bundle_contents(code: str, regime: Regime | None = None) -> tuple[str, ...]:
    """The rights ``code`` asks for under ``regime``: the law record's own list where it has one
    (``letters.bundles``: the CCPA's "Erase my training contributions" adds the §1798.121 limit request and the
    §1798.120 opt-out), else the bundle's usual list."""
    override = regime.letters.bundle_rights(code) if regime is not None else None
    return override if override is not None else BUNDLE_BY_CODE[code].rights


def bundle_rights(code: str, available: set[str], *, regime: Regime | None = None) -> list[str]:
    """The bundle's rights that the chosen regime has (a regime may lack restriction or objection)."""
    return [right for right in bundle_contents(code, regime) if right in available]
