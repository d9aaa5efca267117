"""Owner CP settings for leads: lead sources (order, tokens, snooze sequences) and calling hours.

Every action is owner-facing, audited, and emits `settings.changed` so open pages refresh.
"""

import re

from django.db import transaction
from django.db.models import Max, ProtectedError

from crm import events
from crm.accounts.models import Office
from crm.errors import DomainError
from crm.permissions import check
from crm.timeline.services import audit
from leads.calling_hours import DEFAULT_WINDOW
from leads.models import (
    PROTECTED_SOURCE_KEYS,
    STANDARD,
    CallingHours,
    LeadSource,
    new_webhook_token,
)

KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
COLOR_PATTERN = re.compile(r"#[0-9a-fA-F]{6}")
MAX_SNOOZE_STEPS = 60
MAX_STEP_MINUTES = 30 * 24 * 60

# The 50 states, DC and Puerto Rico: the states a lead's ZIP can resolve to.
US_STATES = (
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("PR", "Puerto Rico"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
)
STATE_CODES = frozenset(code for code, _ in US_STATES)


def _settings_changed(event: str, actor, text: str, **metadata) -> None:
    audit("settings.changed", text, actor=actor, metadata=metadata)
    events.emit(event, actor=actor, **metadata)


def _check_label_and_color(label: str, color: str) -> tuple[str, str]:
    label = " ".join((label or "").split())
    if not label:
        raise DomainError("Give the source a label.")
    if len(label) > 80:
        raise DomainError("Keep the label under 80 characters.")
    if not COLOR_PATTERN.fullmatch(color or ""):
        raise DomainError("Pick a colour like #1877f2.")
    return label, color.lower()


# --- Lead sources --------------------------------------------------------------------


@transaction.atomic
def add_source(
    *,
    actor,
    key: str,
    label: str,
    color: str,
    default_office: Office | None = None,
    is_active: bool = True,
) -> LeadSource:
    """Create a source at the bottom of the list with the Standard snooze sequence.

    `key` is lowercased and must be a new slug (letters, digits, - and _). Raises
    DomainError on a taken key, a blank label or a bad colour. Audited; emits
    `settings.changed`.
    """
    check(actor, "controlpanel.access")
    key = (key or "").strip().lower()
    if not KEY_PATTERN.fullmatch(key):
        raise DomainError(
            "The key must be 1–40 lowercase letters, digits, - or _ (like facebook or yelp)."
        )
    label, color = _check_label_and_color(label, color)
    if LeadSource.objects.filter(key__iexact=key).exists():
        raise DomainError(f"A source with the key {key} already exists.")
    # Two owners adding at the same instant may share a sort_order; the id breaks the tie
    # (Meta.ordering), so both still land at the bottom in creation order.
    last = LeadSource.objects.aggregate(last=Max("sort_order"))["last"]
    source = LeadSource.objects.create(
        key=key,
        label=label,
        color=color,
        default_office=default_office,
        is_active=is_active,
        sort_order=0 if last is None else last + 1,
        snooze_steps=list(STANDARD),
    )
    _settings_changed(
        "lead_source.added",
        actor,
        f"Lead source {label} ({key}) added",
        source_id=source.pk,
        key=key,
    )
    return source


@transaction.atomic
def update_source(
    *,
    actor,
    source: LeadSource,
    label: str,
    color: str,
    default_office: Office | None,
    is_active: bool,
) -> LeadSource:
    """Change a source's label, colour, default office or active flag (the key never changes).

    Raises DomainError on a blank label or a bad colour. Audited with the changed fields;
    emits `settings.changed`. Saving without a change writes nothing.
    """
    check(actor, "controlpanel.access")
    label, color = _check_label_and_color(label, color)
    source = LeadSource.objects.select_for_update().get(pk=source.pk)
    before = {
        "label": source.label,
        "color": source.color,
        "default_office": source.default_office.name if source.default_office else None,
        "is_active": source.is_active,
    }
    after = {
        "label": label,
        "color": color,
        "default_office": default_office.name if default_office else None,
        "is_active": is_active,
    }
    changes = {
        field: [before[field], after[field]] for field in before if before[field] != after[field]
    }
    if not changes:
        return source
    source.label, source.color = label, color
    source.default_office, source.is_active = default_office, is_active
    source.save(update_fields=["label", "color", "default_office", "is_active"])
    _settings_changed(
        "lead_source.updated",
        actor,
        f"Lead source {label} ({source.key}) updated",
        source_id=source.pk,
        key=source.key,
        changes=changes,
    )
    return source


@transaction.atomic
def regenerate_token(*, actor, source: LeadSource) -> LeadSource:
    """Give the source a new webhook token; `/webhook/s/<old token>` stops working at once.

    Audited (without the token itself); emits `settings.changed`.
    """
    check(actor, "controlpanel.access")
    source = LeadSource.objects.select_for_update().get(pk=source.pk)
    source.webhook_token = new_webhook_token()
    source.save(update_fields=["webhook_token"])
    _settings_changed(
        "lead_source.token_regenerated",
        actor,
        f"Webhook token regenerated for {source.label} ({source.key})",
        source_id=source.pk,
        key=source.key,
    )
    return source


@transaction.atomic
def delete_source(*, actor, source: LeadSource) -> None:
    """Delete a source nothing refers to.

    Raises DomainError for the AI-agent sources (booking tools use their keys) and for
    a source that has leads, archived ones included: deactivate those instead.
    Audited; emits `settings.changed`.
    """
    check(actor, "controlpanel.access")
    source = LeadSource.objects.select_for_update().get(pk=source.pk)
    if source.key in PROTECTED_SOURCE_KEYS:
        raise DomainError(
            f"{source.label} is used by the booking tools and cannot be deleted. "
            "Rename or deactivate it instead."
        )
    lead_count = source.leads.count()
    if lead_count:
        noun = "lead" if lead_count == 1 else "leads"
        raise DomainError(f"{source.label} has {lead_count} {noun}; deactivate it instead.")
    label, key, pk = source.label, source.key, source.pk
    try:
        source.delete()
    except ProtectedError:  # a record of another app still points at it
        raise DomainError(f"{label} is still in use; deactivate it instead.") from None
    _settings_changed(
        "lead_source.deleted", actor, f"Lead source {label} ({key}) deleted", source_id=pk, key=key
    )


@transaction.atomic
def reorder_sources(*, actor, ordered_ids: list[int]) -> None:
    """Set the display order of every source (filter pills, dropdowns, this CP page).

    `ordered_ids` must name every source exactly once, else DomainError and nothing
    changes (a stale page must not half-apply an order). Audited; emits `settings.changed`.
    """
    check(actor, "controlpanel.access")
    # Locked so a source added meanwhile cannot slip between the check and the write.
    sources = {source.pk: source for source in LeadSource.objects.select_for_update()}
    if len(ordered_ids) != len(sources) or set(ordered_ids) != set(sources):
        raise DomainError(
            "The new order must list every lead source exactly once. Reload the page and try again."
        )
    changed = []
    for position, pk in enumerate(ordered_ids):
        source = sources[pk]
        if source.sort_order != position:
            source.sort_order = position
            changed.append(source)
    if not changed:
        return
    LeadSource.objects.bulk_update(changed, ["sort_order"])
    keys = [sources[pk].key for pk in ordered_ids]
    _settings_changed(
        "lead_sources.reordered", actor, "Lead sources reordered: " + ", ".join(keys), order=keys
    )


@transaction.atomic
def set_snooze_steps(*, actor, source: LeadSource, steps_minutes: list[int]) -> LeadSource:
    """Replace a source's snooze sequence: 1–60 steps, each 1 minute to 30 days.

    Raises DomainError otherwise. Audited with the old and new steps; emits
    `settings.changed`. Leads already mid-sequence continue from their call count.
    """
    check(actor, "controlpanel.access")
    steps = list(steps_minutes)
    if not 1 <= len(steps) <= MAX_SNOOZE_STEPS:
        raise DomainError(f"A sequence needs between 1 and {MAX_SNOOZE_STEPS} steps.")
    for step in steps:
        if isinstance(step, bool) or not isinstance(step, int):
            raise DomainError("Each step must be a whole number of minutes.")
        if not 1 <= step <= MAX_STEP_MINUTES:
            raise DomainError("Each step must be between 1 minute and 30 days.")
    source = LeadSource.objects.select_for_update().get(pk=source.pk)
    old = list(source.snooze_steps or [])
    if old == steps:
        return source
    source.snooze_steps = steps
    source.save(update_fields=["snooze_steps"])
    _settings_changed(
        "snooze_sequence.saved",
        actor,
        f"Snooze sequence for {source.label}: {len(old)} → {len(steps)} steps",
        source_id=source.pk,
        key=source.key,
        old=old,
        new=steps,
    )
    return source


# --- Calling hours -------------------------------------------------------------------


def _window_text(start, end, sunday_start=None, sunday_end=None) -> str:
    text = f"{start}–{end}"
    if sunday_start is not None and sunday_end is not None:
        text += f" (Sun {sunday_start}–{sunday_end})"
    return text


def _window_of(row: CallingHours | None) -> dict:
    if row is None:
        start, end = DEFAULT_WINDOW
        return {"start": start, "end": end, "sunday_start": None, "sunday_end": None}
    return {
        "start": row.start_hour,
        "end": row.end_hour,
        "sunday_start": row.sunday_start_hour,
        "sunday_end": row.sunday_end_hour,
    }


def _clean_state(state: str) -> str:
    state = (state or "").strip().upper()
    if state not in STATE_CODES:
        raise DomainError("Pick a US state (two letters, like FL), DC or PR.")
    return state


def _check_hours(start, end, what: str) -> None:
    for hour in (start, end):
        if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 24:
            raise DomainError(f"{what} hours must be whole hours from 0 to 24.")
    if start >= end:
        raise DomainError(f"{what} hours must start before they end.")


@transaction.atomic
def save_calling_hours(
    *,
    actor,
    state: str,
    start_hour: int,
    end_hour: int,
    sunday_start_hour: int | None = None,
    sunday_end_hour: int | None = None,
) -> CallingHours:
    """Create or update the calling window of one state (24h integer hours, start < end).

    Sunday hours are optional but come as a pair. Raises DomainError for an unknown state
    or a bad window. Audited as `calling_hours.updated` ("FL calling hours: 9–21 → 8–20");
    emits `settings.changed`. Saving an unchanged window writes nothing.
    """
    check(actor, "controlpanel.access")
    state = _clean_state(state)
    _check_hours(start_hour, end_hour, "Calling")
    if (sunday_start_hour is None) != (sunday_end_hour is None):
        raise DomainError("Set both Sunday hours, or leave both empty.")
    if sunday_start_hour is not None:
        _check_hours(sunday_start_hour, sunday_end_hour, "Sunday")
    row = CallingHours.objects.select_for_update().filter(state=state).first()
    old = _window_of(row)
    new = {
        "start": start_hour,
        "end": end_hour,
        "sunday_start": sunday_start_hour,
        "sunday_end": sunday_end_hour,
    }
    if row is not None and old == new:
        return row
    if row is None:
        row = CallingHours(state=state)
    row.start_hour, row.end_hour = start_hour, end_hour
    row.sunday_start_hour, row.sunday_end_hour = sunday_start_hour, sunday_end_hour
    row.save()
    text = f"{state} calling hours: {_window_text(*old.values())} → {_window_text(*new.values())}"
    audit(
        "calling_hours.updated",
        text,
        actor=actor,
        metadata={"state": state, "old": old, "new": new},
    )
    events.emit("calling_hours.saved", actor=actor, calling_hours=state)
    return row


@transaction.atomic
def delete_calling_hours(*, actor, state: str) -> None:
    """Remove a state's row so it falls back to the 9–21 default.

    Raises DomainError when the state has no row. Audited as `calling_hours.updated`;
    emits `settings.changed`.
    """
    check(actor, "controlpanel.access")
    state = _clean_state(state)
    row = CallingHours.objects.select_for_update().filter(state=state).first()
    if row is None:
        raise DomainError(f"{state} already uses the default calling hours.")
    old = _window_of(row)
    row.delete()
    new = _window_of(None)
    text = (
        f"{state} calling hours: {_window_text(*old.values())} → "
        f"{_window_text(*new.values())} (default)"
    )
    audit(
        "calling_hours.updated",
        text,
        actor=actor,
        metadata={"state": state, "old": old, "new": new},
    )
    events.emit("calling_hours.reset", actor=actor, calling_hours=state)
