from django import forms

from crm.accounts.models import Office
from crm.fields import bind_secret_fields
from messaging.models import Line, MessagingSettings, SmsTemplate


class CtmSettingsForm(forms.ModelForm):
    """Shape only; `numbers.save_ctm_settings` saves. Keys are never sent back: blank
    keeps the stored one."""

    class Meta:
        model = MessagingSettings
        fields = ["ctm_account_id", "ctm_access_key", "ctm_secret_key"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bind_secret_fields(self)

    def action_arguments(self) -> dict:
        data = self.cleaned_data
        # A blank key field comes back as the stored value: only a typed one is new.
        typed = {
            name: self.data.get(name, "").strip() for name in ("ctm_access_key", "ctm_secret_key")
        }
        return {
            "account_id": data["ctm_account_id"],
            "access_key": typed["ctm_access_key"],
            "secret_key": typed["ctm_secret_key"],
        }


class LineForm(forms.ModelForm):
    office = forms.ModelChoiceField(
        Office.objects.order_by("name"), required=False, empty_label="— No office —"
    )

    class Meta:
        model = Line
        fields = ["office", "no_reply", "tracking_source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each table row's inputs belong to the row's own <form> (the HTML `form` attribute).
        for field in self.fields.values():
            field.widget.attrs["form"] = f"{self.prefix}-form"
        self.fields["tracking_source"].widget.attrs["placeholder"] = "e.g. bb_sliding"


class SmsTemplateForm(forms.ModelForm):
    class Meta:
        model = SmsTemplate
        fields = ["name", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3, "maxlength": 1600})}
