from django import forms
from django.core.cache import cache
from django.db import connection, transaction
from django.utils.safestring import SafeString, mark_safe

from crm.accounts.models import Role, User
from crm.dateranges import DateRangeForm
from crm.timeline.models import AuditEvent, TimelineEntry
from crm.widgets import (
    MultiSelectDropdown,
    date_input_html,
    dropdown_html,
    field_html,
    select_html,
)


def _staff_choices_key() -> str:
    # Per database: processes that share one cache but not one database (the test
    # suite's parallel workers) must not read each other's lists.
    return f"timeline:staff-choices:{connection.settings_dict['NAME']}"


def staff_choices() -> list[tuple[int, str]]:
    """(id, name) of every staff login, the User filter's options: the feed is reloaded all
    day and staff change rarely, so they are cached, and forgotten when a user is saved or
    deleted (`crm.timeline.apps`)."""
    choices = cache.get(_staff_choices_key())
    if choices is None:
        staff = User.objects.exclude(role=Role.PARTNER).only("first_name", "last_name", "email")
        choices = [(user.pk, str(user)) for user in staff]
        cache.set(_staff_choices_key(), choices, timeout=None)
    return choices


def forget_staff_choices(**kwargs) -> None:
    if set(kwargs.get("update_fields") or ()) == {"last_login"}:
        return  # a sign-in changes no name
    key = _staff_choices_key()
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))  # no stale re-fill


class TimelineFilterForm(DateRangeForm):
    office = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=MultiSelectDropdown)
    kind = forms.MultipleChoiceField(
        choices=TimelineEntry.Kind.choices, required=False, label="Type", widget=MultiSelectDropdown
    )
    user = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)

    def __init__(self, *args, viewer: User, **kwargs):
        super().__init__(*args, **kwargs)
        # Only offices the viewer may see are offered (and accepted): the viewer's office
        # list, already read for the feed's scope, so no query.
        self.fields["office"].choices = [(pk, name) for pk, name, _ in viewer.visible_offices]
        # As `User.objects.visible_to`: staff for staff, nobody for partners.
        may_see_staff = viewer.is_authenticated and viewer.is_active and viewer.role != Role.PARTNER
        staff = staff_choices() if may_see_staff else []
        self.fields["user"].choices = [("", "Anyone"), *staff]

    def filter_row(self) -> SafeString:
        """The filter row's fields as HTML, the markup `_partials/field.html` and the
        widgets' templates would draw: through the template engine the six fields cost
        more than the fifty rows under them (the feed is reloaded all day)."""
        date_inputs = "".join(
            f'<div class="field"><label for="{self[name].auto_id}">{label}</label>'
            f"{date_input_html(self[name])}</div>"
            for name, label in (("date_from", "From"), ("date_to", "To"))
        )
        return mark_safe(
            field_html(self["office"], dropdown_html(self["office"]), label_for="")
            + field_html(self["kind"], dropdown_html(self["kind"]), label_for="")
            + field_html(self["user"], select_html(self["user"]))
            + field_html(self["range"], select_html(self["range"]))
            + date_inputs
        )

    def apply(self, entries):
        data = self.cleaned_data
        if data.get("office"):
            entries = entries.filter(office_id__in=data["office"])
        if data.get("kind"):
            entries = entries.filter(kind__in=data["kind"])
        if data.get("user"):
            entries = entries.filter(actor_id=data["user"])
        return self.filter_created(entries)


class AuditFilterForm(DateRangeForm):
    kind = forms.MultipleChoiceField(
        choices=AuditEvent.Kind.choices, required=False, label="Type", widget=MultiSelectDropdown
    )

    def apply(self, events):
        if self.cleaned_data.get("kind"):
            events = events.filter(kind__in=self.cleaned_data["kind"])
        return self.filter_created(events)
