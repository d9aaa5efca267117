"""Inbound leads from partners' webhooks: field aliases, office resolution, BookBack
reactivation. Every new lead still goes through `create_lead`."""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F, Q, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from crm import phones, ratelimit
from crm.accounts.models import Office
from crm.dateranges import business_now
from crm.errors import DomainError
from crm.timeline.services import audit, record
from leads.models import BookBackCall, InboundLead, Lead, LeadSource, Status
from leads.services.creating import (
    GENERAL_OFFICE,
    create_lead,
    emit_for,
    general_office,
    split_name,
)

logger = logging.getLogger(__name__)
RATE_LIMIT = (100, 10 * 60)  # leads per source per 10 minutes, shared by every process

# Our field ← the payload names partners send (spec: Inbound lead webhooks).
ALIASES = {
    "full_name": ("full_name", "fullName", "name"),
    "first_name": ("first_name", "firstName"),
    "last_name": ("last_name", "lastName"),
    "email": ("email",),
    "phone": ("phone_number", "phone"),
    "zip_code": ("zip_code", "zip"),
    "fb_lead_id": ("lead_id", "leadId"),
    "ad_name": ("ad_name", "adName"),
    "adset_name": ("adset_name",),
    "campaign": ("campaign", "campaign_name"),
    "partner_name": ("partner_name",),
    "office": ("office",),
    "tracking_source": ("bb_source", "tracking_source", "ctm_source"),
    "fee": ("fee",),
    "service_type": ("what_can_we_do_for_you_today", "service_type", "taskName"),
    "how_soon": ("how_soon_do_you_need_the_service", "how_soon"),
    "created_time": ("created_time",),
    "notes": ("extra_notes", "message", "notes"),
    "source": ("source",),
    "playbook_score": ("playbook_score",),
    "objection": ("objection",),
    "recording_url": ("recording_url",),
}
TEXT_LIMITS = {
    "campaign": 200,
    "ad_name": 200,
    "adset_name": 200,
    "partner_name": 80,
    "fb_lead_id": 64,
    "tracking_source": 120,
    "service_type": 200,
    "how_soon": 120,
}


class RateLimited(DomainError):
    pass


def read_fields(payload: dict) -> dict[str, str]:
    """Our field names → the first non-empty alias value, as stripped text."""
    fields = {}
    for name, aliases in ALIASES.items():
        for alias in aliases:
            value = payload.get(alias)
            if value not in (None, ""):
                fields[name] = str(value).strip()
                break
    return fields


def resolve_source(key: str) -> LeadSource:
    """The source for `key`, with its default office (or General) fetched in the same query."""
    general = Office.objects.filter(name__iexact=GENERAL_OFFICE)
    source = (
        LeadSource.objects.filter(key=key.strip().lower())
        .select_related("default_office")
        .annotate(
            general_office_id=Subquery(general.values("id")[:1]),
            general_office_name=Subquery(general.values("name")[:1]),
        )
        .first()
    )
    if source is None:
        raise DomainError(f"Unknown source '{key}'. Add it in CP → Lead Sources.")
    return source


def _received_at(raw: str | None) -> datetime.datetime:
    if not raw:
        return timezone.now()
    if raw.isdigit():  # epoch seconds (Facebook sends these)
        return datetime.datetime.fromtimestamp(int(raw), tz=datetime.UTC)
    parsed = parse_datetime(raw.replace(" ", "T", 1) if "T" not in raw else raw)
    if parsed is None:
        raise DomainError(
            f"created_time '{raw}' is not a date and time (ISO 8601 or epoch seconds)."
        )
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, datetime.UTC)


def parse_fee(raw: str | None) -> Decimal | None:
    """A lead fee in dollars ("$42.50" → 42.50); DomainError for anything else."""
    if not raw:
        return None
    try:
        fee = Decimal(raw.replace("$", "").replace(",", ""))
    except InvalidOperation as exc:
        raise DomainError(f"fee '{raw}' is not an amount.") from exc
    if not fee.is_finite():
        raise DomainError(f"fee '{raw}' is not an amount.")
    if fee < 0 or fee >= Decimal("10000000"):
        raise DomainError(f"fee '{raw}' is out of range.")
    return fee.quantize(Decimal("0.01"))


