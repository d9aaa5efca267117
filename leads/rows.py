"""What one dashboard row shows, worked out in Python once per row.

The dashboard re-renders 25 rows on every filter, page and live poll; flat values keep the
template to one short lookup per cell instead of chains through related objects.
"""

from leads.models import Lead
from leads.templatetags.leads_tags import ago


def _local(when, zone, with_zone: bool = False) -> str:
    if not when:
        return ""
    local = when.astimezone(zone)
    text = f"{local:%b %-d, %-I:%M %p}"
    return f"{text} {local.tzname()}" if with_zone else text


def dashboard_row(lead: Lead, *, user, now, detail_base: str) -> dict:
    zone = lead.local_zone
    phone_visible = lead.phone_visible_to(user)
    return {
        "id": lead.pk,
        "url": detail_base + str(lead.pk),
        "name": lead.full_name,
        "office": lead.office.name,
        "received": ago(lead.received_at),
        "received_iso": lead.received_at.isoformat(),
        "phone": lead.phone if phone_visible else "",
        "phone_text": lead.phone_pretty if phone_visible else lead.phone_masked,
        "claimed_by": lead.claimed_by.first_name if lead.claimed_by_id else "",
        "tz": now.astimezone(zone).tzname() if lead.timezone else "",
        "metro": lead.metro,
        "source": lead.source.label,
        "source_color": lead.source.color,
        "fee": lead.fee,
        "status": lead.status,
        "status_label": lead.get_status_display(),
        "urgency": lead.urgency_at(now),
        "is_bookback": lead.is_bookback,
        "is_transferred": lead.is_transferred,
        "next_contact": _local(lead.next_contact_at, zone),
        "next_contact_full": _local(lead.next_contact_at, zone, with_zone=True),
    }
