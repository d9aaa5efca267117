"""Automation rules (spec: "How automations work" … "Log & troubleshooting"): a rule hears a
job or lead event, or a time before/after a job or lead moment, and texts or emails someone.

Rule: what fires it, its conditions (OR within a row, AND across, empty = any), who gets
what. RuleStamp: the (rule, event) or (rule, record) pair already fired, so a redelivered
event or a second tick sends nothing. RuleLog: every fire, sent / failed / skipped, kept
90 days. AutomationSettings: the Pause All switch.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from crm.singletons import CachedSingleton


class Trigger(models.TextChoices):
    JOB_CREATED = "job_created", "Job Created"
    JOB_STATUS_CHANGED = "job_status_changed", "Job Status Changed"
    JOB_REBOOKED = "job_rebooked", "Job Rebooked"
    CONTRACTOR_ASSIGNED = "contractor_assigned", "Contractor Assigned"
    LEAD_CREATED = "lead_created", "Lead Created"
    LEAD_STATUS_CHANGED = "lead_status_changed", "Lead Status Changed"
    BEFORE_JOB_START = "before_job_start", "Before job appointment"
    AFTER_JOB_END = "after_job_end", "After job end window"
    AFTER_LEAD_RECEIVED = "after_lead_received", "After lead received"


JOB_TRIGGERS = frozenset(
    {
        Trigger.JOB_CREATED,
        Trigger.JOB_STATUS_CHANGED,
        Trigger.JOB_REBOOKED,
        Trigger.CONTRACTOR_ASSIGNED,
        Trigger.BEFORE_JOB_START,
        Trigger.AFTER_JOB_END,
    }
)
LEAD_TRIGGERS = frozenset(
    {Trigger.LEAD_CREATED, Trigger.LEAD_STATUS_CHANGED, Trigger.AFTER_LEAD_RECEIVED}
)
TIME_TRIGGERS = frozenset(
    {Trigger.BEFORE_JOB_START, Trigger.AFTER_JOB_END, Trigger.AFTER_LEAD_RECEIVED}
)
STATUS_TRIGGERS = frozenset({Trigger.JOB_STATUS_CHANGED, Trigger.LEAD_STATUS_CHANGED})


def trigger_group(trigger: str) -> str:
    """ "job" or "lead": which record a trigger's rules read (variables, conditions)."""
    return "job" if trigger in JOB_TRIGGERS else "lead"


class OffsetUnit(models.TextChoices):
    MINUTES = "minutes", "minutes"
    HOURS = "hours", "hours"
    DAYS = "days", "days"


class Recipient(models.TextChoices):
    CONTRACTOR = "contractor", "Assigned Contractor"
    CLIENT = "client", "Client"
    STATIC = "static", "Static address"


class Channel(models.TextChoices):
    SMS = "sms", "SMS"
    EMAIL = "email", "Email"


class Rule(models.Model):
    name = models.CharField(max_length=120)
    enabled = models.BooleanField(default=True)
    # Set each time the rule is switched on: a time rule never fires for a moment before it.
    enabled_at = models.DateTimeField(default=timezone.now)
    trigger = models.CharField(max_length=30, choices=Trigger.choices)
    # The status being entered (*_status_changed only).
    target_status = models.CharField(max_length=20, blank=True)
    offset_amount = models.PositiveIntegerField(null=True, blank=True)
    offset_unit = models.CharField(max_length=10, choices=OffsetUnit.choices, blank=True)
    # Conditions (spec: Conditions). Job triggers: a job's source is its Job Partner.
    offices = models.ManyToManyField("accounts.Office", blank=True, related_name="+")
    job_types = models.ManyToManyField("contractors.JobType", blank=True, related_name="+")
    job_sources = models.ManyToManyField("contractors.JobPartner", blank=True, related_name="+")
    lead_sources = models.ManyToManyField("leads.LeadSource", blank=True, related_name="+")
    # "Current Status": the record's status when the rule is evaluated.
    statuses = models.JSONField(default=list, blank=True)
    recipient = models.CharField(max_length=12, choices=Recipient.choices)
    static_to = models.CharField(max_length=254, blank=True)
    channel = models.CharField(max_length=6, choices=Channel.choices)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    respect_quiet_hours = models.BooleanField(default=False)
    fire_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["trigger", "enabled"], name="automation_rule_trigger_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_time_rule(self) -> bool:
        return self.trigger in TIME_TRIGGERS

    @property
    def group(self) -> str:
        return trigger_group(self.trigger)


class RuleStamp(models.Model):
    """This rule already fired for this key: "event:<id>" (event rules) or "job:<id>" /
    "lead:<id>" (time rules)."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="stamps")
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "key"], name="automation_stamp_once")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.key}"


class LogStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class RuleLog(models.Model):
    """One fire of a rule (spec: Log & troubleshooting). Names and labels are copied so the
    row still reads after its rule or record is gone."""

    created_at = models.DateTimeField(default=timezone.now)
    rule = models.ForeignKey(Rule, null=True, blank=True, on_delete=models.SET_NULL)
    rule_name = models.CharField(max_length=120)
    trigger = models.CharField(max_length=30, choices=Trigger.choices)
    channel = models.CharField(max_length=6, choices=Channel.choices)
    status = models.CharField(max_length=8, choices=LogStatus.choices, default=LogStatus.QUEUED)
    recipient = models.CharField(max_length=254, blank=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL)
    lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.SET_NULL)
    record_label = models.CharField(max_length=160, blank=True)
    preview = models.TextField(blank=True)
    error = models.TextField(blank=True)
    office = models.ForeignKey(
        "accounts.Office", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="automation_log_new_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_name}: {self.status}"


class AutomationSettings(CachedSingleton):
    """Pause All (spec: Quiet hours & pause-all): while paused, no rule fires."""

    cache_prefix = "automation_settings"

    paused = models.BooleanField(default=False)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return "Automation settings"
