"""Forms of the leads CP pages: shape and type only; the actions in `leads.services.sources`,
`.snooze` and `.calling_hours` enforce the rules (unique keys, step ranges, hour windows)."""

from django import forms

from crm.accounts.models import Office
from leads.services.calling_hours import US_STATES

# Snooze editor units, largest first: a stored step shows in the largest unit it divides.
UNITS = {"d": 24 * 60, "h": 60, "min": 1}
UNIT_CHOICES = [("min", "min"), ("h", "h"), ("d", "d")]


class SourceForm(forms.Form):
    """Add a source (with `key`) or edit one (`SourceForm(..., edit=True)` drops the key)."""

    key = forms.SlugField(
        max_length=40,
        help_text="Internal slug matched against webhook payloads. It cannot change later.",
        widget=forms.TextInput(attrs={"placeholder": "e.g. homeadvisor", "autocomplete": "off"}),
    )
    label = forms.CharField(
        max_length=80, widget=forms.TextInput(attrs={"placeholder": "e.g. HomeAdvisor"})
    )
    color = forms.RegexField(
        regex=r"^#[0-9a-fA-F]{6}$",
        initial="#64748b",
        label="Colour",
        error_messages={"invalid": "Pick a colour like #1877f2."},
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    default_office = forms.ModelChoiceField(
        queryset=Office.objects.all(),
        required=False,
        empty_label="General (default)",
        help_text="Where webhook leads without an office land.",
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(self, *args, edit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if edit:
            del self.fields["key"]


class CallingHoursForm(forms.Form):
    # Hour ranges and the Sunday pair are the action's rules; the form only parses integers.
    state = forms.CharField(
        max_length=2, widget=forms.Select(choices=[("", "Pick a state…"), *US_STATES])
    )
    start_hour = forms.IntegerField(
        label="Start", widget=forms.NumberInput(attrs={"min": 0, "max": 24})
    )
    end_hour = forms.IntegerField(
        label="End", widget=forms.NumberInput(attrs={"min": 0, "max": 24})
    )
    sunday_start_hour = forms.IntegerField(
        label="Sunday start", required=False, widget=forms.NumberInput(attrs={"min": 0, "max": 24})
    )
    sunday_end_hour = forms.IntegerField(
        label="Sunday end", required=False, widget=forms.NumberInput(attrs={"min": 0, "max": 24})
    )


def split_minutes(minutes: int) -> tuple[int, str]:
    """(amount, unit) in the largest unit that divides `minutes` exactly: 120 → (2, "h")."""
    for unit, size in UNITS.items():
        if minutes and minutes % size == 0:
            return minutes // size, unit
    return minutes, "min"


def step_label(minutes: int) -> str:
    amount, unit = split_minutes(minutes)
    return f"{amount}{unit}"


def span_label(minutes: int) -> str:
    """A sequence's total length, rounded for reading: "45 min", "9 h", "17 days"."""
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{round(minutes / 60)} h"
    return f"{round(minutes / (24 * 60))} days"


def sequence_summary(steps: list[int]) -> str:
    """The list page's summary of a sequence, like "22 steps over 17 days"."""
    if not steps:
        return "No steps"
    noun = "step" if len(steps) == 1 else "steps"
    return f"{len(steps)} {noun} over {span_label(sum(steps))}"


def parse_steps(amounts: list[str], units: list[str]) -> tuple[list[dict], list[int], str]:
    """Read the editor's repeated `amount` / `unit` inputs, in order.

    Returns (rows to re-render, steps in minutes, error). Rows with a blank amount are
    dropped (an added step left empty); anything else that is not a whole number or a
    known unit is an error. Ranges are left to `set_snooze_steps`.
    """
    rows, steps, error = [], [], ""
    for index, raw_amount in enumerate(amounts):
        unit = units[index] if index < len(units) else "min"
        raw_amount = (raw_amount or "").strip()
        if not raw_amount:
            continue
        rows.append({"amount": raw_amount, "unit": unit})
        if unit not in UNITS:
            error = error or f"Step {len(rows)}: pick min, h or d."
            continue
        try:
            amount = int(raw_amount)
        except ValueError:
            error = error or f"Step {len(rows)}: enter a whole number."
            continue
        steps.append(amount * UNITS[unit])
    return rows, steps, error


def rows_from_minutes(steps: list[int]) -> list[dict]:
    return [dict(zip(("amount", "unit"), split_minutes(step), strict=True)) for step in steps]
