from django import forms
from django.core.exceptions import ValidationError

from contractors.area_upload import MAX_ROWS, read_rows


class ServiceAreaForm(forms.Form):
    """Shape only; `contractors.services.areas` enforces unique labels and real ZIPs.
    City, state, lat and lng are not fields: the server geocodes the ZIP on save."""

    label = forms.CharField(
        max_length=80, widget=forms.TextInput(attrs={"placeholder": "e.g. Hialeah"})
    )
    zip_code = forms.RegexField(
        label="Main ZIP code",
        regex=r"^\d{5}$",
        error_messages={"invalid": "A ZIP code is 5 digits, like 33101."},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "maxlength": "5", "placeholder": "33012"}
        ),
    )
    area_code = forms.RegexField(
        label="Main area code",
        regex=r"^\d{3}$",
        required=False,
        error_messages={"invalid": "An area code is 3 digits, like 305."},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "maxlength": "3", "placeholder": "305"}
        ),
    )
    office_address = forms.CharField(max_length=200, required=False)


class UploadForm(forms.Form):
    """`cleaned_data["file"]` is the parsed rows: (row number, [A, B, C, D]) pairs."""

    file = forms.FileField(
        label="Spreadsheet (.xlsx or .csv)",
        help_text=f"Columns A–D by position; a header row is optional. At most {MAX_ROWS} "
        "areas and 2 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        try:
            return read_rows(self.cleaned_data["file"])
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
