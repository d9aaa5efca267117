"""Service areas: the 50-mile pins contractors opt into (📍 Service Areas page, bulk upload).

Geocoding is HTTP when a Google key is set, so each action geocodes *before* its
transaction opens: a slow Google never holds a database transaction (or its locks) open.
"""

import re

from django.db import IntegrityError, transaction

from contractors.geocoding import Geocode, geocode_zip
from contractors.models import ServiceArea
from crm import events
from crm.errors import DomainError
from crm.permissions import check
from crm.timeline.services import audit

LABEL_MAX = ServiceArea._meta.get_field("label").max_length
ADDRESS_MAX = ServiceArea._meta.get_field("office_address").max_length


def _clean_fields(label: str, area_code: str, office_address: str) -> tuple[str, str, str]:
    label = " ".join(str(label or "").split())
    area_code = str(area_code or "").strip()
    office_address = " ".join(str(office_address or "").split())
    if not label:
        raise DomainError("Give the service area a label, e.g. Hialeah.")
    if len(label) > LABEL_MAX:
        raise DomainError(f"The label is longer than {LABEL_MAX} characters.")
    if area_code and not re.fullmatch(r"\d{3}", area_code):
        raise DomainError(f"The area code '{area_code}' is not 3 digits, like 305.")
    if len(office_address) > ADDRESS_MAX:
        raise DomainError(f"The office address is longer than {ADDRESS_MAX} characters.")
    return label, area_code, office_address


def _geocode(zip_code: str) -> tuple[str, Geocode]:
    zip_code = str(zip_code or "").strip()
    try:
        return zip_code, geocode_zip(zip_code)
    except ValueError as exc:
        raise DomainError(str(exc)) from exc


def _refuse_taken(label: str, area: ServiceArea | None = None) -> None:
    taken = ServiceArea.objects.filter(label__iexact=label)
    if area is not None:
        taken = taken.exclude(pk=area.pk)
    if taken.exists():
        raise DomainError(f"A service area named {label} already exists.")


def _save(area: ServiceArea, label: str) -> None:
    # Two people adding the same label at once: the case-insensitive unique constraint
    # catches the second, and its savepoint keeps the caller's transaction usable.
    try:
        with transaction.atomic():
            area.save()
    except IntegrityError as exc:
        raise DomainError(f"A service area named {label} already exists.") from exc


def _describe(area: ServiceArea) -> str:
    return f"{area.label} ({area.city}, {area.state} {area.zip_code})"


def add_service_area(
    *, actor, label: str, zip_code: str, area_code: str = "", office_address: str = ""
) -> ServiceArea:
    """Create a service area whose city, state, lat and lng come from geocoding its ZIP.

    Raises DomainError for an empty or taken label (case-insensitive), a malformed or
    unknown ZIP, or an area code that is not 3 digits. Writes an audit row; emits
    `service_area.added` after commit.
    """
    check(actor, "service_areas.edit")
    label, area_code, office_address = _clean_fields(label, area_code, office_address)
    _refuse_taken(label)  # before the geocode: a duplicate costs no Google call
    zip_code, place = _geocode(zip_code)
    return _create(
        actor=actor,
        area=ServiceArea(
            label=label,
            zip_code=zip_code,
            city=place.city,
            state=place.state,
            lat=place.lat,
            lng=place.lng,
            area_code=area_code,
            office_address=office_address,
        ),
    )


@transaction.atomic
def _create(*, actor, area: ServiceArea) -> ServiceArea:
    _refuse_taken(area.label)
    _save(area, area.label)
    audit(
        "settings.changed",
        f"Service area {_describe(area)} added",
        actor=actor,
        metadata={"service_area_id": area.pk},
    )
    events.emit("service_area.added", actor=actor, service_area=area)
    return area


def update_service_area(
    *,
    actor,
    area: ServiceArea,
    label: str,
    zip_code: str,
    area_code: str = "",
    office_address: str = "",
) -> ServiceArea:
    """Change an area's label, ZIP, area code or office address; a new ZIP is geocoded again.

    Raises DomainError like `add_service_area`. Writes an audit row; emits
    `service_area.updated` after commit.
    """
    check(actor, "service_areas.edit")
    label, area_code, office_address = _clean_fields(label, area_code, office_address)
    _refuse_taken(label, area)
    place = None
    if str(zip_code or "").strip() != area.zip_code:
        zip_code, place = _geocode(zip_code)
    return _update(
        actor=actor,
        area=area,
        label=label,
        zip_code=zip_code,
        place=place,
        area_code=area_code,
        office_address=office_address,
    )


@transaction.atomic
def _update(*, actor, area, label, zip_code, place, area_code, office_address) -> ServiceArea:
    area = ServiceArea.objects.select_for_update().get(pk=area.pk)
    old = _describe(area)
    _refuse_taken(label, area)
    area.label, area.area_code, area.office_address = label, area_code, office_address
    if place is not None:
        area.zip_code = zip_code
        area.city, area.state, area.lat, area.lng = place.city, place.state, place.lat, place.lng
    _save(area, label)
    text = f"Service area {_describe(area)} saved"
    if old != _describe(area):
        text += f" (was {old})"
    audit("settings.changed", text, actor=actor, metadata={"service_area_id": area.pk})
    events.emit("service_area.updated", actor=actor, service_area=area)
    return area


@transaction.atomic
def delete_service_area(*, actor, area: ServiceArea) -> None:
    """Delete an area; contractors covering it simply stop covering it.

    Writes an audit row naming how many contractors lost it; emits `service_area.deleted`.
    """
    check(actor, "service_areas.edit")
    covering = area.contractors.count()
    described, area_id = _describe(area), area.pk
    area.delete()
    plural = "" if covering == 1 else "s"
    audit(
        "settings.changed",
        f"Service area {described} deleted ({covering} contractor{plural} covered it)",
        actor=actor,
        metadata={"service_area_id": area_id, "contractors": covering},
    )
    events.emit("service_area.deleted", actor=actor, service_area_id=area_id, label=described)
