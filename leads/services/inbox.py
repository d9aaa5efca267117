"""CP → 📥 Inbox failures: accepted webhook rows that could not be made into leads.

The owner reads the payload and the reason, fixes the cause (adds the missing office or
source...), then retries the row through the same task a new post takes, or dismisses it.
Both are owner-only actions, audited.
"""

from django.db import transaction

from crm import permissions
from crm.errors import DomainError
from crm.timeline.services import audit
from leads.models import InboundLead
from leads.services.ingest import queue_processing


def failures():
    """Rows that failed for good, newest first (the inbox state index serves it)."""
    return (
        InboundLead.objects.filter(state=InboundLead.State.FAILED)
        .select_related("source")
        .order_by("-received_at")
    )


def failure_count() -> int:
    return InboundLead.objects.filter(state=InboundLead.State.FAILED).count()


def _failed_row(actor, inbound_id: int) -> InboundLead:
    inbound = (
        InboundLead.objects.select_for_update(of=("self",))
        .select_related("source")
        .filter(pk=inbound_id)
        .first()
    )
    if inbound is None or inbound.state != InboundLead.State.FAILED:
        raise DomainError("That inbox row is no longer failed: it was retried or dismissed.")
    return inbound


@transaction.atomic
def retry(*, actor, inbound_id: int) -> InboundLead:
    """Send a failed row through processing again, with a fresh set of attempts.
    Needs controlpanel.access (the owner handles inbox failures)."""
    permissions.check(actor, "controlpanel.access")
    inbound = _failed_row(actor, inbound_id)
    previous_error = inbound.error
    inbound.state, inbound.attempts, inbound.claimed_at = InboundLead.State.PENDING, 0, None
    inbound.save(update_fields=["state", "attempts", "claimed_at"])
    audit(
        "inbound.retried",
        f"{inbound.source.label} lead #{inbound.pk} retried (was: {previous_error})",
        actor=actor,
        metadata={"inbound_id": inbound.pk},
    )
    transaction.on_commit(lambda: queue_processing(inbound.pk))
    return inbound


@transaction.atomic
def dismiss(*, actor, inbound_id: int) -> InboundLead:
    """Let a failed row go (a test post, a duplicate): it leaves the list, kept for audit.
    Needs controlpanel.access."""
    permissions.check(actor, "controlpanel.access")
    inbound = _failed_row(actor, inbound_id)
    inbound.state = InboundLead.State.DISMISSED
    inbound.save(update_fields=["state"])
    audit(
        "inbound.dismissed",
        f"{inbound.source.label} lead #{inbound.pk} dismissed ({inbound.error})",
        actor=actor,
        metadata={"inbound_id": inbound.pk},
    )
    return inbound
