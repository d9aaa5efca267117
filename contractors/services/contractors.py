"""Contractors: add, edit, switch on/off, delete, and the bulk upsert behind the upload.

Every write is audited as "settings.changed" and emits `contractor.changed` (handlers run
after commit). Business rules live here; forms only parse shape and type.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from contractors.models import Contractor, JobPartner, JobType, ServiceArea
from crm import events
from crm.errors import DomainError
from crm.permissions import check
from crm.phones import normalize_phone
from crm.timeline.services import audit

ZIP_RE = re.compile(r"^\d{5}$")
HUNDRED = Decimal("100")


def audit_change(actor, text: str, *, contractor_id: int | None, **metadata) -> None:
    audit("settings.changed", text, actor=actor, metadata={"contractor_id": contractor_id})
    events.emit(
        f"contractor.{metadata.pop('change')}", actor=actor, contractor_id=contractor_id, **metadata
    )


def clean_percent(value, label: str) -> Decimal:
    """A Decimal from 0 to 100 (strings welcome, "30%" too); DomainError otherwise."""
    if isinstance(value, Decimal):
        percent = value
    else:
        text = str(value).strip().rstrip("%").strip()
        try:
            percent = Decimal(text)
        except InvalidOperation as exc:
            raise DomainError(f"{label} '{value}' is not a number.") from exc
    if not percent.is_finite() or not Decimal("0") <= percent <= HUNDRED:
        raise DomainError(f"{label} must be a percent from 0 to 100.")
    return percent.quantize(Decimal("0.01"))


def clean_zip_codes(zip_codes: Iterable[str]) -> list[str]:
    """Five-digit ZIPs, de-duplicated in order; DomainError names the first bad one."""
    cleaned: list[str] = []
    for raw in zip_codes:
        zip_code = str(raw).strip()
        if not zip_code:
            continue
        if not ZIP_RE.match(zip_code):
            raise DomainError(f"ZIP code '{zip_code}' must be 5 digits.")
        if zip_code not in cleaned:
            cleaned.append(zip_code)
    return cleaned


def clean_partners(partners: Iterable[str]) -> list[str]:
    """Partner names, trimmed, de-duplicated case-insensitively (first spelling wins)."""
    cleaned: list[str] = []
    seen: set[str] = set()
    for raw in partners:
        name = " ".join(str(raw).split())
        if name and name.lower() not in seen:
            seen.add(name.lower())
            cleaned.append(name)
    return cleaned


def _partner_spellings() -> dict[str, str]:
    return {name.lower(): name for name in JobPartner.objects.values_list("name", flat=True)}


def resolve_partners(
    names: Iterable[str], *, spellings: dict[str, str], is_strict: bool
) -> list[str]:
    """Partner names in their CP → Job Partners spelling, matched whatever the case.

    Strict (the upload) refuses a name no partner has: a typo would silently never match.
    Lenient (the modal) keeps such a name, which only a since-deleted partner can leave.
    """
    resolved = []
    for name in clean_partners(names):
        known = spellings.get(name.lower())
        if known is None and is_strict:
            raise DomainError(f"Unknown job partner '{name}'. Add it in CP → Job Partners first.")
        resolved.append(known or name)
    return resolved


def _phone(raw: str, label: str) -> str:
    if not (raw or "").strip():
        return ""
    try:
        return normalize_phone(raw)
    except ValueError as exc:
        raise DomainError(f"{label}: {exc}") from exc


def _name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise DomainError("Give the contractor a name.")
    if len(name) > Contractor._meta.get_field("name").max_length:
        raise DomainError("The contractor name is too long (120 characters at most).")
    return name


def _check_name_free(name: str, contractor: Contractor | None) -> None:
    taken = Contractor.objects.filter(name__iexact=name)
    if contractor is not None and contractor.pk:
        taken = taken.exclude(pk=contractor.pk)
    if taken.exists():
        raise DomainError(f"A contractor named {name} already exists.")


@transaction.atomic
def save_contractor(
    *,
    actor,
    contractor: Contractor | None = None,
    name: str,
    job_types: Iterable[JobType],
    service_areas: Iterable[ServiceArea],
    profit_share,
    secondary_profit_share=None,
    secondary_zip_codes: Iterable[str] = (),
    secondary_partners: Iterable[str] = (),
    report_email: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact2_name: str = "",
    contact2_phone: str = "",
    notes: str = "",
    is_active: bool = True,
) -> Contractor:
    """Create a contractor, or update `contractor`, and return it.

    Needs a name no other contractor has (whatever the case) and at least one job type;
    percents are 0-100, secondary ZIPs 5 digits, phones valid (stored E.164). Raises
    DomainError naming the first problem, before anything is written. Audits
    "settings.changed"; emits `contractor.changed`.
    """
    check(actor, "contractors.edit")
    name = _name(name)
    job_types = list(job_types)
    if not job_types:
        raise DomainError("Pick at least one job type.")
    profit_share = clean_percent(profit_share, "Profit share %")
    if secondary_profit_share not in (None, ""):
        secondary_profit_share = clean_percent(secondary_profit_share, "Secondary %")
    else:
        secondary_profit_share = None
    zip_codes = clean_zip_codes(secondary_zip_codes)
    partners = resolve_partners(secondary_partners, spellings=_partner_spellings(), is_strict=False)
    contact_phone = _phone(contact_phone, "Phone")
    contact2_phone = _phone(contact2_phone, "2nd phone")
    if contractor is not None:
        # Lock the row: two editors saving at once must not interleave the M2M writes.
        contractor = Contractor.objects.select_for_update().get(pk=contractor.pk)
    _check_name_free(name, contractor)

    is_new = contractor is None
    contractor = contractor or Contractor()
    contractor.name = name
    contractor.report_email = (report_email or "").strip()
    contractor.contact_name = (contact_name or "").strip()
    contractor.contact_phone = contact_phone
    contractor.contact2_name = (contact2_name or "").strip()
    contractor.contact2_phone = contact2_phone
    contractor.notes = notes or ""
    contractor.profit_share = profit_share
    contractor.secondary_profit_share = secondary_profit_share
    contractor.secondary_zip_codes = zip_codes
    contractor.secondary_partners = partners
    contractor.is_active = is_active
    contractor.save()
    contractor.job_types.set(job_types)
    contractor.service_areas.set(list(service_areas))
    audit_change(
        actor,
        f"Contractor {name} {'added' if is_new else 'saved'}",
        contractor_id=contractor.pk,
        change="created" if is_new else "updated",
    )
    return contractor


@transaction.atomic
def set_active(*, actor, contractor: Contractor, is_active: bool) -> Contractor:
    """Switch a contractor on or off (off = left out of New Job dropdowns, kept on file).

    A no-op when it is already so (no audit row). Audits and emits `contractor.changed`.
    """
    check(actor, "contractors.edit")
    contractor = Contractor.objects.select_for_update().get(pk=contractor.pk)
    if contractor.is_active == is_active:
        return contractor
    contractor.is_active = is_active
    contractor.save(update_fields=["is_active"])
    audit_change(
        actor,
        f"Contractor {contractor.name} switched {'on' if is_active else 'off'}",
        contractor_id=contractor.pk,
        change="activated" if is_active else "deactivated",
    )
    return contractor


@transaction.atomic
def delete_contractor(*, actor, contractor: Contractor) -> None:
    """Delete a contractor for good (priority-zone entries go with it). Audits and emits."""
    check(actor, "contractors.edit")
    name, pk = contractor.name, contractor.pk
    contractor.delete()
    audit_change(
        actor,
        f"Contractor {name} deleted",
        contractor_id=pk,
        change="deleted",
        contractor_name=name,
    )


# Bulk upload -----------------------------------------------------------------------------


@dataclass
class UpsertRow:
    """One spreadsheet row, as text, by the spec's column letters A-K."""

    number: int
    name: str
    contact_name: str = ""
    contact_phone: str = ""
    contact2_name: str = ""
    contact2_phone: str = ""
    report_email: str = ""
    profit_share: str = ""
    secondary_profit_share: str = ""
    secondary_zip_codes: str = ""
    secondary_partners: str = ""
    notes: str = ""


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        """Did anything reach the database?"""
        return bool(self.created or self.updated)

    @property
    def summary(self) -> str:
        """'Added 3 contractors, updated 2. Skipped 1 row:' (the rows follow in the page)."""
        text = (
            f"Added {self.created} contractor{'' if self.created == 1 else 's'}, "
            f"updated {self.updated}."
        )
        if self.skipped:
            count = len(self.skipped)
            text += f" Skipped {count} row{'' if count == 1 else 's'}:"
        return text


