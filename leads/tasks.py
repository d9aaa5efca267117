from celery import shared_task

from leads.services import ingest


@shared_task
def process_inbound_lead(inbound_id: int) -> None:
    ingest.process_inbound(inbound_id)


@shared_task
def sweep_inbound_leads() -> int:
    """Beat: finish inbox rows the broker lost or a worker dropped."""
    ids = ingest.pending_inbound_ids()
    for inbound_id in ids:
        ingest.process_inbound(inbound_id)
    return len(ids)
