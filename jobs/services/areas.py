"""📍 A job without a service area gets the closest one within its 50-mile radius.

New Job, an address edit and the Workiz import all place a job by its point (its map
point, else its ZIP's centre from the offline ZIP data in `crm.geo`). The import asks once
for all its distinct points (`closest_areas`): one query for the pins' coordinates and one
for the winners, whatever the number of rows.
"""

import math
from collections.abc import Iterable

from django.db.models import Exists, OuterRef

from contractors.matching import AREA_RADIUS_MILES, miles_between
from contractors.models import Contractor, ServiceArea

Point = tuple[float, float]
# Degrees of latitude in 50 miles (69 miles a degree), rounded up; a degree of longitude is
# shorter, so the box widens with latitude (capped, the US is nowhere near the poles).
LAT_SPAN = AREA_RADIUS_MILES / 69 + 0.01


def _box(lat: float, lng: float) -> dict:
    """A bounding box around the 50-mile circle (filter kwargs), so a lookup reads only the
    pins that can be within reach."""
    lng_span = LAT_SPAN / max(math.cos(math.radians(min(abs(lat), 80))), 0.17)
    return {
        "lat__gte": lat - LAT_SPAN,
        "lat__lte": lat + LAT_SPAN,
        "lng__gte": lng - lng_span,
        "lng__lte": lng + lng_span,
    }


def closest_area(lat: float, lng: float, *, contractor: Contractor | None = None):
    """The nearest service area within 50 miles of the point, or None. With a contractor,
    the nearest one it covers comes first (so it stays eligible for the job). One query."""
    areas = ServiceArea.objects.filter(**_box(lat, lng))
    if contractor is not None and contractor.pk:
        covered = Contractor.service_areas.through.objects.filter(
            servicearea_id=OuterRef("pk"), contractor_id=contractor.pk
        )
        areas = areas.annotate(covered=Exists(covered))
    ranked = sorted(
        (
            (not getattr(area, "covered", False), miles_between(lat, lng, area.lat, area.lng), area)
            for area in areas
        ),
        key=lambda row: (row[0], row[1], row[2].label),
    )
    return next((area for _, miles, area in ranked if miles <= AREA_RADIUS_MILES), None)


def closest_areas(points: Iterable[Point]) -> dict[Point, ServiceArea | None]:
    """The nearest service area within 50 miles of each point (None when there is none).

    Two queries for any number of points: the pins' coordinates (a few thousand at most),
    distances in Python, then the winners.
    """
    points = set(points)
    if not points:
        return {}
    pins = list(ServiceArea.objects.values_list("id", "lat", "lng", "label"))
    nearest: dict[Point, int | None] = {}
    for point in points:
        best = min(
            ((miles_between(*point, lat, lng), label, pk) for pk, lat, lng, label in pins),
            default=None,
        )
        nearest[point] = best[2] if best and best[0] <= AREA_RADIUS_MILES else None
    areas = ServiceArea.objects.in_bulk({pk for pk in nearest.values() if pk})
    return {point: areas.get(pk) if pk else None for point, pk in nearest.items()}
