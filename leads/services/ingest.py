"""Inbound leads from partners' webhooks: field aliases, office resolution, BookBack
reactivation. Every new lead still goes through `create_lead`."""

import datetime
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.db.models import F, Q, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from crm import phones, ratelimit
from crm.accounts.models import Office
from crm.dateranges import business_now
from crm.errors import DomainError
from crm.permissions import check
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
EMAIL = EmailValidator()
WEB_LINK = URLValidator(schemes=["http", "https"])
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


# The rest of what is stored (email on the lead, the others on a BookBack call row).
OTHER_LIMITS = {"email": 254, "playbook_score": 40, "objection": 300, "recording_url": 500}
NAME_LIMIT = 80  # each of first and last name (the Lead columns)
FEE_LIMIT = Decimal("10000000")  # the column holds up to 9,999,999.99
EARLIEST = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)
MAX_UTC_OFFSET = datetime.timedelta(hours=14)  # the furthest real zones go (Kiribati)
REQUIRED_TEXT = ("full_name", "first_name", "last_name", "phone")


class RateLimited(DomainError):
    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def _first_value(payload: dict, aliases: tuple[str, ...]) -> tuple[str, object] | None:
    """(alias, value) of the first alias the payload fills, whatever its JSON type."""
    for alias in aliases:
        value = payload.get(alias)
        if value is not None and value != "":
            return alias, value
    return None


def read_fields(payload: dict) -> dict[str, str]:
    """Our field names → the first non-empty alias value, as stripped text (imports)."""
    found = {name: _first_value(payload, aliases) for name, aliases in ALIASES.items()}
    return {name: str(hit[1]).strip() for name, hit in found.items() if hit}


