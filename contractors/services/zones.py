"""Priority zones: a drawn polygon, a job type and the order dispatch should try
contractors in. Admin and above edit them (`contractors.zones`)."""

from collections.abc import Sequence

from django.db import transaction

from contractors.models import Contractor, JobType, PriorityZone, PriorityZoneContractor
from crm import events
from crm.errors import DomainError
from crm.permissions import check
from crm.timeline.services import audit

MAX_VERTICES = 200


def zone_contractor_picks(job_type: JobType):
    """Who may be put on a zone of this job type: active contractors who do it."""
    return Contractor.objects.filter(is_active=True, job_types=job_type).order_by("name")


def clean_polygon(raw) -> list[list[float]]:
    """[[lat, lng], ...] with at least 3 vertices, each a real coordinate; DomainError else."""
    if not isinstance(raw, list) or not 3 <= len(raw) <= MAX_VERTICES:
        raise DomainError(f"Draw a zone with 3 to {MAX_VERTICES} corners.")
    polygon = []
    for vertex in raw:
        try:
            lat, lng = (float(value) for value in vertex)
        except (TypeError, ValueError):
            raise DomainError("The zone's corners are not coordinates.") from None
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise DomainError("The zone's corners are not coordinates.")
        polygon.append([round(lat, 6), round(lng, 6)])
    return polygon


def _ordered_contractors(job_type: JobType, contractor_ids: Sequence[int]) -> list[Contractor]:
    if len(set(contractor_ids)) != len(contractor_ids):
        raise DomainError("A contractor can be on the list only once.")
    eligible = zone_contractor_picks(job_type).in_bulk(contractor_ids)
    missing = [pk for pk in contractor_ids if pk not in eligible]
    if missing:
        raise DomainError(
            f"Only active contractors who do {job_type.label} can be on this zone's list."
        )
    return [eligible[pk] for pk in contractor_ids]


@transaction.atomic
def save_zone(
    *,
    actor,
    zone: PriorityZone | None = None,
    name: str,
    job_type: JobType,
    polygon,
    contractor_ids: Sequence[int],
) -> PriorityZone:
    """Create or update a zone with its contractors in priority order (first = tried first).

    Everything is checked before anything is written. Audited as "settings.changed";
    emits `zone.created` or `zone.updated`.
    """
    check(actor, "contractors.zones")
    name = (name or "").strip()
    if not name:
        raise DomainError("Give the zone a name.")
    polygon = clean_polygon(polygon)
    contractors = _ordered_contractors(job_type, list(contractor_ids))
    is_new = zone is None
    zone = zone or PriorityZone()
    zone.name, zone.job_type, zone.polygon = name[:80], job_type, polygon
    zone.save()  # refits the bounding box dispatch looks zones up by (`PriorityZone.save`)
    zone.entries.all().delete()
    PriorityZoneContractor.objects.bulk_create(
        PriorityZoneContractor(zone=zone, contractor=contractor, position=position)
        for position, contractor in enumerate(contractors, start=1)
    )
    order = ", ".join(contractor.name for contractor in contractors) or "no contractors yet"
    audit(
        "settings.changed",
        f"Priority zone {zone.name} ({job_type.label}) {'drawn' if is_new else 'saved'}: {order}",
        actor=actor,
        metadata={"zone_id": zone.pk},
    )
    events.emit(
        f"zone.{'created' if is_new else 'updated'}",
        actor=actor,
        zone_id=zone.pk,
        zone_name=zone.name,
        job_type_id=job_type.pk,
        contractor_ids=[contractor.pk for contractor in contractors],
    )
    return zone


@transaction.atomic
def delete_zone(*, actor, zone: PriorityZone) -> None:
    check(actor, "contractors.zones")
    name, pk = zone.name, zone.pk
    zone.delete()
    audit(
        "settings.changed", f"Priority zone {name} deleted", actor=actor, metadata={"zone_id": pk}
    )
    events.emit("zone.deleted", actor=actor, zone_id=pk, zone_name=name)
