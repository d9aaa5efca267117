"""Finance hears job events: it reads jobs, and jobs never call finance."""

from django.db import transaction

from crm import events
from finance.services import stamp_house_brand_paid
from jobs.models import Job, Status


@events.on("job.status_changed", key="finance.house_brand_paid")
def stamp_house_brand_on_done(event) -> None:
    """House-brand auto-K: a job that went Done (and still is) gets partner-paid "Auto"
    when its partner keeps 100%. Run twice, it stamps once (a stamp is kept)."""
    if event.payload.get("new") != Status.DONE:
        return
    with transaction.atomic():
        job = (
            Job.objects.select_for_update(of=("self",))
            .select_related("source", "office")
            .filter(pk=event.payload["job"], status=Status.DONE)
            .first()
        )
        if job is not None:
            stamp_house_brand_paid(job)
