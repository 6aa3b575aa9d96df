"""How the dpo app plugs into the apps below it: connected in ``DpoConfig.ready``.

* The employee's case page shows when the employer's DPO team last viewed the case (``cases.hooks``).
* The employee's data export lists, per case, when the employer's team viewed it (team, day).
* When the employee withdraws the employer's online access (``cases.signals.case_changed`` with an
  ``employer_access_withdrawn`` event, inside the withdrawal's transaction), every team that could see the
  case is emailed (responders and admins): the deadline still runs, answer by email or post.
* The deadline sweep reminds the case's assignee, or the team, of each respond-by date (``cases.hooks.register_reminder_recipients``).
"""

from __future__ import annotations

from deletion_portal.cases.hooks import register_case_export, register_case_page_context, register_reminder_recipients
from deletion_portal.cases.models import EventKind
from deletion_portal.cases.signals import case_changed
from deletion_portal.dpo.selectors import case_views_for_export, case_views_for_owner
from deletion_portal.dpo.services import employer_access_withdrawn_notify, reminder_recipients_for_cases


def case_page_dpo_views(*, case, today) -> dict:
    return {"dpo_views": case_views_for_owner(case=case)}


def on_case_changed(sender, *, case, event, events, result, **kwargs) -> None:
    if event is not None and event.kind == EventKind.EMPLOYER_ACCESS_WITHDRAWN:
        employer_access_withdrawn_notify(case=case, event=event)


def connect() -> None:
    case_changed.connect(on_case_changed, sender=None, dispatch_uid="dpo.receivers.on_case_changed")
    register_case_page_context(case_page_dpo_views, panels={"after_dates": ["dpo/case_viewed.html"]})
    register_reminder_recipients(reminder_recipients_for_cases)
    register_case_export(case_views_for_export)
