"""Which webhook slots an event fires, which endpoints hear it, and the deliveries owed.

The event → slot table (spec: "Outbound webhooks", "Job statuses (deep dive)",
"Re-opening a Cancelled job", "Lead statuses & urgency", "Finance dashboard"):

- job.created (Submitted) → Jobs (Workiz format) and BookBack Jobs (main URL only).
- job.status_changed → Done / Deposit / Cancelled by the new status; a Cancelled job
  re-opened to Submitted → Jobs. A move to Deposit sets the expected completion date (no
  `job.expected_completion_changed` is emitted for it), so it also fires the Expected
  Completion fan-outs: "initial deposit or any later adjustment".
- job.expected_completion_changed (a later adjustment) → Expected Completion (fan-outs only).
- job.finance_cancelled → Finance-Cancelled (the FinanceCancel* fields in the payload).
- lead.created (manual, bulk import, inbound webhook, online booking) → New Lead. The
  booking widget's test mode makes no lead at all, so it never fires.
- lead.status_changed to Irrelevant → Cancelled Leads.
- job.imported (Workiz import) and every other event → nothing.

The standard payload is the event's snapshot as it was at emit time. Fan-out filters read
the event alone (its office, its partner name, the snapshot's job type and source
labels): neither the job nor the lead is loaded.
"""

import logging
import uuid

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from automations.webhooks import bodies
from automations.webhooks.models import (
    FANOUT_ONLY,
    JOB_SLOTS,
    MAIN_ONLY,
    Delivery,
    DeliveryState,
    Endpoint,
    Slot,
)

logger = logging.getLogger(__name__)

# webhook-id = "msg_" + uuid5(this namespace, the event id): the same on every retry and
# replay of the event's deliveries (the receiver's idempotency key). Never change it.
WEBHOOK_ID_NAMESPACE = uuid.UUID("5b0f3c8e-2f7a-4d1e-9a61-6f2a0c1b7e44")

# The job statuses' and lead status's values (jobs.models.Status, leads.models.Status),
# as the events carry them.
_JOB_STATUS_SLOTS = {
    "done": Slot.DONE,
    "deposit": Slot.DEPOSIT,
    "cancelled": Slot.CANCELLED,
}
SUBMITTED = "submitted"
DEPOSIT = "deposit"
IRRELEVANT = "irrelevant"

# The events the webhooks listen to (handlers.py registers one handler for each).
ROUTED_EVENTS = (
    "job.created",
    "job.status_changed",
    "job.expected_completion_changed",
    "job.finance_cancelled",
    "lead.created",
    "lead.status_changed",
)
FINANCE_CANCEL_FIELDS = (
    "FinanceCancelReason",
    "FinanceCancelNote",
    "FinanceCancelledAt",
    "FinanceCancelledBy",
)


def webhook_id(event_id: int) -> str:
    return f"msg_{uuid.uuid5(WEBHOOK_ID_NAMESPACE, str(event_id))}"


def slots_for(event) -> list[str]:
    """The slots event `event` (a crm DomainEvent) fires, in a stable order."""
    name, payload = event.name, event.payload or {}
    if name == "job.created":
        return [Slot.JOBS, Slot.BOOKBACK_JOBS]
    if name == "job.status_changed":
        new = payload.get("new")
        if new == SUBMITTED:
            return [Slot.JOBS] if payload.get("reopened") else []
        slots = [_JOB_STATUS_SLOTS[new]] if new in _JOB_STATUS_SLOTS else []
        if new == DEPOSIT:
            slots.append(Slot.EXPECTED_COMPLETION)
        return slots
    if name == "job.expected_completion_changed":
        return [Slot.EXPECTED_COMPLETION]
    if name == "job.finance_cancelled":
        return [Slot.FINANCE_CANCELLED]
    if name == "lead.created":
        return [Slot.NEW_LEAD]
    if name == "lead.status_changed":
        return [Slot.CANCELLED_LEADS] if payload.get("new") == IRRELEVANT else []
    return []


