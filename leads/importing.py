"""Bulk lead import from .xlsx / .csv: columns are read by header name, with the same
aliases as the inbound webhook. Every lead still goes through `create_lead`."""

import datetime
import re
from contextlib import closing
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from crm import phones, spreadsheets
from crm.accounts.models import Office
from crm.errors import DomainError
from crm.permissions import check
from crm.spreadsheets import ImportResult
from crm.untrusted import clean_text
from leads.models import Lead, LeadSource
from leads.services import create_lead, split_name
from leads.services.ingest import (
    ALIASES,
    TEXT_LIMITS,
    parse_fee,
    parse_received_at,
    read_fields,
)

MAX_ROWS = 5_000
MAX_BYTES = 5 * 1024 * 1024
NAME_FIELDS = ("full_name", "first_name")
# US spreadsheet habits besides ISO 8601 (which parse_datetime reads).
DATE_FORMATS = ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p", "%m/%d/%Y")

Row = tuple[int, dict[str, str]]


def normalize_header(cell) -> str:
    """'Full Name ', 'full_name' and 'fullName' all become 'fullname'; webhook aliases are
    normalised the same way, so a header matches however it is spaced or cased."""
    return re.sub(r"[\s_\-]+", "", str(cell if cell is not None else "").lower())


def _text(value) -> str:
    """A cell as stripped text; whole floats lose their '.0' (phones and ZIPs typed as numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def read_rows(uploaded_file) -> list[Row]:
    """(spreadsheet row number, {normalised header: text}) for every non-blank data row.

    The header is row 1. Raises ValueError with a sentence for the user when the file
    is not an .xlsx / .csv, is over 5 MB or 5,000 rows, or has no name or phone column.
    """
    reader = spreadsheets.open_rows(uploaded_file, max_bytes=MAX_BYTES)
    with closing(reader) as cells:  # closes the workbook even when we stop early
        headers = [normalize_header(cell) for cell in next(cells, ())]
        _check_headers(headers)
        rows = []
        for number, values in enumerate(cells, start=2):
            texts = [_text(value) for value in values]
            if not any(texts):
                continue  # blank rows are spacing, not data
            if len(rows) == MAX_ROWS:
                raise ValueError(
                    f"The file has more than {MAX_ROWS:,} rows. Split it and import each part."
                )
            row = {}
            for header, text in zip(headers, texts, strict=False):
                if header and not row.get(header):  # a repeated column fills only what is empty
                    row[header] = text
            rows.append((number, row))
    if not rows:
        raise ValueError("The file has a header row but no leads under it.")
    return rows


def _has_column(headers: list[str], field_name: str) -> bool:
    return any(normalize_header(alias) in headers for alias in ALIASES[field_name])


def _check_headers(headers: list[str]) -> None:
    if not any(headers):
        raise ValueError("The first row must hold the column names (Full Name, Phone, ...).")
    if not any(_has_column(headers, name) for name in NAME_FIELDS):
        raise ValueError("No name column: add a Full Name (or First Name) column.")
    if not _has_column(headers, "phone"):
        raise ValueError("No phone column: add a Phone column.")


def _payload(row: dict) -> dict:
    """The row under the webhook's alias names, so `read_fields` reads it unchanged."""
    row = {
        normalize_header(key): clean_text(value) if isinstance(value, str) else value
        for key, value in row.items()
    }
    return {
        alias: row[normalize_header(alias)]
        for aliases in ALIASES.values()
        for alias in aliases
        if normalize_header(alias) in row
    }


def _received_at(raw: str | None) -> datetime.datetime | None:
    """Epoch seconds, ISO 8601 or US month/day/year; a time without a zone is business time."""
    if not raw:
        return None
    out_of_range = DomainError(
        f"Created Time '{raw}' is not a date and time between 1970 and 2100."
    )
    if raw.isdigit():  # epoch seconds; "²" is a digit too, and parses as nothing
        parsed = parse_received_at(raw)
        if parsed is None:
            raise out_of_range
        return parsed
    parsed = None
    try:
        parsed = parse_datetime(raw)
        if parsed is None and (day := parse_date(raw)) is not None:
            parsed = datetime.datetime.combine(day, datetime.time())
    except ValueError:  # well-formed but impossible, e.g. month 13
        parsed = None
    for date_format in DATE_FORMATS if parsed is None else ():
        try:
            parsed = datetime.datetime.strptime(raw.upper(), date_format)
            break
        except ValueError:
            continue
    if parsed is None:
        raise DomainError(f"Created Time '{raw}' is not a date and time.")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, ZoneInfo(settings.BUSINESS_TIME_ZONE))
    # The webhook's bounds: 1970–2100 and a real UTC offset (year 1 at -23:59 is neither).
    if parse_received_at(parsed.isoformat()) is None:
        raise out_of_range
    return parsed


