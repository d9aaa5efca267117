"""The Finance list's filter row; every value lives in the URL."""

from django import forms
from django.db.models import Q

from contractors.models import Contractor, JobPartner
from crm import widgets
from crm.dateranges import DateRangeForm
from jobs.forms import search_condition

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


class FinanceFilterForm(DateRangeForm):
    """Date range (the job's date), office, partner, contractor, paid state,
    finance-cancelled and a search."""

    office = forms.TypedMultipleChoiceField(coerce=int, required=False)
    source = forms.TypedMultipleChoiceField(coerce=int, required=False, label="Partner")
    contractor = forms.TypedMultipleChoiceField(coerce=int, required=False)
    paid = forms.ChoiceField(choices=PAID_CHOICES, required=False)
    cancelled = forms.ChoiceField(choices=CANCELLED_CHOICES, required=False, label="Cancelled")
    q = forms.CharField(required=False, max_length=100, label="Search")

    MENUS = ("office", "source", "contractor")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, auto_id="finance_%s", **kwargs)
        self.fields["office"].choices = [(pk, name) for pk, name, _ in user.visible_offices]
        self.fields["source"].choices = list(JobPartner.objects.values_list("id", "name"))
        self.fields["contractor"].choices = list(
            Contractor.objects.order_by("name").values_list("id", "name")
        )

    def menus(self) -> list[dict]:
        return [widgets.menu(self[name], searchable=name == "contractor") for name in self.MENUS]

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
