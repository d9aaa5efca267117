"""Give every placed job without a service area the closest one within 50 miles.

Workiz imports and located jobs get it as they are made (`jobs.services.areas`); jobs made
before that have none. This places them the way an import does (`closest_areas`: the
nearest pin, within its 50-mile radius), a batch at a time. A job already holding an area
is never touched, so a second run changes nothing, and a job given one meanwhile keeps it.
"""

from collections import defaultdict

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from jobs.models import Job
from jobs.services.areas import closest_areas


class Command(BaseCommand):
    help = "Assign the closest service area within 50 miles to jobs with coordinates but none."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="Jobs read and written per batch."
        )

    def handle(self, *args, batch_size: int, **options):
        assigned, unplaced, after = 0, 0, 0
        while True:
            counts, after = _assign_batch(after=after, size=max(batch_size, 1))
            if counts is None:
                break
            assigned, unplaced = assigned + counts[0], unplaced + counts[1]
        self.stdout.write(
            f"Assigned a service area to {assigned} jobs; {unplaced} stayed without one "
            "(no service area within 50 miles)."
        )


@transaction.atomic
def _assign_batch(*, after: int, size: int) -> tuple[tuple[int, int] | None, int]:
    """The next `size` unplaced jobs past id `after`: ((assigned, left without), last id),
    or (None, after) when none is left. Two queries to place them, one update per area."""
    jobs = list(
        Job.objects.filter(
            pk__gt=after, service_area__isnull=True, lat__isnull=False, lng__isnull=False
        )
        .order_by("pk")
        .values_list("pk", "lat", "lng")[:size]
    )
    if not jobs:
        return None, after
    areas = closest_areas((lat, lng) for _, lat, lng in jobs)
    by_area = defaultdict(list)
    for pk, lat, lng in jobs:
        if (area := areas[(lat, lng)]) is not None:
            by_area[area].append(pk)
    assigned, now = 0, timezone.now()
    for area, ids in by_area.items():
        # Still without an area: one set since the read keeps its own.
        assigned += Job.objects.filter(pk__in=ids, service_area__isnull=True).update(
            service_area=area,
            area_code=area.area_code,
            office_address=area.office_address,
            updated_at=now,
        )
    return (assigned, len(jobs) - assigned), jobs[-1][0]
