"""What every assistant tool shares: its registration, input parsing, and output shape.

Tools read only, through `visible_to(user)` querysets; none filters offices by itself.
Bad input raises ToolError with a sentence the model can act on (it goes back as an
is_error tool_result, never a 500). Dates the model passes are New York days.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from crm.accounts.models import Office
from crm.permissions import can

ROW_CAP = 300  # a list stops here and says "showing 300 of 1,234"
DATE_HELP = "YYYY-MM-DD, a day in America/New_York"
FIRST_YEAR, LAST_YEAR = 2000, 2100  # far beyond the data; keeps day arithmetic in range


class ToolError(Exception):
    """The tool refused its input; the message goes back to the model as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    properties: dict
    capability: str
    run: Callable[["Inputs"], dict]
    required: tuple[str, ...] = ()

    @property
    def schema(self) -> dict:
        """The tool as the Messages API takes it."""
        return {
            "name": self.name,
            "description": self.description,
            "input_schema": {
                "type": "object",
                "properties": self.properties,
                "required": list(self.required),
                "additionalProperties": False,
            },
        }


def business_zone() -> ZoneInfo:
    return ZoneInfo(settings.BUSINESS_TIME_ZONE)


def shown_time(value: datetime.datetime | None) -> str:
    """A time as people read it here: "Dec 7, 2026 9:14 AM ET"."""
    if value is None:
        return ""
    return value.astimezone(business_zone()).strftime("%b %-d, %Y %-I:%M %p ET")


def showing(total: int, rows: list) -> str:
    return f"showing {len(rows):,} of {total:,}"


def may_see_money(user) -> bool:
    return can(user, "finance.view")


@dataclass
class Inputs:
    """One call's input, read field by field; every reader raises ToolError on bad values."""

    user: object
    values: dict

    def text(self, name: str) -> str:
        value = self.values.get(name)
        if value is None or value == "":
            return ""
        if not isinstance(value, str):
            raise ToolError(f"{name} must be text, not {type(value).__name__}.")
        if "\x00" in value:
            raise ToolError(f"{name} holds a NUL character.")
        return value.strip()

    def choice(self, name: str, choices: dict[str, str]) -> str:
        """A key of `choices` (key → label), given as its key or its label, any case."""
        value = self.text(name)
        if not value:
            return ""
        wanted = value.lower().replace(" ", "_")
        for key, label in choices.items():
            if wanted in (key.lower(), label.lower().replace(" ", "_")):
                return key
        raise ToolError(f"Unknown {name} {value!r}. Use one of: {', '.join(choices)}.")

    def number(self, name: str, *, default: int, low: int, high: int) -> int:
        value = self.values.get(name, default)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ToolError(f"{name} must be a whole number.")
        if not low <= value <= high:
            raise ToolError(f"{name} must be between {low} and {high}.")
        return int(value)

    def day(self, name: str) -> datetime.date | None:
        value = self.text(name)
        if not value:
            return None
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise ToolError(f"{name} {value!r} is not a date: use {DATE_HELP}.") from None
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ToolError(f"{name} must be between {FIRST_YEAR} and {LAST_YEAR}.")
        return day

    def period(self, field: str, start: str = "start_date", end: str = "end_date") -> Q:
        """`field` within the New York days start..end (both included, either open)."""
        first, last = self.day(start), self.day(end)
        if first and last and first > last:
            raise ToolError(f"{start} {first} is after {end} {last}.")
        condition = Q()
        if first:
            condition &= Q(**{f"{field}__gte": midnight(first)})
        if last:
            condition &= Q(**{f"{field}__lt": midnight(last + datetime.timedelta(days=1))})
        return condition

    def office(self, name: str = "office") -> Office | None:
        """An office by name (any case). Another office's name is fine: the user's
        `visible_to` scope then leaves no rows, as the dashboard would."""
        value = self.text(name)
        if not value:
            return None
        found = Office.objects.filter(name__iexact=value).first()
        if found is None:
            names = ", ".join(label for _, label, _ in self.user.visible_offices)
            raise ToolError(f"No office named {value!r}. Yours: {names or 'none'}.")
        return found


def midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=business_zone())


def office_property(purpose: str) -> dict:
    return {"type": "string", "description": f"Office name, to {purpose} (omit for all yours)."}


def date_properties(what: str) -> dict:
    return {
        "start_date": {"type": "string", "description": f"First day {what}, {DATE_HELP}."},
        "end_date": {"type": "string", "description": f"Last day {what} (included), {DATE_HELP}."},
    }
