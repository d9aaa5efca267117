from django import forms

from crm.controlpanel.models import AppSettings
from crm.fields import bind_secret_fields


class OfficeForm(forms.Form):
    name = forms.CharField(max_length=80, label="New office name")
    is_jobs_enabled = forms.BooleanField(required=False, initial=True, label="Jobs feature on")


class AppSettingsForm(forms.ModelForm):
    class Meta:
        model = AppSettings
        fields = ["escalation_timer_minutes"]
        widgets = {"escalation_timer_minutes": forms.NumberInput(attrs={"min": 1, "max": 1440})}


class GooglePlacesForm(forms.ModelForm):
    """The key is never sent back: blank keeps it, "Remove the key" clears it."""

    remove = forms.BooleanField(required=False, label="Remove the key (use offline ZIP data)")

    class Meta:
        model = AppSettings
        fields = ["google_places_api_key"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bind_secret_fields(self)

    def new_key(self) -> str:
        return "" if self.cleaned_data["remove"] else self.cleaned_data["google_places_api_key"]