def resolve_office(fields: dict, source: LeadSource) -> Office:
    """Payload office → CTM tracking-source match (arrives with CTM numbers) → the
    source's default office → General."""
    if fields.get("office"):
        office = Office.objects.filter(name__iexact=fields["office"]).first()
        if office is not None:
            return office
    if source.default_office:
        return source.default_office
    if getattr(source, "general_office_id", None):  # fetched with the source: no extra query
        return Office(pk=source.general_office_id, name=source.general_office_name)
    return general_office()


@dataclass(frozen=True)
class CleanLead:
    """An inbound payload that passed validation: what a lead needs, in our names."""

    fields: dict
    first_name: str
    last_name: str
    phone: str
    received_at: datetime.datetime
    fee: Decimal | None


def validate(payload: dict) -> CleanLead:
    """Check an inbound payload without touching the database; DomainError says what's wrong."""
    fields = read_fields(payload)
    first_name, last_name = fields.get("first_name", ""), fields.get("last_name", "")
    if not first_name:
        first_name, last_name = split_name(fields.get("full_name", ""))
    if not first_name:
        raise DomainError("A lead needs a name (full_name, fullName or name).")
    try:
        phone = phones.normalize_phone(fields.get("phone", ""))
    except ValueError as exc:
        raise DomainError(f"A lead needs a valid phone (phone_number or phone): {exc}") from exc
    return CleanLead(
        fields=fields,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        received_at=_received_at(fields.get("created_time")),
        fee=parse_fee(fields.get("fee")),
    )


def accept_inbound(payload: dict, *, source_key: str) -> InboundLead:
    """The webhook's whole synchronous job: source, rate limit, validation, one insert.

    Raises RateLimited past 100 leads per source per 10 minutes (audited once per
    window) and DomainError for unusable input; either way nothing is stored. The lead
    itself is made by `process_inbound` in a Celery task, queued after commit.
    """
    # Only the key matters here; the office rules are read when the lead is made.
    source = (
        LeadSource.objects.filter(key=source_key.strip().lower()).only("id", "key", "label").first()
    )
    if source is None:
        raise DomainError(f"Unknown source '{source_key}'. Add it in CP → Lead Sources.")
    limit, window = RATE_LIMIT
    if not ratelimit.hit(f"webhook-source:{source.key}", limit=limit, window_seconds=window):
        if ratelimit.first_refusal(f"webhook-audit:{source.key}", window_seconds=window):
            audit(
                "webhook.rate_limited",
                f"{source.label} webhook rate limited (over {limit} leads in 10 minutes)",
                metadata={"source": source.key},
            )
        raise RateLimited(f"Rate limit: at most {limit} leads per source every 10 minutes.")
    validate(payload)
    inbound = InboundLead.objects.create(source=source, payload=payload)
    transaction.on_commit(lambda: _queue(inbound.pk))
    return inbound


def _queue(inbound_id: int) -> None:
    from leads.tasks import process_inbound_lead

    try:
        process_inbound_lead.delay(inbound_id)
    except Exception:  # broker down: the row is stored, the beat sweep makes the lead
        logger.exception("Could not queue inbound lead %s; the sweep will process it", inbound_id)


def ingest_lead(payload: dict, *, source: LeadSource) -> tuple[Lead, str]:
    """Turn a validated payload into a lead; returns (lead, "created" | "reactivated").

    BookBack AI posting a known phone (last 10 digits) reactivates that lead instead.
    """
    clean = validate(payload)
    fields = clean.fields
    if source.key == "bookback":
        existing = (
            Lead.objects.filter(phone_last10=phones.last10(clean.phone))
            .order_by("-received_at")
            .first()
        )
        if existing is not None:
            return reactivate(lead=existing, fields=fields, payload=payload), "reactivated"
    extra = {name: fields[name][:limit] for name, limit in TEXT_LIMITS.items() if fields.get(name)}
    email = fields.get("email", "")
    lead = create_lead(
        office=resolve_office(fields, source),
        source=source,
        first_name=clean.first_name,
        last_name=clean.last_name,
        phone=clean.phone,
        email=email if "@" in email else "",
        zip_code=fields.get("zip_code", ""),
        received_at=clean.received_at,
        fee=clean.fee,
        notes=fields.get("notes", ""),
        is_bookback=source.key == "bookback",
        via="webhook",
        **extra,
    )
    if source.key == "bookback":
        _record_bookback_call(lead, fields, payload, previous_status="")
    return lead, "created"


