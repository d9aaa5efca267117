"""Outbound webhooks: where each event slot posts (Endpoint), what was owed to each endpoint
(Delivery, one per event and endpoint), every try (Attempt, kept 30 days) and the counts
that outlive the tries (DailyCount).

Spec: "Outbound webhooks". Beyond it: a delivery is retried for over 72 hours, then dead
and replayable (docs/webhooks.md).
"""

from django.db import models
from django.utils import timezone

from crm.fields import EncryptedTextField


class Slot(models.TextChoices):
    """The spec's event slots (CP → 🔗 Webhooks, one section each), plus the BookBack Jobs
    URL of CP → ⚡ BookBack AI."""

    JOBS = "jobs", "Jobs Webhook URL (Workiz format)"
    DONE = "done", "Done Jobs Webhook URL"
    DEPOSIT = "deposit", "Deposit Jobs Webhook URL"
    CANCELLED = "cancelled", "Cancelled Jobs Webhook URL"
    FINANCE_CANCELLED = "finance_cancelled", "Finance-Cancelled Jobs Webhook URL"
    EXPECTED_COMPLETION = "expected_completion", "Expected Completion Changed"
    NEW_LEAD = "new_lead", "New Lead Webhook URL"
    CANCELLED_LEADS = "cancelled_leads", "Cancelled Leads Webhook URL"
    BOOKBACK_JOBS = "bookback_jobs", "BookBack Jobs Webhook URL"


JOB_SLOTS = frozenset(
    {
        Slot.JOBS,
        Slot.DONE,
        Slot.DEPOSIT,
        Slot.CANCELLED,
        Slot.FINANCE_CANCELLED,
        Slot.EXPECTED_COMPLETION,
        Slot.BOOKBACK_JOBS,
    }
)
LEAD_SLOTS = frozenset({Slot.NEW_LEAD, Slot.CANCELLED_LEADS})
# Slots with no main URL: the spec's Expected Completion section holds fan-outs only.
FANOUT_ONLY = frozenset({Slot.EXPECTED_COMPLETION})
# Slots with no fan-outs: the BookBack URL is one field on its own page.
MAIN_ONLY = frozenset({Slot.BOOKBACK_JOBS})


class PayloadType(models.TextChoices):
    JSON = "json", "JSON"
    FORM = "form", "Form (url-encoded)"
    XML = "xml", "XML"
    RAW = "raw", "Raw"


class Endpoint(models.Model):
    """A URL an event slot posts to: the slot's main URL (always sent the standard payload)
    or a filtered fan-out (its own filters and request builder)."""

    slot = models.CharField(max_length=30, choices=Slot.choices)
    is_main = models.BooleanField(default=False)
    name = models.CharField(max_length=80, blank=True)  # a fan-out's label on the page
    url = models.URLField(max_length=2000)
    enabled = models.BooleanField(default=True)
    # Fan-out filters: OR within one, AND across; empty = any (spec: Filtered fan-outs).
    # Job events: offices, partners (the job's partner), job types. Lead events: offices,
    # lead sources, partners (the lead's partner).
    offices = models.ManyToManyField("accounts.Office", blank=True, related_name="+")
    partners = models.ManyToManyField("contractors.JobPartner", blank=True, related_name="+")
    job_types = models.ManyToManyField("contractors.JobType", blank=True, related_name="+")
    lead_sources = models.ManyToManyField("leads.LeadSource", blank=True, related_name="+")
    # Request builder (fan-outs only; a main URL sends the standard payload as JSON).
    payload_type = models.CharField(
        max_length=10, choices=PayloadType.choices, default=PayloadType.JSON
    )
    data = models.JSONField(default=list, blank=True)  # [[key, value], ...]; empty = standard
    raw_body = models.TextField(blank=True)  # Payload Type Raw: the whole body, variables inline
    headers = models.JSONField(default=list, blank=True)  # [[name, value], ...]
    basic_auth = EncryptedTextField(blank=True)  # "username:password"
    # Standard Webhooks signing key ("whsec_" + base64 of 32 random bytes), shown once. While
    # rotating, the previous key signs too until `rotated_at` + 24 h.
    secret = EncryptedTextField(blank=True)
    previous_secret = EncryptedTextField(blank=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    # The receiver answered 410 Gone: its deliveries stop and the page flags it.
    gone_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slot", "-is_main", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=models.Q(is_main=True), name="webhook_one_main_per_slot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_slot_display()}: {self.url}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    RETRYING = "retrying", "Retrying"
    DELIVERED = "delivered", "Delivered"
    DEAD = "dead", "Dead"


class Delivery(models.Model):
    """What one event owes one endpoint: the body rendered once when the event is handled
    (retries and replays send these very bytes), its state and its next try."""

    endpoint = models.ForeignKey(Endpoint, null=True, on_delete=models.SET_NULL)
    url = models.URLField(max_length=2000)  # as it was when the event fired
    slot = models.CharField(max_length=30, choices=Slot.choices)
    event_id = models.BigIntegerField()  # crm.DomainEvent (purged on its own clock)
    event_name = models.CharField(max_length=80)
    # Standard Webhooks `webhook-id`: the same on every retry and replay.
    webhook_id = models.CharField(max_length=64)
    body = models.TextField()
    content_type = models.CharField(max_length=100)
    headers = models.JSONField(default=list, blank=True)  # the builder's, rendered
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)  # every try, replays included
    # Tries of the current run: a replay starts a new run of the schedule.
    run_attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    dead_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "endpoint"], name="webhook_delivery_once_per_endpoint"
            )
        ]
        indexes = [
            # The sweep: due tries in time order, nothing else read.
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_due_idx",
                condition=models.Q(state__in=["pending", "retrying"]),
            ),
            models.Index(fields=["-created_at", "-id"], name="webhook_delivery_new_idx"),
            models.Index(
                fields=["endpoint"], name="webhook_dead_idx", condition=models.Q(state="dead")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_name} → {self.url} ({self.state})"


class Attempt(models.Model):
    """One try of a delivery: kept 30 days (nightly purge); the counts live on in DailyCount."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="tries")
    number = models.PositiveIntegerField()
    url = models.URLField(max_length=2000)
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    response_excerpt = models.TextField(blank=True)  # the first 2 KB
    request_headers = models.JSONField(default=dict)  # as sent, Authorization masked

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["-started_at", "-id"], name="webhook_attempt_new_idx")]

    def __str__(self) -> str:
        return f"try {self.number} of delivery {self.delivery_id}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class DailyCount(models.Model):
    """Per business day, slot and destination: events fired, deliveries made, tries that
    failed. The 📊 Dashboard reads these, so its windows stay true after the purge."""

    day = models.DateField()
    slot = models.CharField(max_length=30, choices=Slot.choices)
    url = models.URLField(max_length=2000)
    fired = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "slot", "url"], name="webhook_daily_once")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.slot} {self.url or '(fired)'}"