def _split(text: str) -> list[str]:
    return [part for part in re.split(r"[,;\n]", text or "") if part.strip()]


def _row_values(row: UpsertRow, *, partner_spellings: dict[str, str]) -> dict:
    """Validate one row (no writes) into model field values; DomainError says why not."""
    name = _name(row.name)
    email = row.report_email.strip()
    if email and ("@" not in email or len(email) > 254 or " " in email):
        raise DomainError(f"Email '{email}' is not an email address.")
    secondary = row.secondary_profit_share.strip()
    return {
        "name": name,
        "contact_name": row.contact_name.strip()[:120],
        "contact_phone": _phone(row.contact_phone, "Phone"),
        "contact2_name": row.contact2_name.strip()[:120],
        "contact2_phone": _phone(row.contact2_phone, "2nd phone"),
        "report_email": email,
        "profit_share": clean_percent(row.profit_share or "0", "Profit share %"),
        "secondary_profit_share": clean_percent(secondary, "2nd profit share %")
        if secondary
        else None,
        "secondary_zip_codes": clean_zip_codes(_split(row.secondary_zip_codes)),
        "secondary_partners": resolve_partners(
            _split(row.secondary_partners), spellings=partner_spellings, is_strict=True
        ),
        "notes": row.notes,
    }


def upsert_rows(*, actor, rows: Iterable[UpsertRow]) -> UpsertResult:
    """Insert or refresh one contractor per valid row, matched by name whatever the case.

    Existing contractors get contact info, email, percents, secondary lists and notes
    refreshed; their job types and service areas are never touched. New names are created
    with no job types or areas (the modal asks for them later). Each row runs in its own
    transaction, so a bad row is listed with its reason and never rolls back the others.
    One audit row and one `contractor.changed` event for the whole upload.
    """
    check(actor, "contractors.edit")
    rows = list(rows)
    # One query for every existing name, instead of one per row.
    existing = {name.lower(): pk for pk, name in Contractor.objects.values_list("pk", "name")}
    partner_spellings = _partner_spellings()
    result = UpsertResult()
    seen_in_file: dict[str, int] = {}
    for row in rows:
        try:
            values = _row_values(row, partner_spellings=partner_spellings)
            key = values["name"].lower()
            if key in seen_in_file:
                raise DomainError(
                    f"{values['name']} is already on row {seen_in_file[key]} of this file."
                )
            with transaction.atomic():
                pk = existing.get(key)
                if pk is None:
                    contractor = Contractor.objects.create(**values)
                    existing[key] = contractor.pk
                    result.created += 1
                else:
                    values.pop("name")  # the match is by name: keep the stored spelling
                    Contractor.objects.filter(pk=pk).update(**values)
                    result.updated += 1
            seen_in_file[key] = row.number
        except DomainError as exc:
            result.skipped.append((row.number, exc.message))
        except IntegrityError:  # someone added the same name since the lookup above
            result.skipped.append((row.number, "A contractor with this name was just added."))
    if result.created or result.updated:
        with transaction.atomic():
            audit_change(
                actor,
                f"Contractor upload: {result.created} added, {result.updated} updated, "
                f"{len(result.skipped)} skipped",
                contractor_id=None,
                change="uploaded",
                created=result.created,
                updated=result.updated,
            )
    return result
