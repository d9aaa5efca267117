"""Where a job is: the service areas nearest its address."""

from contractors.matching import closest_service_areas
from crm import geo

CLOSEST = 5


def point_of(*, zip_code: str = "", lat=None, lng=None) -> tuple[float, float] | None:
    """The address's map point, else its ZIP's centre; None when the place is unknown."""
    if lat not in (None, "") and lng not in (None, ""):
        return float(lat), float(lng)
    place = geo.zip_info(zip_code)
    if place is None or place.lat is None:
        return None
    return place.lat, place.lng


def closest_areas(*, zip_code: str = "", lat=None, lng=None) -> list[dict]:
    """The 5 service areas nearest the address, nearest first, as {"area", "miles"}."""
    point = point_of(zip_code=zip_code, lat=lat, lng=lng)
    if point is None:
        return []
    lat, lng = point
    return [
        {"area": area, "miles": round(miles)}
        for area, miles in closest_service_areas(float(lat), float(lng), CLOSEST)
    ]
