"""Contractor modal and bulk upload forms: shape and type only; rules live in
`contractors.services.contractors`."""

import re

from django import forms
from django.core.exceptions import ValidationError

from contractors.contractor_upload import MAX_ROWS, read_rows
from contractors.models import Contractor, JobPartner, JobType, ServiceArea
from crm.phones import normalize_phone, pretty


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\s]+", text or "") if part.strip()]


class ContractorForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="The company name.")
    report_email = forms.EmailField(label="Email (reports)", required=False)
    contact_name = forms.CharField(label="Contact person", max_length=120, required=False)
    contact_phone = forms.CharField(
        label="Phone", max_length=30, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    contact2_name = forms.CharField(label="2nd contact person", max_length=120, required=False)
    contact2_phone = forms.CharField(
        label="2nd phone",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    job_types = forms.ModelMultipleChoiceField(
        queryset=JobType.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Pick at least one job type."},
    )
    service_areas = forms.ModelMultipleChoiceField(
        queryset=ServiceArea.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    profit_share = forms.DecimalField(
        label="Profit share %", min_value=0, max_value=100, decimal_places=2, initial=0
    )
    secondary_profit_share = forms.DecimalField(
        label="Secondary %", min_value=0, max_value=100, decimal_places=2, required=False
    )
    secondary_zip_codes = forms.CharField(
        label="Zipcodes for secondary",
        required=False,
        help_text="5-digit ZIPs, separated by commas.",
    )
    secondary_partners = forms.MultipleChoiceField(
        label="Job partners for secondary",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(
        label="Active",
        required=False,
        initial=True,
        help_text="Untick to leave them out of New Job dropdowns without deleting them.",
    )

    def __init__(self, *args, contractor: Contractor | None = None, **kwargs):
        if contractor is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for(contractor)
        super().__init__(*args, **kwargs)
        self.fields["job_types"].queryset = JobType.objects.all()
        self.fields["service_areas"].queryset = ServiceArea.objects.all()
        names = list(JobPartner.objects.values_list("name", flat=True))
        known = {name.lower() for name in names}
        # A name saved earlier whose partner has since gone stays pickable, not silently lost.
        stored = contractor.secondary_partners if contractor is not None else []
        names += [name for name in stored if name.lower() not in known]
        self.fields["secondary_partners"].choices = [(name, name) for name in names]

    def _clean_phone(self, name: str) -> str:
        raw = self.cleaned_data.get(name, "")
        if not raw.strip():
            return ""
        try:
            return normalize_phone(raw)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    def clean_contact_phone(self) -> str:
        return self._clean_phone("contact_phone")

    def clean_contact2_phone(self) -> str:
        return self._clean_phone("contact2_phone")

    def clean_secondary_zip_codes(self) -> list[str]:
        zip_codes = _split(self.cleaned_data.get("secondary_zip_codes", ""))
        bad = [zip_code for zip_code in zip_codes if not re.fullmatch(r"\d{5}", zip_code)]
        if bad:
            raise ValidationError(f"ZIP code '{bad[0]}' must be 5 digits.")
        return zip_codes


def initial_for(contractor: Contractor) -> dict:
    return {
        "name": contractor.name,
        "report_email": contractor.report_email,
        "contact_name": contractor.contact_name,
        "contact_phone": pretty(contractor.contact_phone),
        "contact2_name": contractor.contact2_name,
        "contact2_phone": pretty(contractor.contact2_phone),
        "notes": contractor.notes,
        "job_types": list(contractor.job_types.all()),
        "service_areas": list(contractor.service_areas.all()),
        "profit_share": contractor.profit_share,
        "secondary_profit_share": contractor.secondary_profit_share,
        "secondary_zip_codes": ", ".join(contractor.secondary_zip_codes or []),
        "secondary_partners": list(contractor.secondary_partners or []),
        "is_active": contractor.is_active,
    }


class ContractorUploadForm(forms.Form):
    """Bulk upload. `cleaned_data["file"]` is the parsed rows (`UpsertRow` list)."""

    file = forms.FileField(
        label="Spreadsheet (.xlsx or .csv)",
        help_text=f"Columns A-K by position; at most {MAX_ROWS:,} rows and 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        try:
            return read_rows(self.cleaned_data["file"])
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
