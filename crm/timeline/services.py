"""Writing history: `record` a timeline entry, `audit` a system event.

Both are called by domain actions inside their transaction, never by views.
"""

from django.db import models
from django.utils import timezone

from crm.events import jsonable
from crm.timeline.models import AuditEvent, TimelineEntry


def record(
    subject: models.Model,
    *,
    kind: str,
    body: str,
    actor=None,
    data: dict | None = None,
    at=None,
    staff_only: bool = False,
) -> TimelineEntry:
    """Add a line to `subject`'s timeline (a lead or a job: anything with `office`).

    `at` dates the line when it records something that happened earlier (a lead's arrival);
    `staff_only` keeps it from partner logins.
    """
    return TimelineEntry.objects.create(
        created_at=at or timezone.now(),
        subject_type=subject._meta.model_name,
        subject_id=subject.pk,
        subject_label=str(subject)[:160],
        kind=kind,
        office_id=getattr(subject, "office_id", None),
        actor=actor,
        body=body,
        data=jsonable(data or {}),
        staff_only=staff_only,
    )


def audit(
    kind: str, text: str, *, actor=None, office=None, metadata: dict | None = None
) -> AuditEvent:
    """Write one audit row; no actor means "System", no office means "all"."""
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        actor_label=(actor.full_name or actor.email) if actor else "System",
        office=office,
        office_label=office.name if office else "all",
        text=text[:300],
        metadata=jsonable(metadata or {}),
    )
