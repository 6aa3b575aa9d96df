"""``{% offered_actions case as actions %}``: the actions the case's law offers the employer now, as
(code, label) pairs, for the action list fragment (``templates/dpo/case_actions.html``)."""

from django import template

from deletion_portal.cases.access import Need
from deletion_portal.dpo.actions import ACTION_LABELS, case_offered_actions

register = template.Library()


@register.simple_tag
def offered_actions(case):
    access = getattr(case, "access", None)
    if access is None or not access.allows(Need.RESPOND):  # a viewer reads; only responders and admins act
        return []
    return [(code, ACTION_LABELS[code]) for code in case_offered_actions(case=case)]
