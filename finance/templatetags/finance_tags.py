from django import template

from crm.templatetags import clock
from finance import money as amounts

register = template.Library()


@register.filter
def money(value) -> str:
    """$1,250.00 (-$30.00 below zero); a missing amount is a dash."""
    return amounts.money(value)


@register.filter
def percent(value) -> str:
    """35.00 → 35%, 32.50 → 32.5%; a missing one is a dash."""
    if value is None:
        return "—"
    return f"{value.normalize():f}%"


# The business clock lives in crm (one filter for every app); finance templates that load
# finance_tags keep reaching it by the same name.
register.filter("business_time", clock.business_time)
