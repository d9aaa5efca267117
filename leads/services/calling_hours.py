"""Owner CP setting: the calling window of each state (leads are not called outside it).

Audited as `calling_hours.updated`; emits `calling_hours.saved` / `calling_hours.reset` so
open pages refresh.
"""

from django.db import transaction

from crm import events
from crm.errors import DomainError
from crm.permissions import check
from crm.timeline.services import audit
from leads.calling_hours import DEFAULT_WINDOW
from leads.models import CallingHours

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


def _hours_changed(event: str, actor, state: str, old: dict, new: dict, note: str = "") -> None:
    """The audit row ("FL calling hours: 9–21 → 8–20") and the event of a window change."""
    text = f"{state} calling hours: {_window_text(*old.values())} → {_window_text(*new.values())}"
    audit(
        "calling_hours.updated",
        text + note,
        actor=actor,
        metadata={"state": state, "old": old, "new": new},
    )
    events.emit(event, actor=actor, calling_hours=state)


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
    _hours_changed("calling_hours.saved", actor, state, old, new)
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
    _hours_changed("calling_hours.reset", actor, state, old, _window_of(None), " (default)")
