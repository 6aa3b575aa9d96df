"""What cases announces, so the apps above it (tracking, and the coming DPO and advocacy apps) can act
on it without cases importing them (docs/DESIGN: apps depend one way).

* :data:`case_changed` — sent by ``case_recompute`` inside the transaction that changed the case, after
  its receipt and deadline fields are saved. Keyword arguments: ``case``; ``event`` (the ``CaseEvent``
  just recorded, or None for a plain recompute); ``events`` (the case's whole timeline, oldest first);
  ``result`` (the ``laws.types.DeadlineResult``, or None when the case has no deadline yet). A receiver
  that raises rolls the change back. Connect receivers in the subscribing app's ``AppConfig.ready``.

The registries for what the apps above add to the case page, the export and the letters are in
``cases/hooks.py``.
"""

from __future__ import annotations

from django.dispatch import Signal

case_changed = Signal()
