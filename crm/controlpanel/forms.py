from django import forms

from crm.accounts.models import Office
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


class OfficeEmailForm(forms.ModelForm):
    """An office's SMTP sender (CP → ⚙️ Office Settings). Shape only:
    `crm.accounts.office_email.save_office_email_sender` checks the rest. The app password
    is never sent back: blank keeps the stored one."""

    class Meta:
        model = Office
        fields = [
            "smtp_from_email",
            "smtp_from_name",
            "smtp_host",
            "smtp_port",
            "smtp_security",
            "smtp_password",
        ]
        widgets = {
            "smtp_host": forms.TextInput(attrs={"placeholder": "smtp.gmail.com"}),
            "smtp_port": forms.NumberInput(attrs={"min": 1, "max": 65535}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix=f"office-{kwargs['instance'].pk}", **kwargs)
        bind_secret_fields(self)
        self.fields["smtp_from_email"].help_text = "The SMTP login, and the From address."
        # static/js/smtp_port.js: 587 picks STARTTLS, 465 SSL.
        self.fields["smtp_port"].widget.attrs["data-smtp-port"] = self["smtp_security"].auto_id


class SendTestForm(forms.Form):
    recipient = forms.EmailField(label="Send a test to")
