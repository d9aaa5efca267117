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


@register.filter
def ago(when):
    """Compact age for tables: "now", "12m", "5h", "3d", then the date."""
    if not when:
        return ""
    seconds = (timezone.now() - when).total_seconds()
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h ago"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)}d ago"
    return f"{when:%b %-d}"


@register.filter
def is_web_link(url: str) -> bool:
    """Only http(s) addresses become links: rows stored before validation may hold others."""
    return (url or "").lower().startswith(("https://", "http://"))