def standard_payload(event) -> dict:
    """The event's Workiz-shape snapshot, exactly; a finance-cancel event's own
    FinanceCancel* fields over it (the snapshot holds them too)."""
    payload = dict((event.payload or {}).get("snapshot") or {})
    if event.name == "job.finance_cancelled":
        payload |= {field: event.payload.get(field, "") for field in FINANCE_CANCEL_FIELDS}
    return payload


def _dimension(through, match: Q) -> Q:
    """One filter dimension of a fan-out: nothing picked (any value) or a picked one
    matches (`match`, on the M2M through table)."""
    picked = through.objects.filter(endpoint_id=OuterRef("pk"))
    return ~Q(Exists(picked)) | Q(Exists(picked.filter(match)))


def fanout_filter(event, *, is_job: bool) -> Q:
    """Fan-outs whose filters match the event: OR within a dimension, AND across, an empty
    dimension = any. Job events: Office, Partner (the job's Job Partner), Job Type. Lead
    events: Office, Source (the lead source, by id), Partner (the lead's partner name, matched to a
    Job Partner's name case-insensitively). Read from the event, not the record."""
    snapshot = (event.payload or {}).get("snapshot") or {}
    partner = event.partner_name or (snapshot.get("JobSource", "") if is_job else "")
    condition = _dimension(Endpoint.offices.through, Q(office_id=event.office_id))
    condition &= _dimension(Endpoint.partners.through, Q(jobpartner__name__iexact=partner or None))
    if is_job:
        job_type = snapshot.get("JobType") or None
        condition &= _dimension(Endpoint.job_types.through, Q(jobtype__label__iexact=job_type))
    else:
        source = event.payload.get("source")
        condition &= _dimension(Endpoint.lead_sources.through, Q(leadsource_id=source))
    return condition


def endpoints_for(event, slots: list[str]) -> list[Endpoint]:
    """The endpoints the event goes to: each slot's enabled main URL, then its enabled
    fan-outs whose filters match. A receiver that answered 410 Gone gets nothing. A
    failure looking up the fan-outs is logged and never keeps the main URLs from theirs."""
    live = Q(slot__in=slots, enabled=True, gone_at__isnull=True)
    found = list(Endpoint.objects.filter(live, is_main=True).exclude(slot__in=FANOUT_ONLY))
    fanout_slots = [slot for slot in slots if slot not in MAIN_ONLY]
    if not fanout_slots:
        return found
    is_job = fanout_slots[0] in JOB_SLOTS
    try:
        with transaction.atomic():  # a savepoint: a failed query leaves the rest usable
            found += Endpoint.objects.filter(
                live, fanout_filter(event, is_job=is_job), slot__in=fanout_slots, is_main=False
            ).order_by("slot", "id")
    except Exception:
        logger.exception("Webhook fan-out lookup failed for %s; main URLs still sent", event)
    return found


def make_deliveries(event) -> dict[str, list[int]]:
    """One pending Delivery per endpoint the event goes to, due now, its body rendered
    once. Returns the ids made, by slot. Run again for the same event it makes none: a
    delivery is unique on (event, endpoint)."""
    slots = slots_for(event)
    if not slots:
        return {}
    payload = standard_payload(event)
    message_id = webhook_id(event.pk)
    made: dict[str, list[int]] = {}
    with transaction.atomic():
        for endpoint in endpoints_for(event, slots):
            body, content_type, headers = bodies.build(endpoint, payload)
            now = timezone.now()
            delivery, created = Delivery.objects.get_or_create(
                event_id=event.pk,
                endpoint=endpoint,
                defaults={
                    "url": endpoint.url,
                    "slot": endpoint.slot,
                    "event_name": event.name,
                    "webhook_id": message_id,
                    "body": body,
                    "content_type": content_type,
                    "headers": headers,
                    "state": DeliveryState.PENDING,
                    "next_attempt_at": now,
                    "created_at": now,
                },
            )
            if created:
                made.setdefault(endpoint.slot, []).append(delivery.pk)
    return made
