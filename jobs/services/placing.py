"""Where a job is: the service areas nearest its address."""

from contractors.matching import closest_service_areas
from crm import geo

CLOSEST = 5


def closest_areas(*, zip_code: str = "", lat=None, lng=None) -> list[dict]:
    """The 5 service areas nearest the address (its map point, else its ZIP's centre),
    nearest first, as {"area", "miles"}; none when the place is unknown."""
    if lat in (None, "") or lng in (None, ""):
        place = geo.zip_info(zip_code)
        if place is None or place.lat is None:
            return []
        lat, lng = place.lat, place.lng
    return [
        {"area": area, "miles": round(miles)}
        for area, miles in closest_service_areas(float(lat), float(lng), CLOSEST)
    ]
