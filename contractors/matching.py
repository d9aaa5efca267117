"""Who covers what: the reads dispatch calls (New Job, Find Contractor, profit snapshot)."""

import math
from decimal import Decimal

from contractors.models import Contractor, JobType, PriorityZone, ServiceArea
from crm.geo import clean_zip

EARTH_RADIUS_MILES = 3958.8


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


def priority_contractors(lat: float, lng: float, job_type: JobType) -> list[Contractor]:
    """Contractors in the priority order of the zones (of this job type) containing the point.

    Zones are read in name order; a contractor listed in several keeps its first place.
    Only active contractors who handle the job type are returned.
    """
    zones = PriorityZone.objects.filter(job_type=job_type).prefetch_related(
        "entries__contractor__job_types"
    )
    ordered: list[Contractor] = []
    for zone in zones:
        if not contains(zone.polygon, lat, lng):
            continue
        for entry in zone.entries.all():
            contractor = entry.contractor
            handles = any(kind.pk == job_type.pk for kind in contractor.job_types.all())
            if contractor.is_active and handles and contractor not in ordered:
                ordered.append(contractor)
    return ordered
