"""Who covers what: the reads dispatch calls (New Job, Find Contractor, profit snapshot)."""

import json
import math
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from contractors.models import (
    Contractor,
    JobType,
    ServiceArea,
)
from crm.geo import clean_zip

EARTH_RADIUS_MILES = 3958.8
# A service area is a pin with a 50-mile radius (spec: Service Areas page).
AREA_RADIUS_MILES = 50


def miles_between(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle (haversine) distance in miles."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))


def closest_service_areas(
    lat: float, lng: float, limit: int = 5
) -> list[tuple[ServiceArea, float]]:
    """The `limit` service areas nearest to a point, nearest first, with their distance.

    One query for the coordinates only (a few thousand pins at most), distances in Python,
    then one query for the winners.
    """
    points = ServiceArea.objects.values_list("id", "lat", "lng")
    nearest = sorted(
        (miles_between(lat, lng, a_lat, a_lng), area_id) for area_id, a_lat, a_lng in points
    )[:limit]
    areas = ServiceArea.objects.in_bulk([area_id for _, area_id in nearest])
    return [(areas[area_id], distance) for distance, area_id in nearest]


def covering_contractors(area: ServiceArea, job_type: JobType):
    """Active contractors who cover `area` AND handle `job_type`."""
    return Contractor.objects.filter(
        is_active=True, service_areas=area, job_types=job_type
    ).distinct()


def profit_share_for(
    contractor: Contractor, *, zip_code: str = "", partner_name: str = ""
) -> Decimal:
    """The profit share % to snapshot on a job: the secondary % when the job's ZIP is one of
    the contractor's secondary ZIPs or its partner one of the secondary partners
    (case-insensitive); otherwise the primary %."""
    secondary = contractor.secondary_profit_share
    if secondary is None:
        return contractor.profit_share
    zips = {clean_zip(value) for value in contractor.secondary_zip_codes}
    partners = {name.strip().casefold() for name in contractor.secondary_partners}
    if clean_zip(zip_code) in zips - {""} or partner_name.strip().casefold() in partners - {""}:
        return secondary
    return contractor.profit_share


def contains(polygon: list[list[float]], lat: float, lng: float) -> bool:
    """Ray casting: is the point inside the polygon (vertices as [lat, lng])?"""
    inside = False
    count = len(polygon)
    for index in range(count):
        lat1, lng1 = polygon[index]
        lat2, lng2 = polygon[(index + 1) % count]
        if (lng1 > lng) != (lng2 > lng):
            crossing = (lat2 - lat1) * (lng - lng1) / (lng2 - lng1) + lat1
            if lat < crossing:
                inside = not inside
    return inside


def _zone_label(name: str) -> str:
    return name if name.casefold().endswith("zone") else f"{name} zone"


@dataclass(frozen=True)
class Candidate:
    """A contractor dispatch may pick, with the reason they are listed (shown in the dialog).

    `rank` and `zone` are set for a priority zone's contractors; `area` (and `miles` when the
    job's point is known) for those listed because their coverage holds the job.
    `contractor` carries its id and name only (see `_listed`).
    """

    contractor: Contractor
    reason: str
    rank: int | None = None
    zone: str = ""
    area: ServiceArea | None = None
    miles: float | None = None

    @property
    def is_priority(self) -> bool:
        return self.rank is not None


def _listed(pk: int, name: str) -> Contractor:
    """A contractor as a dispatch list shows it: its id and name only (other fields load on
    first access, one query each), without reading or building the rest of the row."""
    return Contractor.from_db(connection.alias, ["id", "name"], (pk, name))


# The entries of the zones of a job type whose bounding box holds a point (index
# `priority_zone_type_bbox`), with their zone and active contractor of the type, in zone
# then list order. Written out: on every New Job dropdown refresh, building and compiling
# this four-table join in the ORM cost more than Postgres takes to plan and run it.
ZONE_ENTRIES_SQL = """
SELECT z.id, z.name, z.polygon, c.id, c.name
FROM contractors_priorityzone z
JOIN contractors_priorityzonecontractor e ON e.zone_id = z.id
JOIN contractors_contractor c ON c.id = e.contractor_id
JOIN contractors_contractor_job_types t ON t.contractor_id = c.id AND t.jobtype_id = %s
WHERE z.job_type_id = %s AND z.min_lat <= %s AND z.max_lat >= %s
  AND z.min_lng <= %s AND z.max_lng >= %s AND c.is_active
ORDER BY z.name, z.id, e.position
"""


def _zone_candidates(lat: float, lng: float, job_type: JobType) -> list[Candidate]:
    """The priority zones (of this job type) holding the point, their contractors in order.

    Zones are read in name order; a contractor listed in several keeps its first place.
    Only active contractors who handle the job type are returned. One query: the entries
    of the zones whose bounding box holds the point (`ZONE_ENTRIES_SQL`), each with its
    zone's name and polygon; the exact point-in-polygon test runs in Python on those few
    zones only. A zone with no eligible entry lists nobody, so it need not be read alone.
    """
    with connection.cursor() as cursor:
        cursor.execute(ZONE_ENTRIES_SQL, [job_type.pk, job_type.pk, lat, lat, lng, lng])
        rows = cursor.fetchall()
    holds: dict[int, bool] = {}  # zone id → the point is inside its polygon
    candidates: list[Candidate] = []
    seen: set[int] = set()
    zone_id, rank = None, 0
    for entry_zone_id, name, polygon, contractor_id, contractor_name in rows:
        if entry_zone_id not in holds:  # jsonb comes back as text (as for JSONField)
            holds[entry_zone_id] = contains(json.loads(polygon), lat, lng)
        if not holds[entry_zone_id] or contractor_id in seen:
            continue
        if entry_zone_id != zone_id:
            zone_id, rank = entry_zone_id, 0
        # Ranked as listed: a paused contractor leaves no gap ("Priority 1" is tried first).
        rank += 1
        seen.add(contractor_id)
        candidates.append(
            Candidate(
                contractor=_listed(contractor_id, contractor_name),
                reason=f"Priority {rank} · {_zone_label(name)}",
                rank=rank,
                zone=name,
            )
        )
    return candidates


def priority_contractors(lat: float, lng: float, job_type: JobType) -> list[Contractor]:
    """Contractors in the priority order of the zones (of this job type) holding the point."""
    return [candidate.contractor for candidate in _zone_candidates(lat, lng, job_type)]


def _covered_by(area: ServiceArea, miles: float | None) -> str:
    return f"Covers {area.label}" + ("" if miles is None else f" · {round(miles)} mi")


# The active contractors of a job type who cover a service area, by name: the New Job
# dropdown's other query on every refresh, written out for the same reason as
# `ZONE_ENTRIES_SQL`.
AREA_CONTRACTORS_SQL = """
SELECT c.id, c.name
FROM contractors_contractor c
JOIN contractors_contractor_job_types t ON t.contractor_id = c.id AND t.jobtype_id = %s
JOIN contractors_contractor_service_areas a ON a.contractor_id = c.id AND a.servicearea_id = %s
WHERE c.is_active
ORDER BY c.name
"""


def _coverage_candidates(
    point: tuple[float, float] | None, job_type: JobType, service_area: ServiceArea | None
) -> list[Candidate]:
    """Active contractors of the job type whose coverage holds the job, nearest first.

    With the job's service area: those who cover it (spec: Find Contractor, Creating a job).
    Without one but with a point: those who cover a pin within its 50-mile radius of the
    point, by the distance to their nearest such pin. With neither: the job type alone, so
    the job can still be dispatched. At most two queries.
    """
    active = Contractor.objects.filter(is_active=True, job_types=job_type)
    if service_area is not None:
        miles = None if point is None else miles_between(*point, service_area.lat, service_area.lng)
        reason = _covered_by(service_area, miles)
        with connection.cursor() as cursor:
            cursor.execute(AREA_CONTRACTORS_SQL, [job_type.pk, service_area.pk])
            rows = cursor.fetchall()
        return [
            Candidate(contractor=_listed(*row), reason=reason, area=service_area, miles=miles)
            for row in rows
        ]
    if point is None:
        reason = f"Does {job_type.label} · this job has no service area"
        everyone = active.order_by("name").values_list("id", "name")
        return [Candidate(contractor=_listed(*row), reason=reason) for row in everyone]
    areas = ServiceArea.objects.only("label", "lat", "lng")
    near = {area.pk: (miles_between(*point, area.lat, area.lng), area) for area in areas}
    near = {pk: pair for pk, pair in near.items() if pair[0] <= AREA_RADIUS_MILES}
    links = Contractor.service_areas.through.objects.filter(
        servicearea_id__in=near, contractor__in=active
    ).values_list("servicearea_id", "contractor_id", "contractor__name")
    nearest: dict[int, tuple[float, ServiceArea, Contractor]] = {}
    for area_id, contractor_id, name in links:
        miles, area = near[area_id]
        if contractor_id not in nearest or miles < nearest[contractor_id][0]:
            nearest[contractor_id] = (miles, area, _listed(contractor_id, name))
    ordered = sorted(nearest.values(), key=lambda row: (row[0], row[2].name))
    return [
        Candidate(contractor=c, reason=_covered_by(area, miles), area=area, miles=miles)
        for miles, area, c in ordered
    ]


def dispatch_candidates(
    point: tuple[float, float] | None,
    job_type: JobType,
    *,
    service_area: ServiceArea | None = None,
) -> list[Candidate]:
    """Who Find Contractor, the K dialog and the New Job dropdown offer, in the order to try.

    When `point` (the job's lat/lng) lies in a priority zone of `job_type`, that zone's
    active contractors of the type come first in the zone's order ("Priority 1 · Miami-Dade
    garage zone"); then the other eligible contractors by nearest coverage, each with the
    area that covers the job. Takes a point and a type, never a job: contractors know no
    jobs. At most three queries, whatever the number of contractors.
    """
    zoned = [] if point is None else _zone_candidates(*point, job_type)
    listed = {candidate.contractor.pk for candidate in zoned}
    covering = _coverage_candidates(point, job_type, service_area)
    return zoned + [c for c in covering if c.contractor.pk not in listed]
