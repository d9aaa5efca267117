from django import forms
from django.core.exceptions import ValidationError

from crm.accounts.models import Office
from leads.importing import read_rows
from leads.models import LeadSource
from leads.services.creating import GENERAL_OFFICE


class ImportForm(forms.Form):
    """Bulk import. `cleaned_data["file"]` is the parsed rows: (row number, row) pairs."""

    file = forms.FileField(
        label="Spreadsheet (.xlsx or .csv)",
        help_text="Columns are read by header name; the first row holds the names. "
        "At most 5,000 rows and 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    source = forms.ModelChoiceField(
        queryset=LeadSource.objects.none(),
        label="Default source",
        empty_label=None,
        help_text="For rows without a Source column value.",
    )
    office = forms.ModelChoiceField(
        queryset=Office.objects.none(),
        label="Default office",
        empty_label="Pick an office",
        help_text="For rows without an Office column value. Only your offices are offered.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = LeadSource.objects.filter(is_active=True).order_by(
            "sort_order", "id"
        )
        offices = Office.objects.visible_to(user)
        self.fields["office"].queryset = offices
        if not self.is_bound:
            self.initial.setdefault(
                "source", LeadSource.objects.filter(key="manual", is_active=True).first()
            )
            mine = list(offices)
            preferred = [office for office in mine if office.name.lower() == GENERAL_OFFICE.lower()]
            if len(mine) == 1 or preferred:
                self.initial.setdefault("office", (preferred or mine)[0])

    def clean_file(self):
        try:
            return read_rows(self.cleaned_data["file"])
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