def _kind(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a JSON object"
    if isinstance(value, list):
        return "a list"
    return "a number"


def _shown(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "…"


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


def parse_received_at(raw: str) -> datetime.datetime | None:
    """Epoch seconds or ISO 8601 between 1970 and 2100 with a real UTC offset; else None.

    A time without an offset is UTC. Impossible dates (Feb 30, hour 25) are None too.
    """
    try:
        if raw.isascii() and raw.isdigit():  # epoch seconds (Facebook sends these)
            value = datetime.datetime.fromtimestamp(int(raw[:12]), tz=datetime.UTC)
        else:
            parsed = parse_datetime(raw.replace(" ", "T", 1) if "T" not in raw else raw)
            if parsed is None:
                return None
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed, datetime.UTC)
            if abs(parsed.utcoffset()) > MAX_UTC_OFFSET:
                return None
            value = parsed
        return value if EARLIEST <= value < LATEST else None
    except (ValueError, OverflowError, OSError):  # the comparison converts to UTC too
        return None


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
    # Compared before rounding (a huge exponent cannot be rounded) and after (9999999.999).
    if fee < 0 or fee >= FEE_LIMIT or (fee := fee.quantize(Decimal("0.01"))) >= FEE_LIMIT:
        raise DomainError(f"fee '{raw}' is out of range.")
    return fee


# Step 2 reads CP → CTM Numbers, which belongs to messaging (an app built on leads): it
# registers its lookup at startup (messaging.apps) rather than leads importing it.
# A lookup takes the tracking-source label and answers (office, the matched number) or None.
_tracking_source_lookups: list[Callable[[str], tuple[Office, str] | None]] = []


def register_tracking_source_lookup(lookup: Callable[[str], tuple[Office, str] | None]) -> None:
    if lookup not in _tracking_source_lookups:
        _tracking_source_lookups.append(lookup)


def resolve_office(fields: dict, source: LeadSource) -> tuple[Office, str]:
    """Payload office → CTM Tracking Source match → the source's default office → General.

    Returns the office and, for a Tracking Source match, the "🏢 Office auto-set…" note
    for the lead's timeline ("" otherwise).
    """
    if fields.get("office"):
        office = Office.objects.filter(name__iexact=fields["office"]).first()
        if office is not None:
            return office, ""
    label = fields.get("tracking_source", "")
    for lookup in _tracking_source_lookups if label else ():
        if found := lookup(label):
            office, number = found
            return office, (
                f"🏢 Office auto-set to {office.name} — Tracking Source “{label}” "
                f"is CTM number {number}"
            )
    if source.default_office:
        return source.default_office, ""
    if getattr(source, "general_office_id", None):  # fetched with the source: no extra query
        return Office(pk=source.general_office_id, name=source.general_office_name), ""
    return general_office(), ""


@dataclass(frozen=True)
class CleanLead:
    """An inbound payload that passed validation: what a lead needs, in our names.

    `fields` holds only values that will be stored; `dropped` says, for the lead's
    timeline, which optional values were not usable and why.
    """

    fields: dict
    first_name: str
    last_name: str
    phone: str
    received_at: datetime.datetime
    fee: Decimal | None
    dropped: tuple[str, ...]


def _required_text(found: dict) -> dict[str, str]:
    """Name and phone: text or nothing. A JSON object, list, number or true/false is refused."""
    texts = {}
    for name in REQUIRED_TEXT:
        if name in found:
            alias, value = found.pop(name)
            if not isinstance(value, str):
                raise DomainError(f"{alias} must be text, not {_kind(value)}.")
            texts[name] = value.strip()
    return texts


def _optional_text(found: dict, dropped: list[str]) -> dict[str, str]:
    """The other fields as text; what does not fit its column is dropped with a reason."""
    limits = TEXT_LIMITS | OTHER_LIMITS
    texts = {}
    for name, (alias, value) in found.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            dropped.append(f"{alias} was {_kind(value)}, not text, and was not saved.")
            continue
        text = str(value).strip()
        limit = limits.get(name)
        if limit and len(text) > limit:
            dropped.append(f"{alias} was longer than {limit} characters and was not saved.")
        elif text:
            texts[name] = text
    return texts


def _checked(fields: dict, name: str, check, message: str, dropped: list[str]) -> None:
    """Drop fields[name] with `message` (formatted with the value) when `check` refuses it."""
    if name in fields:
        try:
            check(fields[name])
        except ValidationError:
            dropped.append(message.format(_shown(fields.pop(name))))


def validate(payload: dict) -> CleanLead:
    """Check an inbound payload without touching the database.

    Refused with DomainError (nothing stored): no name, a name or phone that is not
    text, a name part over 80 characters, no valid US phone. Anything optional that the
    database would not take (a bad email, a non-http link, a fee past the column, an
    impossible created_time, an overlong campaign...) is dropped and listed in `dropped`:
    a lead with a good phone is worth a call.
    """
    found = {name: _first_value(payload, aliases) for name, aliases in ALIASES.items()}
    found = {name: hit for name, hit in found.items() if hit}
    required = _required_text(found)
    dropped: list[str] = []
    fields = {**required, **_optional_text(found, dropped)}
    first_name, last_name = required.get("first_name", ""), required.get("last_name", "")
    if not first_name:
        first_name, last_name = split_name(required.get("full_name", ""))
    if not first_name:
        raise DomainError("A lead needs a name (full_name, fullName or name).")
    if len(first_name) > NAME_LIMIT or len(last_name) > NAME_LIMIT:
        raise DomainError(
            f"The name is too long: first and last name may have {NAME_LIMIT} characters each."
        )
    try:
        phone = phones.normalize_phone(required.get("phone", ""))
    except ValueError as exc:
        raise DomainError(f"A lead needs a valid phone (phone_number or phone): {exc}") from exc
    _checked(fields, "email", EMAIL, 'Email "{}" was not valid and was not saved.', dropped)
    _checked(
        fields, "recording_url", WEB_LINK,
        'recording_url "{}" is not an http(s) link and was not saved.', dropped,
    )  # fmt: skip
    fee = None
    if "fee" in fields:
        try:
            fee = parse_fee(fields["fee"])
        except DomainError:
            dropped.append(
                f'fee "{_shown(fields.pop("fee"))}" is not an amount between 0 and '
                "9,999,999.99 and was not saved."
            )
    received_at = None
    if "created_time" in fields:
        received_at = parse_received_at(fields["created_time"])
        if received_at is None:
            dropped.append(
                f'created_time "{_shown(fields.pop("created_time"))}" is not a date and time '
                "between 1970 and 2100; the time received was used."
            )
    return CleanLead(
        fields=fields,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        received_at=received_at or timezone.now(),
        fee=fee,
        dropped=tuple(dropped),
    )


def accept_inbound(payload: dict, *, source_key: str, actor=None) -> InboundLead:
    """The webhook's whole synchronous job: validation, source, rate limit, one insert.

    Raises DomainError for unusable input and RateLimited when the source already had
    100 leads accepted in the last 10 minutes (a sliding window over the inbox itself, so
    refused posts never count; audited once per window); either way nothing is stored.
    The lead itself is made by `process_inbound` in a Celery task, queued after commit.
    Needs leads.create (the webhook acts as the system: no actor).
    """
    check(actor, "leads.create")
    validate(payload)  # no database needed: bad input never waits for the lock below
    limit, window = RATE_LIMIT
    with transaction.atomic():
        # The source row's lock makes "count, then insert" one step per source: of two
        # posts racing for the 100th place, one waits and then counts the other's row.
        # (On SQLite the IMMEDIATE transaction already holds the write lock.)
        source = (
            LeadSource.objects.select_for_update()
            .filter(key=source_key.strip().lower())
            .only("id", "key", "label")
            .first()
        )
        if source is None:
            raise DomainError(f"Unknown source '{source_key}'. Add it in CP → Lead Sources.")
        now = timezone.now()
        recent = InboundLead.objects.filter(
            source=source, received_at__gt=now - datetime.timedelta(seconds=window)
        ).order_by("-received_at")
        full = list(recent.values_list("received_at", flat=True)[limit - 1 : limit])
        if not full:
            inbound = InboundLead.objects.create(source=source, payload=payload, received_at=now)
    if full:  # refused outside the transaction, so its audit entry is kept
        _refuse(source, limit, window, freed_at=full[0], now=now)
    transaction.on_commit(lambda: queue_processing(inbound.pk))
    return inbound


def _refuse(source: LeadSource, limit: int, window: int, *, freed_at, now) -> None:
    """429: say when the oldest lead in the window leaves it and frees a place."""
    retry_after = max(1, math.ceil((freed_at - now).total_seconds() + window))
    if ratelimit.first_refusal(f"webhook-audit:{source.key}", window_seconds=window):
        audit(
            "webhook.rate_limited",
            f"{source.label} webhook rate limited (over {limit} leads in 10 minutes)",
            metadata={"source": source.key},
        )
    raise RateLimited(
        f"Rate limit: at most {limit} leads per source every 10 minutes; "
        f"try again in {retry_after} seconds.",
        retry_after=retry_after,
    )


def queue_processing(inbound_id: int) -> None:
    from leads.tasks import process_inbound_lead  # inside: the task module imports this one

    try:
        process_inbound_lead.delay(inbound_id)
    except Exception:  # broker down: the row is stored, the beat sweep makes the lead
        logger.exception("Could not queue inbound lead %s; the sweep will process it", inbound_id)


def ingest_lead(payload: dict, *, source: LeadSource, actor=None) -> tuple[Lead, str]:
    """Turn a validated payload into a lead; returns (lead, "created" | "reactivated").

    BookBack AI posting a known phone (last 10 digits) reactivates that lead instead.
    What validation dropped is written to the lead's timeline, one line each.
    Needs leads.create.
    """
    check(actor, "leads.create")
    clean = validate(payload)
    fields = clean.fields
    lead, action = None, "created"
    if source.key == "bookback":
        existing = (
            Lead.objects.filter(phone_last10=phones.last10(clean.phone))
            .order_by("-received_at")
            .first()
        )
        if existing is not None:
            lead = reactivate(lead=existing, fields=fields, payload=payload, actor=actor)
            action = "reactivated"
    if lead is None:
        office, office_note = resolve_office(fields, source)
        lead = create_lead(
            office=office,
            source=source,
            first_name=clean.first_name,
            last_name=clean.last_name,
            phone=clean.phone,
            email=fields.get("email", ""),
            zip_code=fields.get("zip_code", ""),
            received_at=clean.received_at,
            fee=clean.fee,
            notes=fields.get("notes", ""),
            is_bookback=source.key == "bookback",
            via="webhook",
            actor=actor,
            **{name: fields[name] for name in TEXT_LIMITS if name in fields},
        )
        if source.key == "bookback":
            _record_bookback_call(lead, fields, payload, previous_status="")
        if office_note:
            record(lead, kind="sys", body=office_note)
    for reason in clean.dropped:
        record(lead, kind="sys", body=f"⚠ {reason}")
    return lead, action


def _record_bookback_call(lead: Lead, fields: dict, payload: dict, previous_status: str) -> None:
    BookBackCall.objects.create(
        lead=lead,
        playbook_score=fields.get("playbook_score", ""),
        objection=fields.get("objection", ""),
        recording_url=fields.get("recording_url", ""),
        previous_status=previous_status,
        payload=payload,
    )


@transaction.atomic
def reactivate(*, lead: Lead, fields: dict, payload: dict, actor=None) -> Lead:
    """BookBack AI hit a known phone: the lead comes back to Fresh instead of a duplicate.

    Calls zeroed, claim and callback cleared, out of the archive, BookBack notes
    appended under a timestamp header, a BookBackCall row, timeline + audit.
    Needs leads.edit on the lead (BookBack's webhook acts as the system: no actor).
    """
    check(actor, "leads.edit", obj=lead)
    lead = (
        Lead.objects.select_for_update(of=("self",))
        .select_related("source", "office")
        .get(pk=lead.pk)
    )
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


def process_inbound(inbound_id: int, *, actor=None) -> InboundLead | None:
    """Make the lead of one inbox row, once: a second run of the same id is a no-op.

    A refusal (DomainError) fails the row for good; any other error (a locked or
    restarted database) is kept on the row and the row left pending: its task retries it
    within seconds, and the sweep is the safety net, up to five attempts in all.
    Needs leads.create (tasks run it as the system: no actor).
    """
    check(actor, "leads.create")
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
        inbound.state, inbound.error = InboundLead.State.FAILED, error.message
        inbound.save(update_fields=["state", "error"])
        _report_failure(inbound)
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
        if not retry:
            _report_failure(inbound)
    return inbound


def _report_failure(inbound: InboundLead) -> None:
    """A row that will not be retried again: the owner finds it on CP → 📥 Inbox failures."""
    logger.error(
        "Inbound lead %s from %s failed for good: %s",
        inbound.pk,
        inbound.source.key,
        inbound.error,
    )
    audit(
        "inbound.failed",
        f"{inbound.source.label} lead #{inbound.pk} could not be made: {inbound.error}",
        metadata={"inbound_id": inbound.pk, "source": inbound.source.key},
    )


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
