"""The Jobs board's filter row. Every value lives in the URL, so a view can be shared."""

import datetime

from django import forms
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils.safestring import SafeString, mark_safe

from contractors.models import Contractor, JobPartner, JobType, ServiceArea
from crm import permissions, phones, prefetch, widgets
from crm.dateranges import business_now
from jobs.models import CancelReason, Job, Status

UNASSIGNED = "none"
DATE_CHOICES = [
    ("window", "Today · -3D / +7D"),
    ("all", "All Dates"),
    ("today", "Today only"),
    ("week", "This week"),
    ("month", "This month"),
    ("next_month", "Next month"),
]
SORT_CHOICES = [("status", "Status"), ("time", "Time"), ("contractor", "Contractor A–Z")]


def midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=business_now().tzinfo)


def date_window(preset: str) -> tuple[datetime.date | None, datetime.date | None]:
    """[first, last] appointment days of a preset on the business clock (None = open)."""
    today = business_now().date()
    first_of_month = today.replace(day=1)
    next_month = (first_of_month + datetime.timedelta(days=32)).replace(day=1)
    month_after = (next_month + datetime.timedelta(days=32)).replace(day=1)
    windows = {
        "window": (today - datetime.timedelta(days=3), today + datetime.timedelta(days=7)),
        "today": (today, today),
        "week": (
            today - datetime.timedelta(days=today.weekday()),
            today + datetime.timedelta(days=6 - today.weekday()),
        ),
        "month": (first_of_month, next_month - datetime.timedelta(days=1)),
        "next_month": (next_month, month_after - datetime.timedelta(days=1)),
    }
    return windows.get(preset, (None, None))


def filter_choices_key() -> str:
    # Per database: processes that share one cache but not one database (the test
    # suite's parallel workers) must not read each other's lists.
    return f"jobs:filter-choices:{connection.settings_dict['NAME']}"


def filter_choices() -> tuple[list, list, list]:
    """(job types, partners, contractors) as (id, label) pairs for the board's dropdowns:
    every dispatcher reloads the board all day and these change rarely, so they come from
    the cache, forgotten when one is saved or deleted (`jobs.signals`)."""
    choices = prefetch.get(filter_choices_key())
    if choices is None:
        choices = (
            list(JobType.objects.values_list("id", "label")),
            list(JobPartner.objects.values_list("id", "name")),
            list(Contractor.objects.order_by("name").values_list("id", "name")),
        )
        prefetch.set(filter_choices_key(), choices, timeout=None)
    return choices


def forget_filter_choices(**kwargs) -> None:
    key = filter_choices_key()
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))  # no stale re-fill


class JobFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    status = forms.MultipleChoiceField(choices=Status.choices, required=False)
    job_type = forms.TypedMultipleChoiceField(coerce=int, required=False, label="Job Type")
    source = forms.TypedMultipleChoiceField(coerce=int, required=False, label="Job Source")
    office = forms.TypedMultipleChoiceField(coerce=int, required=False)
    contractor = forms.MultipleChoiceField(required=False)
    date = forms.ChoiceField(choices=DATE_CHOICES, required=False)
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False)
    attention = forms.BooleanField(required=False, label="🚨 Needs Attention")
    rebooked = forms.BooleanField(required=False, label="🔁 Rebooked")

    MENUS = ("status", "job_type", "source", "office", "contractor")

    def __init__(self, *args, user, **kwargs):
        # Its own ids: the New Job form opens on the same page with fields of the same names.
        super().__init__(*args, auto_id="filter_%s", **kwargs)
        pairs = widgets.Pairs
        self.fields["office"].choices = pairs([(pk, name) for pk, name, _ in user.visible_offices])
        if permissions.can(user, "jobs.all_partners"):
            job_types, partners, contractors = filter_choices()
        else:  # an outside company: its own name, and only contractors on its jobs
            job_types = list(JobType.objects.values_list("id", "label"))
            partners = list(JobPartner.objects.filter(pk=user.partner_id).values_list("id", "name"))
            contractors = list(
                Contractor.objects.filter(
                    pk__in=Job.objects.visible_to(user).values("contractor_id")
                )
                .order_by("name")
                .values_list("id", "name")
            )
        self.fields["job_type"].choices = pairs(job_types)
        self.fields["source"].choices = pairs(partners)
        self.fields["contractor"].choices = pairs(
            [(UNASSIGNED, "— Unassigned —")] + [(str(pk), name) for pk, name in contractors]
        )

    @property
    def preset(self) -> str:
        """The date filter in force: the default window unless the URL says otherwise."""
        return self.cleaned_data.get("date") or "window"

    def is_filtering(self) -> bool:
        """Anything beyond the default view (for ✕ Clear filters)."""
        data = self.cleaned_data
        picked = any(data.get(name) for name in (*self.MENUS, "q", "attention", "rebooked"))
        return picked or self.preset != "window"

    def menus(self) -> SafeString:
        """The multi-select dropdowns, drawn; the contractor list is searchable."""
        return mark_safe(
            "".join(
                widgets.dropdown_field(self[name], searchable=name == "contractor")
                for name in self.MENUS
            )
        )

    def apply(self, jobs, *, now: datetime.datetime, hours: int):
        """Narrow `jobs` to the filters. 🚨 Needs Attention (at `now`, with the CP's hours)
        bypasses the date filter."""
        data = self.cleaned_data
        for name, lookup in (
            ("status", "status__in"),
            ("job_type", "job_type_id__in"),
            ("source", "source_id__in"),
            ("office", "office_id__in"),
        ):
            if data.get(name):
                jobs = jobs.filter(**{lookup: data[name]})
        if data.get("contractor"):
            ids = [int(value) for value in data["contractor"] if value.isdigit()]
            match = Q(contractor_id__in=ids)
            if UNASSIGNED in data["contractor"]:
                match |= Q(contractor__isnull=True)
            jobs = jobs.filter(match)
        if data.get("rebooked"):
            jobs = jobs.filter(rebooked_at__isnull=False)
        if data.get("q"):
            jobs = jobs.filter(search_condition(data["q"]))
        if data.get("attention"):
            return jobs.needing_attention(now=now, hours=hours)
        bounds = self.window_bounds()
        if bounds:
            jobs = jobs.filter(starts_at__gte=bounds[0], starts_at__lt=bounds[1])
        return jobs

    def window_bounds(self) -> tuple[datetime.datetime, datetime.datetime] | None:
        """[start, end) of the appointments `apply` keeps; None: no date filter (all dates,
        or 🚨 Needs Attention, which bypasses it)."""
        first, last = date_window(self.preset)
        if not first or self.cleaned_data.get("attention"):
            return None
        return midnight(first), midnight(last + datetime.timedelta(days=1))


def search_condition(text: str) -> Q:
    """Name, phone digits, address, JOB-#### and contractor name."""
    text = text.strip()
    condition = (
        Q(first_name__icontains=text)
        | Q(last_name__icontains=text)
        | Q(street__icontains=text)
        | Q(city__icontains=text)
        | Q(zip_code__startswith=text)
        | Q(contractor__name__icontains=text)
    )
    if " " in text:  # "Mike Patel"
        first, _, last = text.partition(" ")
        condition |= Q(first_name__icontains=first, last_name__icontains=last.strip())
    number = text.upper().removeprefix("JOB-").removeprefix("JOB")
    if number.isdigit():
        condition |= Q(number=int(number))
    digits = phones.last10(text)
    if len(digits) >= 4:
        condition |= Q(phone_last10__contains=digits)
    return condition


def local_value(job, when: datetime.datetime | None) -> str:
    """A datetime-local picker's value: `when` on the job's own clock."""
    return f"{when.astimezone(job.local_zone):%Y-%m-%dT%H:%M}" if when else ""


