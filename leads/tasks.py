from celery import shared_task

from leads.models import InboundLead
from leads.services import ingest


@shared_task(bind=True, max_retries=ingest.MAX_ATTEMPTS)
def process_inbound_lead(self, inbound_id: int) -> None:
    """Make the lead of one inbox row. A row left pending hit a transient error (a locked
    or restarted database): retry it within seconds rather than wait for the sweep."""
    inbound = ingest.process_inbound(inbound_id)
    if inbound is not None and inbound.state == InboundLead.State.PENDING:
        raise self.retry(countdown=2**inbound.attempts)  # 2, 4, 8, 16 s


@shared_task
def sweep_inbound_leads() -> int:
    """Beat: finish inbox rows the broker lost or a worker dropped."""
    ids = ingest.pending_inbound_ids()
    for inbound_id in ids:
        ingest.process_inbound(inbound_id)
    return len(ids)
