from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def lead_local(when, lead):
    """`when` on the lead's own clock: "May 3, 9:00 AM EDT"."""
    if not when:
        return ""
    local = when.astimezone(lead.local_zone)
    return f"{local:%b %-d, %-I:%M %p} {local.tzname()}"


@register.filter
def tz_abbr(lead):
    """The lead's time-zone abbreviation right now (EST, CDT...), or "" without a ZIP."""
    if not lead.timezone:
        return ""
    return timezone.now().astimezone(lead.local_zone).tzname()