class LocalDateTimeField(forms.DateTimeField):
    """A datetime-local picker read in the job's own time zone (set by the form)."""

    widget = forms.DateTimeInput(
        attrs={"type": "datetime-local", "step": 900}, format="%Y-%m-%dT%H:%M"
    )
    input_formats = ["%Y-%m-%dT%H:%M"]


class JobActionForm(forms.Form):
    """Base for the panel's forms: picker values are the job's local wall-clock time."""

    def __init__(self, *args, job, **kwargs):
        super().__init__(*args, **kwargs)
        self.job = job

    def aware(self, value: datetime.datetime | None) -> datetime.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=None).replace(tzinfo=self.job.local_zone)

    def local_value(self, when: datetime.datetime | None) -> str:
        return local_value(self.job, when)


class StatusForm(JobActionForm):
    """Shape only: `change_status` enforces what each status needs."""

    status = forms.ChoiceField(choices=Status.choices)
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_completion = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Expected completion"
    )
    deposit_amount = forms.DecimalField(
        required=False, max_digits=10, decimal_places=2, label="Deposit amount ($)"
    )
    follow_up_at = LocalDateTimeField(required=False, label="Follow-up")
    closing_total = forms.DecimalField(
        required=False, max_digits=10, decimal_places=2, label="Closing total ($)"
    )
    parts_total = forms.DecimalField(
        required=False, max_digits=10, decimal_places=2, label="Parts total ($)"
    )
    cancel_reason = forms.ModelChoiceField(
        queryset=CancelReason.objects.all(),
        required=False,
        empty_label="Pick a reason",
        label="Cancellation reason",
    )

    def action_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["follow_up_at"] = self.aware(data.get("follow_up_at"))
        return data


class WindowForm(JobActionForm):
    """A new date/time window (schedule edit and rebook), 15-minute steps."""

    starts_at = LocalDateTimeField(label="Starts")
    ends_at = LocalDateTimeField(label="Ends")

    def window(self) -> tuple[datetime.datetime, datetime.datetime]:
        return self.aware(self.cleaned_data["starts_at"]), self.aware(self.cleaned_data["ends_at"])


class ExpectedCompletionForm(JobActionForm):
    expected_completion = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label="Expected completion"
    )


class FollowUpForm(JobActionForm):
    follow_up_at = LocalDateTimeField(label="Next follow-up")


class RebookForm(JobActionForm):
    change_window = forms.BooleanField(required=False, label="Change date / time")
    starts_at = LocalDateTimeField(required=False, label="Starts")
    ends_at = LocalDateTimeField(required=False, label="Ends")
    change_contractor = forms.BooleanField(required=False, label="Change contractor")
    contractor = forms.ModelChoiceField(queryset=Contractor.objects.none(), required=False)

    def __init__(self, *args, job, choices, **kwargs):
        super().__init__(*args, job=job, **kwargs)
        self.fields["contractor"].queryset = choices

    def action_fields(self) -> dict:
        data = self.cleaned_data
        fields = {}
        if data.get("change_window"):
            fields["starts_at"] = self.aware(data.get("starts_at"))
            fields["ends_at"] = self.aware(data.get("ends_at"))
        if data.get("change_contractor") and data.get("contractor"):
            fields["contractor"] = data["contractor"]
        return fields


class ContractorPickForm(forms.Form):
    """K-confirm and Find Contractor: a contractor from the job's dispatch candidates."""

    contractor = forms.ModelChoiceField(queryset=Contractor.objects.none(), required=False)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [candidate.contractor.pk for candidate in candidates]
        self.fields["contractor"].queryset = Contractor.objects.filter(pk__in=ids)


class AddressForm(forms.Form):
    """A corrected address; the service area is one of the 5 closest (or none)."""

    street = forms.CharField(max_length=200, required=False)
    unit = forms.CharField(max_length=40, required=False)
    city = forms.CharField(max_length=80, required=False)
    state = forms.CharField(max_length=2, required=False)
    zip_code = forms.CharField(max_length=10, required=False)
    service_area = forms.ModelChoiceField(queryset=ServiceArea.objects.all(), required=False)
