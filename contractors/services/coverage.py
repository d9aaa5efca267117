"""Coverage: which service areas a contractor opts into, toggled one pin at a time from the
🗺 Areas editor. Audited and emitted like every contractor change."""

from django.db import transaction

from contractors.models import Contractor, ServiceArea
from contractors.services.contractors import audit_change
from crm.permissions import check


@transaction.atomic
def set_area_covered(*, actor, contractor: Contractor, area: ServiceArea, covered: bool) -> int:
    """Add or remove one area from a contractor's coverage; returns its new area count.

    Idempotent: the wanted state is posted, so a retried or doubled click changes nothing
    the second time (and writes no second audit row).
    """
    check(actor, "contractors.edit")
    through = Contractor.service_areas.through
    link = through.objects.filter(contractor_id=contractor.pk, servicearea_id=area.pk)
    changed = False
    if covered and not link.exists():
        through.objects.create(contractor_id=contractor.pk, servicearea_id=area.pk)
        changed = True
    elif not covered:
        changed = link.delete()[0] > 0
    if changed:
        verb = "now covers" if covered else "no longer covers"
        audit_change(
            actor,
            f"Contractor {contractor.name} {verb} {area.label}",
            contractor_id=contractor.pk,
            change="area_added" if covered else "area_removed",
            area_id=area.pk,
        )
    return through.objects.filter(contractor_id=contractor.pk).count()
