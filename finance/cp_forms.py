from django import forms

from crm.fields import bind_secret_fields
from finance.models import FinanceSettings


class FinanceSettingsForm(forms.ModelForm):
    """Shape only; `finance.services.save_finance_settings` checks the rest. The app
    password is never sent back: blank keeps the stored one."""

    class Meta:
        model = FinanceSettings
        fields = [
            "smtp_host",
            "smtp_port",
            "smtp_username",
            "smtp_password",
            "smtp_use_tls",
            "smtp_use_ssl",
            "from_email",
            "from_name",
            "report_recipients",
            "outbound_ctm_number",
        ]
        widgets = {"report_recipients": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bind_secret_fields(self)
