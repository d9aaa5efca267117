"""Creating leads: the one action every path uses (manual, import, webhook, booking)."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from crm import events, geo, livesync, permissions, phones
from crm.accounts.models import Office
from crm.errors import DomainError
from crm.timeline.services import audit, record
from leads.metro import metro_for_zip
from leads.models import Lead, LeadSource, Status
from leads.payloads import lead_snapshot

GENERAL_OFFICE = "General"


def record_claim(lead: Lead, actor) -> None:
    """The timeline line of a claim just stamped on `lead`, with the structured data the
    reports read (who, when): `Lead.claimed_at` is cleared when the lead leaves Fresh."""
    record(
        lead,
        kind="claim",
        body=f"Lead claimed by {actor.first_name}",
        actor=actor,
        data={"actor": actor.pk, "at": lead.claimed_at},
        at=lead.claimed_at,
    )


def emit_for(lead: Lead, name: str, *, actor=None, **data) -> None:
    """Emit a lead event with the lead's office and partner (for live sync and handlers),
    with the lead as it is now (`snapshot`, leads.payloads; no query when `office` and
    `source` are loaded). A lead moved to another office (or partner) also bumps the
    old one's live sync after commit, so pages there drop it within one poll."""
    events.emit(
        name,
        office=lead.office,
        partner_name=lead.partner_name,
        actor=actor,
        lead=lead,
        source=lead.source_id,
        snapshot=lead_snapshot(lead),
        **data,
    )
    old = data.get("old")
    if data.get("field") == "office" and old is not None:
        transaction.on_commit(lambda: livesync.bump(office_id=getattr(old, "pk", old)))
    elif data.get("field") == "partner_name" and old:
        transaction.on_commit(lambda: livesync.bump(partner_name=old))


def general_office() -> Office:
    office = Office.objects.filter(name__iexact=GENERAL_OFFICE).first() or Office.objects.first()
    if office is None:
        raise DomainError("Add an office in CP → Offices before taking leads.")
    return office


def first_office(user) -> Office:
    """Where an agent's new leads go: her first assigned office (by name), else General."""
    return user.offices.order_by("name").first() or general_office()


def split_name(full_name: str) -> tuple[str, str]:
    parts = " ".join((full_name or "").split()).split(" ", 1)
    return parts[0], parts[1] if len(parts) > 1 else ""


def apply_zip(lead: Lead, raw_zip: str) -> None:
    """Set ZIP and what it implies: city, state, time zone (offline data) and metro."""
    info = geo.zip_info(raw_zip)
    lead.zip_code = (
        info.zip_code if info else geo.clean_zip(raw_zip) or (raw_zip or "").strip()[:10]
    )
    lead.city, lead.state, lead.timezone = (
        (info.city, info.state, info.timezone) if info else ("", "", "")
    )
    lead.metro = metro_for_zip(lead.zip_code)


@transaction.atomic
def create_lead(
    *,
    office: Office | None = None,
    source: LeadSource,
    first_name: str,
    last_name: str = "",
    phone: str = "",
    actor=None,
    via: str = "manual",
    received_at: datetime.datetime | None = None,
    zip_code: str = "",
    fee: Decimal | None = None,
    **fields,
) -> Lead:
    """Create a Fresh lead. `phone` must already be E.164 (forms and parsers normalise it).

    Writes the "created" timeline line and audit row, emits `lead.created` (automations,
    New Lead webhook). `via` says which door it came through (manual, import, webhook...).
    A lead an agent types in by hand is claimed by her at once (timeline "Lead claimed by
    <name>", `lead.claimed`): she is the one calling it, so its phone is hers to see.

    Needs leads.create. Without leads.choose_office the lead goes to the actor's first
    office (`office` left out, or that very office; another one is refused); with it,
    `office` must be one the actor sees. No actor and no office: General.
    """
    permissions.check(actor, "leads.create")
    if actor is not None and not permissions.can(actor, "leads.choose_office"):
        home = first_office(actor)
        if office is not None and office != home:
            permissions.check(actor, "leads.choose_office")
        office = home
    elif office is not None:
        permissions.check(actor, "leads.choose_office", obj=office)
    office = office or general_office()
    if not first_name.strip():
        raise DomainError("A lead needs a name.")
    lead = Lead(
        office=office,
        source=source,
        first_name=first_name.strip()[:80],
        last_name=last_name.strip()[:80],
        phone=phone,
        phone_last10=phones.last10(phone),
        received_at=received_at or timezone.now(),
        fee=fee,
        status=Status.FRESH,
        **fields,
    )
    is_claimed_by_creator = via == "manual" and permissions.can(actor, "leads.claim_on_create")
    if is_claimed_by_creator:
        lead.claimed_by, lead.claimed_at = actor, timezone.now()
    apply_zip(lead, zip_code)
    lead.save()
    record(
        lead,
        kind="sys",
        body=f"Lead created ({via}) from {source.label}",
        actor=actor,
        at=lead.received_at,
    )
    if is_claimed_by_creator:
        record_claim(lead, actor)
    audit(
        "lead.created",
        f"New {source.label} lead: {lead.full_name}",
        actor=actor,
        office=office,
        metadata={"lead_id": lead.pk, "source": source.key, "via": via},
    )
    emit_for(lead, "lead.created", actor=actor, via=via)
    if is_claimed_by_creator:
        emit_for(lead, "lead.claimed", actor=actor)
    return lead
