from zoneinfo import ZoneInfo

from django import template
from django.conf import settings

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


@register.filter
def business_time(when) -> str:
    """On the business clock, with its zone: "May 10, 11:00 PM EDT"."""
    if not when:
        return ""
    local = when.astimezone(ZoneInfo(settings.BUSINESS_TIME_ZONE))
    return f"{local:%b %-d, %-I:%M %p} {local.tzname()}"
