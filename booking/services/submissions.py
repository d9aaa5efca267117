"""The widget's submit: the per-IP limit, the honeypot, and one lead per submitted form."""

import re
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction

from booking.models import DEFAULT_THANK_YOU, Booking, Embed
from booking.slots import Window
from crm import events, ratelimit
from crm.permissions import check
from crm.timeline.services import audit
from leads.models import BUILT_IN_SOURCES, Lead, LeadSource
from leads.services import create_lead

SOURCE_KEY = "online_booking"
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


def allow_submission(*, ip: str, embed: Embed) -> bool:
    """Per-IP limit on widget submissions, in the shared cache (every process counts).

    A refusal is audited once per window, so the owner can see a flood.
    """
    limit, window = settings.BOOKING_SUBMISSIONS_PER_IP
    allowed = ratelimit.hit(f"booking-ip:{ip}", limit=limit, window_seconds=window)
    if not allowed and ratelimit.first_refusal(f"booking-audit:{ip}", window_seconds=window):
        audit(
            "booking.rate_limited",
            f"Online booking submissions rate limited for {ip} (over {limit})",
            office=embed.office,
            metadata={"ip": ip, "slug": embed.slug},
        )
    return allowed


def record_honeypot(*, ip: str, embed: Embed) -> None:
    """A bot filled the hidden field: nothing is stored but this audit row."""
    audit(
        "booking.honeypot",
        f"Online booking honeypot caught a bot on /book/{embed.slug}",
        office=embed.office,
        metadata={"ip": ip, "slug": embed.slug},
    )


def booking_source() -> LeadSource:
    """The Online Booking Tool source; put back from the built-ins if it was deleted, so
    a booking is never lost to a settings change."""
    source = LeadSource.objects.filter(key=SOURCE_KEY).first()
    if source is not None:
        return source
    key, label, color, steps = next(row for row in BUILT_IN_SOURCES if row[0] == SOURCE_KEY)
    source, _ = LeadSource.objects.get_or_create(
        key=key,
        defaults={
            "label": label,
            "color": color,
            "snooze_steps": steps,
            "sort_order": LeadSource.objects.count(),
        },
    )
    return source


ZIP_IN_ADDRESS = re.compile(r"\b(\d{5})(?:-\d{4})?\b(?!.*\b\d{5}\b)")


def booking_notes(
    *,
    embed: Embed,
    service: dict | None,
    window: Window,
    address: str,
    utm: dict[str, str],
    referrer: str,
) -> str:
    lines = ["Online booking"]
    if service:
        price = f" (${Decimal(service['price']):,.2f})" if service.get("price") else ""
        lines.append(f"Service: {service['name']}{price}")
    lines.append(f"Requested window: {window.full_label}")
    if address:
        lines.append(f"Address: {address}")
    if utm:
        lines.append("UTM: " + ", ".join(f"{key}={value}" for key, value in utm.items()))
    if referrer:
        lines.append(f"Referrer: {referrer}")
    lines.append(f"Embed: {embed.name} (/book/{embed.slug})")
    return "\n".join(lines)


def submit_booking(
    *,
    embed: Embed,
    submission_key: str,
    service: dict | None,
    window: Window,
    first_name: str,
    last_name: str = "",
    phone: str,
    email: str = "",
    address: str = "",
    zip_code: str = "",
    utm: dict[str, str] | None = None,
    referrer: str = "",
    actor=None,
) -> Lead | None:
    """Turn one widget submission into a lead through `create_lead` (every lead-creation
    hook fires: timeline, audit, `lead.created` → automations, New Lead webhook).

    `phone` is E.164 already. Returns the lead, or None when `submission_key` already
    made one (a double submit: same form token): exactly one lead per form, even when
    two posts race, because `Booking.key` is unique and inserted in the lead's transaction.
    Needs leads.create (the public widget acts as the system: no actor).
    """
    check(actor, "leads.create")
    utm = {key: value for key, value in (utm or {}).items() if key in UTM_KEYS and value}
    zip_code = zip_code or _zip_from(address)
    try:
        with transaction.atomic():
            lead = create_lead(
                office=embed.office,
                source=booking_source(),
                first_name=first_name,
                last_name=last_name,
                phone=phone,
                email=email,
                zip_code=zip_code,
                via="online booking",
                actor=actor,
                service_type=(service or {}).get("name", "")[:200],
                how_soon=f"{window.day_label}, {window.label} {window.start.tzname()}"[:120],
                campaign=utm.get("utm_campaign", "")[:200],
                tracking_source=utm.get("utm_source", "")[:120],
                notes=booking_notes(
                    embed=embed,
                    service=service,
                    window=window,
                    address=address,
                    utm=utm,
                    referrer=referrer,
                ),
            )
            # Last, so a racing twin waits here on the unique key and then rolls back.
            Booking.objects.create(embed=embed, key=submission_key, lead=lead)
            events.emit(
                "booking.submitted",
                office=embed.office,
                lead=lead,
                embed=embed,
                slot={"start": window.start, "end": window.end},
                utm=utm,
            )
    except IntegrityError:
        if Booking.objects.filter(key=submission_key).exists():
            return None
        raise
    return lead


def _zip_from(address: str) -> str:
    match = ZIP_IN_ADDRESS.search(address or "")
    return match.group(1) if match else ""


def thank_you_text(embed: Embed) -> str:
    return embed.thank_you_message.strip() or DEFAULT_THANK_YOU
