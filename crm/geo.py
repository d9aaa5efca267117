"""Offline geography from the ZIP code (the `zipcodes` package carries its own data)."""

import re
from dataclasses import dataclass
from functools import cache

import zipcodes


@dataclass(frozen=True)
class ZipInfo:
    zip_code: str
    city: str
    state: str
    timezone: str
    lat: float | None
    lng: float | None


def clean_zip(raw: str | None) -> str:
    """The 5-digit ZIP at the start of `raw` ("33101-1234" → "33101"), or ""."""
    match = re.match(r"\s*(\d{5})", str(raw or ""))
    return match.group(1) if match else ""


@cache
def _by_zip() -> dict[str, dict]:
    """Every US ZIP, indexed once per process: `zipcodes.matching` scans the whole list
    (milliseconds per call), a dict lookup does not. Static data, so process memory is fine."""
    return {row["zip_code"]: row for row in zipcodes.list_all()}


def zip_info(raw: str | None) -> ZipInfo | None:
    zip_code = clean_zip(raw)
    row = _by_zip().get(zip_code) if zip_code else None
    if row is None:
        return None
    return ZipInfo(
        zip_code=zip_code,
        city=row.get("city", ""),
        state=row.get("state", ""),
        timezone=row.get("timezone", "") or "",
        lat=float(row["lat"]) if row.get("lat") else None,
        lng=float(row["long"]) if row.get("long") else None,
    )
