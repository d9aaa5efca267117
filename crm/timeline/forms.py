from django import forms

from crm.accounts.models import Office, User
from crm.dateranges import DateRangeForm
from crm.timeline.models import AuditEvent, TimelineEntry
from crm.widgets import MultiSelectDropdown


class TimelineFilterForm(DateRangeForm):
    office = forms.ModelMultipleChoiceField(
        queryset=Office.objects.none(), required=False, widget=MultiSelectDropdown
    )
    kind = forms.MultipleChoiceField(
        choices=TimelineEntry.Kind.choices, required=False, label="Type", widget=MultiSelectDropdown
    )
    user = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Anyone"
    )

    def __init__(self, *args, viewer: User, **kwargs):
        super().__init__(*args, **kwargs)
        # Only offices the viewer may see are offered (and accepted).
        self.fields["office"].queryset = Office.objects.visible_to(viewer)
        self.fields["user"].queryset = User.objects.visible_to(viewer)

    def apply(self, entries):
        data = self.cleaned_data
        if data.get("office"):
            entries = entries.filter(office__in=data["office"])
        if data.get("kind"):
            entries = entries.filter(kind__in=data["kind"])
        if data.get("user"):
            entries = entries.filter(actor=data["user"])
        return self.filter_created(entries)


class AuditFilterForm(DateRangeForm):
    kind = forms.MultipleChoiceField(
        choices=AuditEvent.Kind.choices, required=False, label="Type", widget=MultiSelectDropdown
    )

    def apply(self, events):
        if self.cleaned_data.get("kind"):
            events = events.filter(kind__in=self.cleaned_data["kind"])
        return self.filter_created(events)