class _Lookups:
    """Sources and the user's offices, read once per import instead of once per row."""

    def __init__(self, user):
        self.sources = {}
        for source in LeadSource.objects.all():
            self.sources.setdefault(source.key.lower(), source)
            self.sources.setdefault(source.label.lower(), source)
        self.offices = {
            office.name.lower(): office
            for office in (Office.objects.visible_to(user) if user else Office.objects.all())
        }

    def source(self, raw: str, default: LeadSource) -> LeadSource:
        if not raw:
            return default
        source = self.sources.get(raw.lower())
        if source is None:
            raise DomainError(f"Unknown source '{raw}'. Add it in CP → Lead Sources first.")
        return source

    def office(self, raw: str, default: Office) -> Office:
        if not raw:
            return default
        office = self.offices.get(raw.lower())
        if office is None:
            raise DomainError(f"Unknown office '{raw}' (not one of your offices).")
        return office


def _create_from_row(
    row: dict, *, actor, lookups: _Lookups, default_source, default_office
) -> Lead:
    """Validate one row (reads only) and create its lead; DomainError says why not."""
    fields = read_fields(_payload(row))
    first_name, last_name = fields.get("first_name", ""), fields.get("last_name", "")
    if not first_name:
        first_name, last_name = split_name(fields.get("full_name", ""))
    if not first_name:
        raise DomainError("No name (fill Full Name, or First Name).")
    if not fields.get("phone"):
        raise DomainError("No phone number.")
    try:
        phone = phones.normalize_phone(fields["phone"])
    except ValueError as exc:
        raise DomainError(str(exc)) from exc
    source = lookups.source(fields.get("source", ""), default_source)
    office = lookups.office(fields.get("office", ""), default_office)
    try:
        fee = parse_fee(fields.get("fee"))
    except DomainError as exc:
        raise DomainError(
            f"Fee '{fields['fee']}' is not an amount between 0 and 9,999,999."
        ) from exc
    received_at = _received_at(fields.get("created_time"))
    extra = {name: fields[name][:limit] for name, limit in TEXT_LIMITS.items() if fields.get(name)}
    email = fields.get("email", "")
    return create_lead(
        office=office,
        source=source,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        email=email[:254] if "@" in email else "",
        zip_code=fields.get("zip_code", ""),
        received_at=received_at,
        fee=fee,
        notes=fields.get("notes", ""),
        is_bookback=source.key == "bookback",
        actor=actor,
        via="import",
        **extra,
    )


def import_leads(
    *, actor, rows: list[Row], default_source: LeadSource, default_office: Office
) -> ImportResult:
    """Create a lead per valid row; list every other row with its reason.

    Needs leads.import, rows from `read_rows` and a default office the actor may see
    (raises DomainError otherwise, before anything is written). Each lead is created by
    `create_lead` in its own transaction, so a bad row never rolls back the good ones; each
    fires the usual timeline line ("Lead created (import)"), audit row and `lead.created` event.
    """
    check(actor, "leads.import")
    if actor is not None and default_office.pk not in actor.office_ids:
        raise DomainError(
            f"You can't import into {default_office.name}: it is not one of your offices."
        )
    lookups = _Lookups(actor)
    result = ImportResult(noun="lead")
    for number, row in rows:
        try:
            with transaction.atomic():
                lead = _create_from_row(
                    row,
                    actor=actor,
                    lookups=lookups,
                    default_source=default_source,
                    default_office=default_office,
                )
        except DomainError as exc:
            result.skipped.append((number, exc.message))
        else:
            result.created.append(lead)
    return result
