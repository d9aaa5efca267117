"""Forms of CP → 🤖 Automations: the rule editor and the 📜 View Log filters. They read what
was typed; the rules (recipient per trigger, static address per channel, variables, offsets)
live in `services.save_rule`, which refuses with a reason the editor shows."""

from html import escape

from django import forms
from django.utils.safestring import SafeString, mark_safe

from automations.rules.models import (
    JOB_TRIGGERS,
    LEAD_TRIGGERS,
    STATUS_TRIGGERS,
    TIME_TRIGGERS,
    Channel,
    LogStatus,
    OffsetUnit,
    Recipient,
    Rule,
    Trigger,
    trigger_group,
)
from contractors.models import JobPartner, JobType
from crm.accounts.models import Office
from crm.widgets import MultiSelectDropdown, field_html, select_html
from jobs.models import Status as JobStatus
from leads.models import LeadSource
from leads.models import Status as LeadStatus

# The log's status marks (spec: ✓ sent · ✗ failed · ○ skipped; a send still on its way ⋯).
STATUS_MARKS = {
    LogStatus.SENT: "✓ sent",
    LogStatus.FAILED: "✗ failed",
    LogStatus.SKIPPED: "○ skipped",
    LogStatus.QUEUED: "⋯ queued",
}


def _dropdown(queryset, label: str) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset, required=False, label=label, widget=MultiSelectDropdown
    )


class RuleForm(forms.Form):
    """A rule as the editor shows it. A job and a lead trigger each have their own target
    status, Current Status and source row (the editor shows the trigger's group only);
    `action_kwargs` keeps the trigger's group and empties the other."""

    name = forms.CharField(max_length=120, label="Name")
    enabled = forms.BooleanField(required=False, initial=True, label="Enabled")
    trigger = forms.ChoiceField(choices=Trigger.choices, label="Trigger")
    job_target_status = forms.ChoiceField(
        choices=[("", "Pick a status…"), *JobStatus.choices], required=False, label="Target status"
    )
    lead_target_status = forms.ChoiceField(
        choices=[("", "Pick a status…"), *LeadStatus.choices], required=False, label="Target status"
    )
    offset_amount = forms.IntegerField(required=False, min_value=1, label="Offset")
    offset_unit = forms.ChoiceField(
        choices=OffsetUnit.choices, required=False, initial=OffsetUnit.HOURS, label="Unit"
    )
    offices = _dropdown(Office.objects.all(), "Office")
    job_types = _dropdown(JobType.objects.all(), "Job Type")
    job_sources = _dropdown(JobPartner.objects.all(), "Job Source")
    lead_sources = _dropdown(LeadSource.objects.all(), "Lead Source")
    job_statuses = forms.MultipleChoiceField(
        choices=JobStatus.choices,
        required=False,
        label="Current Status",
        widget=MultiSelectDropdown,
    )
    lead_statuses = forms.MultipleChoiceField(
        choices=LeadStatus.choices,
        required=False,
        label="Current Status",
        widget=MultiSelectDropdown,
    )
    recipient = forms.ChoiceField(choices=Recipient.choices, label="Recipient")
    static_to = forms.CharField(
        max_length=254,
        required=False,
        label="Static phone or email",
        widget=forms.TextInput(attrs={"placeholder": "+1 305 555 0142 or oncall@example.com"}),
    )
    channel = forms.ChoiceField(choices=Channel.choices, label="Channel")
    subject = forms.CharField(
        max_length=200,
        required=False,
        label="Subject",
        widget=forms.TextInput(attrs={"data-var-target": ""}),
    )
    body = forms.CharField(
        label="Body",
        widget=forms.Textarea(attrs={"rows": 6, "data-var-target": ""}),
    )
    respect_quiet_hours = forms.BooleanField(
        required=False,
        label="🌙 Respect quiet hours",
        help_text="Sends only 9am–9pm in the recipient's local time.",
    )

    def __init__(self, *args, rule: Rule | None = None, trigger: str = "", **kwargs):
        unbound = kwargs.get("data") is None and (not args or args[0] is None)
        if unbound:
            kwargs["initial"] = self._initial(rule) if rule else {"trigger": trigger or None}
        super().__init__(*args, **kwargs)

    @staticmethod
    def _initial(rule: Rule) -> dict:
        group = trigger_group(rule.trigger)
        return {
            "name": rule.name,
            "enabled": rule.enabled,
            "trigger": rule.trigger,
            f"{group}_target_status": rule.target_status,
            "offset_amount": rule.offset_amount,
            "offset_unit": rule.offset_unit or "hours",
            "offices": list(rule.offices.all()),
            "job_types": list(rule.job_types.all()),
            "job_sources": list(rule.job_sources.all()),
            "lead_sources": list(rule.lead_sources.all()),
            f"{group}_statuses": list(rule.statuses),
            "recipient": rule.recipient,
            "static_to": rule.static_to,
            "channel": rule.channel,
            "subject": rule.subject,
            "body": rule.body,
            "respect_quiet_hours": rule.respect_quiet_hours,
        }

    @property
    def current_trigger(self) -> str:
        """The trigger the editor is showing: the posted one, else the rule's (or the first)."""
        value = self["trigger"].value()
        return value if value in Trigger.values else Trigger.JOB_CREATED

    @property
    def group(self) -> str:
        return trigger_group(self.current_trigger)

    def action_kwargs(self) -> dict:
        """What `services.save_rule` takes, in the trigger's own group."""
        data = self.cleaned_data
        trigger = data["trigger"]
        group = trigger_group(trigger)
        is_job = group == "job"
        is_time = trigger in TIME_TRIGGERS
        return {
            "name": data["name"],
            "enabled": data["enabled"],
            "trigger": trigger,
            "target_status": data[f"{group}_target_status"] if trigger in STATUS_TRIGGERS else "",
            "offset_amount": data["offset_amount"] if is_time else None,
            "offset_unit": (data["offset_unit"] or "") if is_time else "",
            "offices": list(data["offices"]),
            "job_types": list(data["job_types"]) if is_job else [],
            "job_sources": list(data["job_sources"]) if is_job else [],
            "lead_sources": [] if is_job else list(data["lead_sources"]),
            "statuses": list(data[f"{group}_statuses"]),
            "recipient": data["recipient"],
            "static_to": data["static_to"].strip() if data["recipient"] == Recipient.STATIC else "",
            "channel": data["channel"],
            "subject": data["subject"] if data["channel"] == Channel.EMAIL else "",
            "body": data["body"],
            "respect_quiet_hours": data["respect_quiet_hours"],
        }


