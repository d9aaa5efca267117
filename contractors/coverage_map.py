"""The data behind both maps (Contractors and Service Areas), as compact JSON: pins, who
covers each, job types and priority zones. Seven queries whatever the row counts; the
browser works out density colours, hover lists and coverage by job type."""

from contractors.models import Contractor, JobType, PriorityZone, ServiceArea


def payload() -> dict:
    through = Contractor.service_areas.through.objects
    links = list(through.values_list("contractor_id", "servicearea_id"))
    # Only contractors on some pin matter to the map; a subquery keeps the id list in SQL.
    covering = through.values("contractor_id")
    contractors = Contractor.objects.filter(pk__in=covering).values_list("id", "name", "is_active")
    kinds: dict[int, list[int]] = {}
    for contractor_id, type_id in Contractor.job_types.through.objects.filter(
        contractor_id__in=covering
    ).values_list("contractor_id", "jobtype_id"):
        kinds.setdefault(contractor_id, []).append(type_id)
    zones = PriorityZone.objects.select_related("job_type").prefetch_related("entries__contractor")
    return {
        "areas": list(
            ServiceArea.objects.values_list(
                "id", "label", "city", "state", "zip_code", "lat", "lng"
            )
        ),
        "links": links,
        "contractors": {
            pk: [name, is_active, kinds.get(pk, [])] for pk, name, is_active in contractors
        },
        "types": list(JobType.objects.values_list("id", "label")),
        "zones": [
            {
                "id": zone.pk,
                "name": zone.name,
                "type": zone.job_type.label,
                "polygon": zone.polygon,
                "order": [entry.contractor.name for entry in zone.entries.all()],
            }
            for zone in zones
        ],
    }
