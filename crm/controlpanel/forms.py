from django import forms

from crm.controlpanel.models import AppSettings


class OfficeForm(forms.Form):
    name = forms.CharField(max_length=80, label="New office name")
    is_jobs_enabled = forms.BooleanField(required=False, initial=True, label="Jobs feature on")


class AppSettingsForm(forms.ModelForm):
    class Meta:
        model = AppSettings
        fields = ["escalation_timer_minutes"]
        widgets = {"escalation_timer_minutes": forms.NumberInput(attrs={"min": 1, "max": 1440})}