def trigger_kinds() -> dict[str, list[str]]:
    """Which triggers are job, lead and time ones: the editor's script shows rows by them."""
    return {
        "job": list(JOB_TRIGGERS),
        "lead": list(LEAD_TRIGGERS),
        "time": list(TIME_TRIGGERS),
        "status": list(STATUS_TRIGGERS),
    }


SELECTS = ("status", "channel", "rule")


class LogFilterForm(forms.Form):
    """The 📜 View Log's filters; a value it doesn't know is dropped, not refused."""

    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Recipient, text or error…",
                "autocomplete": "off",
            }
        ),
    )
    status = forms.ChoiceField(
        required=False,
        label="Status",
        choices=[("", "All statuses"), *STATUS_MARKS.items()],
    )
    channel = forms.ChoiceField(
        required=False, label="Channel", choices=[("", "All channels"), *Channel.choices]
    )
    rule = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Rule")

    def __init__(self, *args, rules: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", "All rules"), *rules]

    def fields_html(self) -> SafeString:
        """The four filters drawn as crm.widgets draws filter rows: Django's widget
        templates cost ~3 ms a load, more than the log's SQL."""
        q = self["q"]
        value = q.value() or ""
        search = (
            f'<input type="search" name="q" id="{q.auto_id}" value="{escape(value)}" '
            'maxlength="200" placeholder="Recipient, text or error…" autocomplete="off">'
        )
        controls = [field_html(q, search)]
        controls += [field_html(self[name], select_html(self[name])) for name in SELECTS]
        return mark_safe("".join(controls))

    def filters(self) -> dict:
        """The valid filters as `log.log_rows` keywords (an invalid one is left out)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": (data.get("q") or "").strip(),
            "status": data.get("status") or "",
            "channel": data.get("channel") or "",
            "rule_id": data.get("rule"),
        }
