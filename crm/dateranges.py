"""Date-range filters (presets or a custom range) on the business clock, America/New_York."""

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone

PRESETS = {
    "": "Any time",
    "today": "Today",
    "48h": "Last 48h",
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "month": "This month",
    "custom": "Custom range",
}


def business_now() -> datetime.datetime:
    return timezone.now().astimezone(ZoneInfo(settings.BUSINESS_TIME_ZONE))


def preset_range(preset: str) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """The [start, end) instants of a preset, in aware datetimes (None = open end)."""
    now = business_now()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    starts = {
        "today": midnight,
        "48h": now - datetime.timedelta(hours=48),
        "7d": now - datetime.timedelta(days=7),
        "30d": now - datetime.timedelta(days=30),
        "month": midnight.replace(day=1),
    }
    return starts.get(preset), None


def ordered_dates(data: dict) -> dict:
    """A form's cleaned data, refused when its `date_from` comes after its `date_to`."""
    start, end = data.get("date_from"), data.get("date_to")
    if start and end and start > end:
        raise forms.ValidationError("The start date must be on or before the end date.")
    return data


class DateRangeForm(forms.Form):
    """Mixin form: `range` preset plus `date_from`/`date_to` for a custom range."""

    range = forms.ChoiceField(choices=PRESETS.items(), required=False, label="Date")
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        return ordered_dates(super().clean())

    def bounds(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        data = self.cleaned_data
        if data.get("range") != "custom":
            return preset_range(data.get("range") or "")
        tz = ZoneInfo(settings.BUSINESS_TIME_ZONE)

        def at_midnight(day: datetime.date) -> datetime.datetime:
            return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)

        start = at_midnight(data["date_from"]) if data.get("date_from") else None
        end = (
            at_midnight(data["date_to"] + datetime.timedelta(days=1))
            if data.get("date_to")
            else None
        )
        return start, end

    def filter_created(self, queryset, field: str = "created_at"):
        start, end = self.bounds()
        if start:
            queryset = queryset.filter(**{f"{field}__gte": start})
        if end:
            queryset = queryset.filter(**{f"{field}__lt": end})
        return queryset
