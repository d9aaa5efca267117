"""The Finance list's filter row; every value lives in the URL."""

from django import forms
from django.db.models import Q
from django.utils.safestring import SafeString, mark_safe

from crm import widgets
from crm.dateranges import DateRangeForm
from jobs.forms import filter_choices, search_condition

PAID_CHOICES = [
    ("", "Any"),
    ("contractor_unpaid", "Contractor unpaid"),
    ("contractor_paid", "Contractor paid"),
    ("partner_unpaid", "Partner unpaid"),
    ("partner_paid", "Partner paid"),
]
CANCELLED_CHOICES = [
    ("", "Include finance-cancelled"),
    ("hide", "Hide finance-cancelled"),
    ("only", "Only finance-cancelled"),
]
PAID_FILTERS = {
    "contractor_unpaid": Q(contractor_paid_at__isnull=True),
    "contractor_paid": Q(contractor_paid_at__isnull=False),
    "partner_unpaid": Q(partner_paid_at__isnull=True),
    "partner_paid": Q(partner_paid_at__isnull=False),
}


def menu_choices(user) -> dict[str, list[tuple[int, str]]]:
    """(id, name) of the offices `user` sees (the user's office list), and of every partner
    and contractor, as on the Jobs board for staff: its cached lists, forgotten when one is
    saved or deleted. No query beyond the office list every page reads."""
    _, partners, contractors = filter_choices()
    offices = [(pk, name) for pk, name, _ in user.visible_offices]
    return {"office": offices, "source": partners, "contractor": contractors}


class FinanceFilterForm(DateRangeForm):
    """Date range (the job's date), office, partner, contractor, paid state,
    finance-cancelled and a search."""

    office = forms.TypedMultipleChoiceField(coerce=int, required=False)
    source = forms.TypedMultipleChoiceField(coerce=int, required=False, label="Partner")
    contractor = forms.TypedMultipleChoiceField(coerce=int, required=False)
    paid = forms.ChoiceField(choices=PAID_CHOICES, required=False)
    cancelled = forms.ChoiceField(
        choices=CANCELLED_CHOICES, required=False, label="Finance-cancelled"
    )
    q = forms.CharField(required=False, max_length=100, label="Search")

    MENUS = ("office", "source", "contractor")
    SELECTS = ("paid", "cancelled", "range")
    DATES = ("date_from", "date_to")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, auto_id="finance_%s", **kwargs)
        self.fields["date_from"].label, self.fields["date_to"].label = "From", "To"
        self.choices_by_menu = menu_choices(user)  # the rows' names too (finance.rows)
        for name, pairs in self.choices_by_menu.items():
            self.fields[name].choices = widgets.Pairs(pairs)

    def filter_row(self) -> SafeString:
        """The dropdowns, selects and dates as HTML, the markup of the widgets' templates
        (as the Timeline draws its filter row): through the template engine they cost
        milliseconds a load, more than the fifty rows under them."""
        return mark_safe(
            "".join(
                widgets.dropdown_field(self[name], searchable=name == "contractor")
                for name in self.MENUS
            )
            + "".join(
                widgets.field_html(self[name], widgets.select_html(self[name]))
                for name in self.SELECTS
            )
            + "".join(
                widgets.field_html(self[name], widgets.date_input_html(self[name]))
                for name in self.DATES
            )
        )

    def apply(self, jobs):
        data = self.cleaned_data
        for name, lookup in (
            ("office", "office_id__in"),
            ("source", "source_id__in"),
            ("contractor", "contractor_id__in"),
        ):
            if data.get(name):
                jobs = jobs.filter(**{lookup: data[name]})
        if data.get("paid"):
            jobs = jobs.filter(PAID_FILTERS[data["paid"]])
        if data.get("cancelled") == "hide":
            jobs = jobs.filter(finance_cancelled_at__isnull=True)
        elif data.get("cancelled") == "only":
            jobs = jobs.filter(finance_cancelled_at__isnull=False)
        if data.get("q"):
            jobs = jobs.filter(search_condition(data["q"]))
        return self.filter_created(jobs, field="starts_at")
