from django import template

from deletion_portal.core.links import link_url

register = template.Library()


@register.simple_tag
def link(name: str, *args) -> str:
    """``{% link "use-employer" employer.pk as url %}``: a link a higher app registered (core/links.py)."""
    return link_url(name, *args)
