"""Owner CP setting: each lead source's snooze sequence (the call-attempt steps)."""

from django.db import transaction

from crm.errors import DomainError
from crm.permissions import check
from leads.models import LeadSource
from leads.services.sources import audit_setting_change

MAX_SNOOZE_STEPS = 60
MAX_STEP_MINUTES = 30 * 24 * 60


@transaction.atomic
def set_snooze_steps(*, actor, source: LeadSource, steps_minutes: list[int]) -> LeadSource:
    """Replace a source's snooze sequence: 1–60 steps, each 1 minute to 30 days.

    Raises DomainError otherwise. Audited with the old and new steps; emits
    `settings.changed`. Leads already mid-sequence continue from their call count.
    """
    check(actor, "controlpanel.access")
    steps = list(steps_minutes)
    if not 1 <= len(steps) <= MAX_SNOOZE_STEPS:
        raise DomainError(f"A sequence needs between 1 and {MAX_SNOOZE_STEPS} steps.")
    for step in steps:
        if isinstance(step, bool) or not isinstance(step, int):
            raise DomainError("Each step must be a whole number of minutes.")
        if not 1 <= step <= MAX_STEP_MINUTES:
            raise DomainError("Each step must be between 1 minute and 30 days.")
    source = LeadSource.objects.select_for_update().get(pk=source.pk)
    old = list(source.snooze_steps or [])
    if old == steps:
        return source
    source.snooze_steps = steps
    source.save(update_fields=["snooze_steps"])
    audit_setting_change(
        "snooze_sequence.saved",
        actor,
        f"Snooze sequence for {source.label}: {len(old)} → {len(steps)} steps",
        source_id=source.pk,
        key=source.key,
        old=old,
        new=steps,
    )
    return source
