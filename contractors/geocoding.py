"""ZIP → city, state, lat, lng for service areas.

With a Google key (GOOGLE_GEOCODING_API_KEY, else the browser key), Google's Geocoding
API answers (through the `googlemaps` client, the one place this app talks to Google); on
any Google failure or empty answer, and without a key, the offline `crm.geo.zip_info`
data answers instead. Tests fake Google at its HTTP boundary by pointing `GOOGLE_BASE_URL`
at a local server.
"""

import logging
from dataclasses import dataclass

import googlemaps
from django.conf import settings

from crm.geo import zip_info

logger = logging.getLogger(__name__)

# The client's own default; tests point it at a local fake server.
GOOGLE_BASE_URL = googlemaps.client._DEFAULT_BASE_URL
# A save waits on this call: fail fast and fall back rather than retry for a minute.
GOOGLE_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class Geocode:
    city: str
    state: str
    lat: float
    lng: float


def google_api_key() -> str:
    """The browser key: CP → Google Places API, else GOOGLE_MAPS_API_KEY; "" means offline."""
    from crm.controlpanel.models import AppSettings

    return AppSettings.google_browser_key() or getattr(settings, "GOOGLE_MAPS_API_KEY", "") or ""


def server_api_key() -> str:
    """The key for calls this server makes: GOOGLE_GEOCODING_API_KEY when set, else the
    browser key. The server key is never rendered into a page, so it can be restricted by
    IP address while the browser key is restricted by HTTP referrer."""
    return settings.GOOGLE_GEOCODING_API_KEY or google_api_key()


def _clean(zip_code: str | None) -> str:
    text = str(zip_code or "").strip()
    if not (len(text) == 5 and text.isdigit()):
        raise ValueError("A ZIP code is 5 digits, like 33101.")
    return text


def _component(result: dict, kind: str, *, short: bool = False) -> str:
    for component in result.get("address_components", []):
        if kind in component.get("types", []):
            return component.get("short_name" if short else "long_name", "")
    return ""


def google_client(key: str) -> googlemaps.Client:
    return googlemaps.Client(
        key=key,
        base_url=GOOGLE_BASE_URL,
        timeout=GOOGLE_TIMEOUT_SECONDS,
        retry_timeout=GOOGLE_TIMEOUT_SECONDS,
        retry_over_query_limit=False,
    )


def find_place(text: str, key: str) -> tuple[float, float] | None:
    """Places "find from text": the point of a typed address, or None (no answer, any
    failure). Cheaper than Geocoding and enough for a map pin."""
    try:
        found = google_client(key).find_place(text, "textquery", fields=["geometry"])
        location = found["candidates"][0]["geometry"]["location"]
        return float(location["lat"]), float(location["lng"])
    except Exception:  # as geocoding: the caller goes on without the point
        logger.warning("Google find-place failed for %r", text, exc_info=True)
        return None


def _from_google(zip_code: str, key: str) -> Geocode | None:
    """Google's answer, or None when it has none or fails in any way."""
    try:
        client = google_client(key)
        results = client.geocode(components={"postal_code": zip_code, "country": "US"})
        result = results[0]
        location = result["geometry"]["location"]
        city = (
            _component(result, "locality")
            or _component(result, "postal_town")
            or _component(result, "sublocality")
            or _component(result, "administrative_area_level_2")
        )
        state = _component(result, "administrative_area_level_1", short=True)
        return Geocode(
            city=city, state=state[:2], lat=float(location["lat"]), lng=float(location["lng"])
        )
    except Exception:  # bad key, HTTP error, quota, timeout, odd JSON: offline data still answers
        logger.warning(
            "Google geocoding failed for ZIP %s; using offline data", zip_code, exc_info=True
        )
        return None


def _offline(zip_code: str) -> Geocode | None:
    info = zip_info(zip_code)
    if info is None or info.lat is None or info.lng is None:
        return None
    return Geocode(city=info.city, state=info.state, lat=info.lat, lng=info.lng)


def geocode_zip(zip_code: str | None) -> Geocode:
    """City, state, lat and lng of a 5-digit US ZIP.

    Raises ValueError with a sentence for the user when the ZIP is malformed or unknown.
    """
    zip_code = _clean(zip_code)
    key = server_api_key()
    found = (_from_google(zip_code, key) if key else None) or _offline(zip_code)
    if found is None:
        raise ValueError(f"ZIP code {zip_code} was not found.")
    return found
