from django import forms

from contractors.models import JobType


class ZoneForm(forms.Form):
    """Shape only; `contractors.services.zones` checks the polygon and who may be listed.
    The ordered contractor ids come from the repeated `contractors` inputs, in page order."""

    name = forms.CharField(
        max_length=80, widget=forms.TextInput(attrs={"placeholder": "e.g. Miami core"})
    )
    job_type = forms.ModelChoiceField(JobType.objects.all(), empty_label="Choose a job type")
    polygon = forms.JSONField(widget=forms.HiddenInput)

    def contractor_ids(self) -> list[int]:
        return [int(value) for value in self.data.getlist("contractors") if value.isdigit()]
