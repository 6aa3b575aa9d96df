"""Text from users that other people will read: without the invisible characters that reorder it.

Unicode's bidirectional controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, and the
LRM/RLM/ALM marks) make ``invoice‮fdp.exe`` display as ``invoiceexe.pdf`` and can make an employer's name
read as another's. File names and employer names are stored without them (cases.uploads,
employers.services).
"""

from __future__ import annotations

import re

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def strip_bidi(value: str) -> str:
    return BIDI_CONTROLS.sub("", value or "")
