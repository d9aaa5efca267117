"""Forms of CP → 🔗 Webhooks and CP → ⚡ BookBack AI. They only read what was typed: the
rules (URL targets, variables, Basic Auth shape) live in `endpoints`, which refuses with a
reason the form shows."""

from django import forms

from automations.webhooks.models import JOB_SLOTS, Endpoint, PayloadType
from contractors.models import JobPartner, JobType
from crm.accounts.models import Office
from leads.models import LeadSource

# Rows of the builder past this many are ignored (the page adds them one by one).
MAX_ROWS = 50


class MainUrlForm(forms.Form):
    url = forms.CharField(
        required=False,
        max_length=2000,
        label="URL",
        widget=forms.URLInput(attrs={"placeholder": "https://hooks.example.com/…"}),
    )


def posted_rows(data, name_key: str, value_key: str) -> list[list[str]]:
    """The builder's repeated inputs (…_name / …_value) as [[name, value], …]."""
    names, values = data.getlist(name_key), data.getlist(value_key)
    return [[n, v] for n, v in zip(names, values, strict=False)][:MAX_ROWS]


class FanOutForm(forms.Form):
    """A fan-out: name, URL, filters and the request builder. Data and Headers rows come as
    repeated `data_key`/`data_value` and `header_name`/`header_value` inputs."""

    name = forms.CharField(max_length=80, label="Name")
    url = forms.CharField(max_length=2000, label="URL", widget=forms.URLInput())
    enabled = forms.BooleanField(required=False, initial=True, label="Enabled")
    offices = forms.ModelMultipleChoiceField(
        Office.objects.all(), required=False, widget=forms.CheckboxSelectMultiple, label="Office"
    )
    partners = forms.ModelMultipleChoiceField(
        JobPartner.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Partner",
    )
    job_types = forms.ModelMultipleChoiceField(
        JobType.objects.all(), required=False, widget=forms.CheckboxSelectMultiple, label="Job Type"
    )
    lead_sources = forms.ModelMultipleChoiceField(
        LeadSource.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Source",
    )
    payload_type = forms.ChoiceField(
        choices=PayloadType.choices, initial=PayloadType.JSON, label="Payload Type"
    )
    raw_body = forms.CharField(
        required=False,
        label="Raw body",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "data-var-target": ""}),
    )
    basic_auth = forms.CharField(
        required=False,
        label="Basic Auth",
        widget=forms.PasswordInput(
            render_value=False,
            attrs={"placeholder": "username:password", "autocomplete": "new-password"},
        ),
    )
    clear_basic_auth = forms.BooleanField(required=False, label="Remove the stored Basic Auth")

    def __init__(self, *args, slot: str, endpoint: Endpoint | None = None, **kwargs):
        self.slot = slot
        self.endpoint = endpoint
        unbound = kwargs.get("data") is None and (not args or args[0] is None)
        if endpoint is not None and unbound:
            kwargs["initial"] = {
                "name": endpoint.name,
                "url": endpoint.url,
                "enabled": endpoint.enabled,
                "offices": list(endpoint.offices.all()),
                "partners": list(endpoint.partners.all()),
                "job_types": list(endpoint.job_types.all()),
                "lead_sources": list(endpoint.lead_sources.all()),
                "payload_type": endpoint.payload_type,
                "raw_body": endpoint.raw_body,
            }
        super().__init__(*args, **kwargs)
        # Job events filter on Office, Partner, Job Type; lead events on Office, Source, Partner.
        del self.fields["lead_sources" if slot in JOB_SLOTS else "job_types"]
        self.has_basic_auth = bool(endpoint and endpoint.basic_auth)
        if self.has_basic_auth:
            self.fields["basic_auth"].help_text = "✓ stored — leave blank to keep, or replace it"
        else:
            del self.fields["clear_basic_auth"]

    @property
    def filter_fields(self):
        names = ["offices", "job_types", "partners"]
        if self.slot not in JOB_SLOTS:
            names = ["offices", "lead_sources", "partners"]
        return [self[name] for name in names]

    def data_rows(self) -> list[list[str]]:
        if self.is_bound:
            return posted_rows(self.data, "data_key", "data_value")
        return self.endpoint.data if self.endpoint else []

    def header_rows(self) -> list[list[str]]:
        if self.is_bound:
            return posted_rows(self.data, "header_name", "header_value")
        return self.endpoint.headers if self.endpoint else []

    def action_kwargs(self) -> dict:
        """What `endpoints.add_fan_out` / `update_fan_out` take."""
        data = dict(self.cleaned_data)
        clear = data.pop("clear_basic_auth", False)
        typed = data.pop("basic_auth")
        if self.endpoint is None:
            data["basic_auth"] = typed
        else:  # blank keeps the stored value; the checkbox clears it
            data["basic_auth"] = "" if clear else (typed or None)
        data["data"] = self.data_rows()
        data["headers"] = self.header_rows()
        return data
