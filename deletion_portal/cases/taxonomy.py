"""What a request can be about: the training-contribution categories and the ready-made bundles."""

from __future__ import annotations

from dataclasses import dataclass


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


def bundle_rights(code: str, available: set[str]) -> list[str]:
    """The bundle's rights that the chosen regime has (a regime may lack restriction or objection)."""
    return [right for right in BUNDLE_BY_CODE[code].rights if right in available]
