from django import forms

from crm.accounts.models import Office
from jobs.models import JobsSettings


class CancelReasonForm(forms.Form):
    label = forms.CharField(max_length=120)
    sort_order = forms.IntegerField(min_value=0, max_value=9999, initial=0)


class JobTagForm(forms.Form):
    label = forms.CharField(max_length=60)
    # The browser's picker always posts #rrggbb; the action re-checks the shape.
    color = forms.CharField(
        label="Colour",
        max_length=7,
        initial="#64748b",
        widget=forms.TextInput(attrs={"type": "color"}),
    )


class JobsSettingsForm(forms.ModelForm):
    """CP → Jobs Attentions (hours, 1–168 from the model) + Auto Status Change."""

    auto_advance_offices = forms.ModelMultipleChoiceField(
        queryset=Office.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Offices",
        help_text="Tick the offices the rule runs in; the others keep manual status changes only.",
    )

    class Meta:
        model = JobsSettings
        fields = ["ask_for_update_hours", "auto_advance_enabled", "auto_advance_offices"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's 1–168 validators decide on save; the positive-integer form field
        # would otherwise tell the browser min=0.
        self.fields["ask_for_update_hours"].widget.attrs.update(min=1, max=168)
