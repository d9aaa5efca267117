import datetime

from django import forms
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from crm import phones, widgets
from crm.accounts.models import Office
from crm.dateranges import DateRangeForm
from crm.widgets import MultiSelectDropdown
from leads.choices import sources
from leads.models import Lead, LeadSource, Status, Urgency

MENUS = ("office", "status", "source", "urgency")
MENUS_TEMPLATE = "leads/_partials/filter_menus.html"
DATES_TEMPLATE = "timeline/_partials/filters_date.html"
# Filter-row HTML by (part, choices, values): process-local, bounded (a URL's odd values
# could otherwise grow it); a changed source list or office name is a new key.
_DRAWN: dict[tuple, str] = {}


def _drawn(key: tuple, draw) -> str:
    html = _DRAWN.get(key)
    if html is None:
        if len(_DRAWN) >= 2_000:
            _DRAWN.clear()
        html = _DRAWN[key] = mark_safe(draw())  # noqa: S308 (rendered by the template engine)
    return html


class LeadFilterForm(DateRangeForm):
    """The dashboard's filter row; every value lives in the URL."""

    office = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=MultiSelectDropdown)
    status = forms.MultipleChoiceField(
        choices=Status.choices, required=False, widget=MultiSelectDropdown
    )
    source = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=MultiSelectDropdown)
    urgency = forms.MultipleChoiceField(
        choices=Urgency.choices, required=False, widget=MultiSelectDropdown
    )
    transferred = forms.BooleanField(required=False, label="🔀 Transferred")
    bookback = forms.BooleanField(required=False, label="⚡ BookBack")
    q = forms.CharField(required=False, label="Search", max_length=100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the user's own offices are offered (and accepted), from the user's office list.
        self.fields["office"].choices = [
            (office_id, name) for office_id, name, _ in user.visible_offices
        ]
        # The source list in the CP's order, cached (leads.choices): no query. Kept for the
        # rows' labels and colours (one cache read a request).
        self.sources = sources()
        self.fields["source"].choices = [(pk, label) for pk, label, _ in self.sources]

    def menus(self) -> list[dict]:
        """The four multi-select dropdowns, ready to draw."""
        return [widgets.menu(self[name]) for name in MENUS]

    def menus_html(self) -> str:
        """The four dropdowns' HTML (leads/_partials/filter_menus.html), drawn once per
        user scope (office and source choices) and chosen values in this process: the
        template engine took ~1 ms a request to draw the same markup again."""
        key = (
            "menus",
            tuple(self.fields["office"].choices),
            tuple(self.fields["source"].choices),
            *(self._raw(name) for name in MENUS),
        )
        return _drawn(key, lambda: render_to_string(MENUS_TEMPLATE, {"form": self}))

    def dates_html(self) -> str:
        """The date preset and custom range inputs (timeline/_partials/filters_date.html),
        drawn once per value and error in this process (Django's widgets render through
        templates, ~1 ms a request)."""
        names = ("range", "date_from", "date_to")
        errors = tuple(tuple(self.errors.get(name, ())) for name in names)
        key = ("dates", *(self._raw(name) for name in names), errors)
        return _drawn(key, lambda: render_to_string(DATES_TEMPLATE, {"form": self}))

    def _raw(self, name: str) -> tuple[str, ...]:
        """What the URL said for `name`, as a key."""
        value = self[name].value()
        values = value if isinstance(value, list | tuple) else [value]
        return tuple("" if item is None else str(item) for item in values)

    def apply(self, leads, now, *, search: bool = True, status: bool = True):
        """Every filter on `leads`; `search=False` leaves the search, `status=False` the
        status filter to the caller (the dashboard ranks the one, and folds the other into
        its tiers: leads.listing)."""
        data = self.cleaned_data
        if data.get("office"):
            leads = leads.filter(office_id__in=data["office"])
        if status and data.get("status"):
            leads = leads.filter(status__in=data["status"])
        if data.get("source"):
            leads = leads.filter(source_id__in=data["source"])
        if data.get("urgency"):
            leads = leads.with_urgency(data["urgency"], now)
        if data.get("transferred"):
            leads = leads.filter(is_transferred=True)
        if data.get("bookback"):
            leads = leads.filter(is_bookback=True)
        if search and data.get("q"):
            leads = leads.search(data["q"])
        return self.filter_created(leads, field="received_at")


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    next_contact = forms.DateTimeField(
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        label="Next contact",
    )
    reason = forms.CharField(required=False, max_length=300, label="Why irrelevant?")

    def __init__(self, *args, lead: Lead, **kwargs):
        super().__init__(*args, **kwargs)
        self.lead = lead

    def clean_next_contact(self):
        """The picker shows the lead's local time; store the instant."""
        value = self.cleaned_data.get("next_contact")
        if value is None:
            return None
        return timezone.make_aware(value.replace(tzinfo=None), self.lead.local_zone)


class LeadCreateForm(forms.Form):
    first_name = forms.CharField(max_length=80)
    last_name = forms.CharField(max_length=80, required=False)
    phone = forms.CharField(max_length=30)
    email = forms.EmailField(required=False)
    zip_code = forms.CharField(max_length=10, required=False, label="ZIP")
    source = forms.ModelChoiceField(queryset=LeadSource.objects.none())
    office = forms.ModelChoiceField(queryset=Office.objects.none(), required=False)
    service_type = forms.CharField(max_length=200, required=False, label="Service")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, can_choose_office: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = LeadSource.objects.filter(is_active=True)
        self.fields["source"].initial = LeadSource.objects.filter(key="manual").first()
        if can_choose_office:
            self.fields["office"].queryset = Office.objects.visible_to(user)
            self.fields["office"].required = True
        else:
            del self.fields["office"]

    def clean_phone(self):
        try:
            return phones.normalize_phone(self.cleaned_data["phone"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


class FieldForm(forms.Form):
    """One inline edit from the detail panel: validates the value of `field`."""

    def __init__(self, *args, field: str, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_name = field
        if field == "phone":
            self.fields["value"] = forms.CharField(max_length=30)
        elif field == "email":
            self.fields["value"] = forms.EmailField(required=False)
        elif field == "office":
            self.fields["value"] = forms.ModelChoiceField(queryset=Office.objects.visible_to(user))
        elif field == "is_transferred":
            self.fields["value"] = forms.BooleanField(required=False)
        elif field == "notes":
            self.fields["value"] = forms.CharField(required=False, max_length=20000)
        elif field == "first_name":
            self.fields["value"] = forms.CharField(max_length=80)
        else:
            max_length = Lead._meta.get_field(field).max_length
            self.fields["value"] = forms.CharField(required=False, max_length=max_length)

    def clean_value(self):
        value = self.cleaned_data["value"]
        if self.field_name == "phone":
            try:
                return phones.normalize_phone(value)
            except ValueError as error:
                raise forms.ValidationError(str(error)) from error
        return value


class WorkizForm(forms.Form):
    job_number = forms.CharField(max_length=40, label="Workiz job number")


def local_input_value(lead: Lead, when: datetime.datetime | None) -> str:
    return when.astimezone(lead.local_zone).strftime("%Y-%m-%dT%H:%M") if when else ""