def _record_bookback_call(lead: Lead, fields: dict, payload: dict, previous_status: str) -> None:
    BookBackCall.objects.create(
        lead=lead,
        playbook_score=fields.get("playbook_score", "")[:40],
        objection=fields.get("objection", "")[:300],
        recording_url=fields.get("recording_url", "")[:500],
        previous_status=previous_status,
        payload=payload,
    )


@transaction.atomic
def reactivate(*, lead: Lead, fields: dict, payload: dict) -> Lead:
    """BookBack AI hit a known phone: the lead comes back to Fresh instead of a duplicate.

    Calls zeroed, claim and callback cleared, out of the archive, BookBack notes
    appended under a timestamp header, a BookBackCall row, timeline + audit.
    """
    lead = Lead.objects.select_for_update().select_related("source", "office").get(pk=lead.pk)
    was = f"{Status(lead.status).label} ({lead.source.label})"
    previous_status = lead.status
    lead.status, lead.call_count, lead.next_contact_at = Status.FRESH, 0, None
    lead.claimed_by, lead.claimed_at, lead.irrelevant_reason = None, None, ""
    lead.is_bookback, lead.is_archived, lead.archived_at = True, False, None
    if fields.get("notes"):
        stamp = business_now()
        header = f"— BookBack AI · {stamp:%b %-d, %Y %-I:%M %p} ET —"
        lead.notes = f"{lead.notes}\n\n{header}\n{fields['notes']}".strip()
    lead.save()
    _record_bookback_call(lead, fields, payload, previous_status)
    record(
        lead,
        kind="sys",
        body=f"⚡ Reactivated by BookBack AI — was {was}",
        data={"previous": previous_status},
    )
    audit(
        "lead.reactivated",
        f"{lead.full_name} reactivated by BookBack AI — was {was}",
        office=lead.office,
        metadata={"lead_id": lead.pk, "previous_status": previous_status},
    )
    emit_for(lead, "lead.reactivated")
    return lead


MAX_ATTEMPTS = 5
CLAIM_TIMEOUT = datetime.timedelta(minutes=10)


def process_inbound(inbound_id: int) -> InboundLead | None:
    """Make the lead of one inbox row, once: a second run of the same id is a no-op.

    A refusal (DomainError) fails the row for good; any other error (a locked or
    restarted database) is kept on the row and the row left pending: its task retries it
    within seconds, and the sweep is the safety net, up to five attempts in all.
    """
    now = timezone.now()
    claimable = Q(state=InboundLead.State.PENDING) | Q(
        state=InboundLead.State.PROCESSING, claimed_at__lt=now - CLAIM_TIMEOUT
    )
    # One conditional UPDATE is the claim: of two concurrent runs only one matches.
    claimed = InboundLead.objects.filter(claimable, pk=inbound_id).update(
        state=InboundLead.State.PROCESSING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    inbound = InboundLead.objects.select_related("source").get(pk=inbound_id)
    try:
        with transaction.atomic():
            lead, action = ingest_lead(inbound.payload, source=resolve_source(inbound.source.key))
            inbound.state, inbound.lead, inbound.action, inbound.error = "done", lead, action, ""
            inbound.save(update_fields=["state", "lead", "action", "error"])
    except DomainError as error:
        logger.warning(
            "Inbound lead %s from %s refused: %s", inbound.pk, inbound.source.key, error.message
        )
        inbound.state, inbound.error = InboundLead.State.FAILED, error.message
        inbound.save(update_fields=["state", "error"])
    except Exception as error:  # retried: an accepted lead is never dropped
        logger.exception(
            "Inbound lead %s from %s failed (attempt %s of %s): %s",
            inbound.pk,
            inbound.source.key,
            inbound.attempts,
            MAX_ATTEMPTS,
            error,
        )
        retry = inbound.attempts < MAX_ATTEMPTS
        inbound.state = InboundLead.State.PENDING if retry else InboundLead.State.FAILED
        inbound.error = f"{type(error).__name__}: {error}"
        inbound.save(update_fields=["state", "error"])
    return inbound


def pending_inbound_ids(limit: int = 500) -> list[int]:
    """Rows the broker never delivered, or whose worker died or hit an error."""
    now = timezone.now()
    stale = Q(
        state=InboundLead.State.PENDING, received_at__lt=now - datetime.timedelta(minutes=1)
    ) | Q(state=InboundLead.State.PROCESSING, claimed_at__lt=now - CLAIM_TIMEOUT)
    return list(
        InboundLead.objects.filter(stale)
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
