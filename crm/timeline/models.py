import json

from django.conf import settings
from django.db import models
from django.utils import timezone

from crm.scoping import OfficeScopedQuerySet


class TimelineQuerySet(OfficeScopedQuerySet):
    def for_subject(self, subject: models.Model) -> "TimelineQuerySet":
        return self.filter(subject_type=subject._meta.model_name, subject_id=subject.pk)

    def readable_by(self, user) -> "TimelineQuerySet":
        """Partner logins never read the staff-only lines (the money side of a job)."""
        return self.filter(staff_only=False) if user.role == "partner" else self


class TimelineEntry(models.Model):
    """One line of a lead's or a job's history: who did what, when.

    The subject is named by type + id (leads and jobs arrive in their own apps) with its
    display name as it was then, so the global feed renders without joins.
    """

    class Kind(models.TextChoices):
        STATUS = "status", "Status changes"
        CALL = "call", "Calls"
        NOTE = "note", "Notes"
        SYSTEM = "sys", "System"
        CLAIM = "claim", "Claims"

    subject_type = models.CharField(max_length=20)  # "lead" / "job"
    subject_id = models.BigIntegerField()
    subject_label = models.CharField(max_length=160)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    office = models.ForeignKey("accounts.Office", null=True, blank=True, on_delete=models.SET_NULL)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Finance lines (money, paid, finance-cancel): partners have no Finance access.
    staff_only = models.BooleanField(default=False)

    objects = TimelineQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="timeline_feed_idx"),
            models.Index(
                fields=["subject_type", "subject_id", "-created_at"], name="timeline_subject_idx"
            ),
            models.Index(fields=["office", "-created_at"], name="timeline_office_idx"),
            # Reports: a lead's first claim / call attempt (response time, speed to lead)...
            models.Index(
                fields=["subject_id", "created_at"],
                name="timeline_lead_response_idx",
                condition=models.Q(subject_type="lead", kind__in=["claim", "call"]),
            ),
            # ...and a period's claims, calls and status changes (agents, follow-up activity).
            models.Index(
                fields=["created_at"],
                name="timeline_lead_work_idx",
                condition=models.Q(subject_type="lead", kind__in=["claim", "call", "status"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_label}: {self.body[:60]}"


class AuditEvent(models.Model):
    """A system event for compliance: actor (or System), office (or all), text, metadata."""

    class Kind(models.TextChoices):
        LEAD_CREATED = "lead.created", "New lead"
        LEAD_STATUS = "lead.status_changed", "Lead status change"
        LEAD_REACTIVATED = "lead.reactivated", "BookBack reactivation"
        LEAD_ARCHIVED = "lead.archived", "Lead archived"
        LEAD_RESTORED = "lead.restored", "Lead restored"
        LEAD_DELETED = "lead.deleted", "Lead deleted"
        JOB_CREATED = "job.created", "Job created"
        JOB_STATUS = "job.status_changed", "Job status change"
        JOB_REBOOKED = "job.rebooked", "Job rebooked"
        JOB_ARCHIVED = "job.archived", "Job archived"
        JOB_RESTORED = "job.restored", "Job restored"
        JOB_DELETED = "job.deleted", "Job deleted"
        JOB_MONEY = "job.money_changed", "Job money edited (Finance)"
        JOB_PAID = "job.paid_changed", "Contractor / partner paid (Finance)"
        JOB_FINANCE_CANCELLED = "job.finance_cancelled", "Job finance-cancelled"
        JOB_FINANCE_RESTORED = "job.finance_cancel_undone", "Finance-cancel undone"
        FINANCE_SETTINGS = "finance.settings_changed", "Finance settings changed"
        FINANCE_REPORTS = "finance.reports_sent", "Weekly payment reports sent"
        WEBHOOK_RATE_LIMITED = "webhook.rate_limited", "Webhook rate limit hit"
        WEBHOOK_ADDED = "webhook.added", "Outbound webhook added"
        WEBHOOK_CHANGED = "webhook.changed", "Outbound webhook changed"
        WEBHOOK_REMOVED = "webhook.removed", "Outbound webhook removed"
        WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated", "Outbound webhook secret rotated"
        WEBHOOK_REPLAYED = "webhook.replayed", "Webhook delivery replayed"
        WEBHOOK_REPLAYED_ALL = "webhook.replayed_all", "Dead webhook deliveries replayed"
        WEBHOOK_DEAD = "webhook.dead", "Webhook delivery dead (gave up)"
        AUTOMATION_ADDED = "automation.added", "Automation rule added"
        AUTOMATION_CHANGED = "automation.changed", "Automation rule changed"
        AUTOMATION_DELETED = "automation.deleted", "Automation rule deleted"
        AUTOMATIONS_PAUSED = "automations.paused", "Automations paused (Pause All)"
        AUTOMATIONS_RESUMED = "automations.resumed", "Automations resumed"
        OFFICE_ADDED = "office.added", "Office added"
        OFFICE_DELETED = "office.deleted", "Office deleted"
        OFFICE_SETTINGS = "office.settings_changed", "Office settings changed"
        CALLING_HOURS = "calling_hours.updated", "Calling hours updated"
        USER_CREATED = "user.created", "User created"
        USER_UPDATED = "user.updated", "User updated"
        USER_PASSWORD = "user.password_set", "User password set"
        USER_DELETED = "user.deleted", "User deleted"
        USER_SIGN_IN_LINK = "user.sign_in_link_sent", "Partner sign-in link sent"
        SIGN_IN_BLOCKED = "auth.rate_limited", "Sign-in rate limit hit"
        ACCOUNT_PAUSED = "auth.account_paused", "Password sign-in paused (failed attempts)"
        SECRET_UNREADABLE = "secret.undecryptable", "Stored secret can't be decrypted"
        SECRETS_ROTATED = "secret.rotated", "Secrets re-encrypted with a new key"
        INBOUND_FAILED = "inbound.failed", "Inbound lead failed"
        INBOUND_RETRIED = "inbound.retried", "Inbound lead retried"
        INBOUND_DISMISSED = "inbound.dismissed", "Inbound lead failure dismissed"
        EVENT_DELIVERY_RETRIED = "event_delivery.retried", "Failed event handler retried"
        SETTINGS = "settings.changed", "App settings changed"
        EMBED_CREATED = "embed.created", "Booking embed created"
        EMBED_UPDATED = "embed.updated", "Booking embed edited"
        EMBED_LIVE = "embed.live_changed", "Booking embed set live / paused"
        EMBED_DUPLICATED = "embed.duplicated", "Booking embed duplicated"
        EMBED_DELETED = "embed.deleted", "Booking embed deleted"
        BOOKING_HONEYPOT = "booking.honeypot", "Online booking honeypot hit (bot)"
        BOOKING_RATE_LIMITED = "booking.rate_limited", "Online booking rate limit hit"
        SMS_OPTED_OUT = "sms.opted_out", "SMS opt-out"
        SMS_OPTED_IN = "sms.opted_in", "SMS opt-in"
        SMS_NOT_OPT_OUT = "sms.not_opt_out", "Possible SMS opt-out dismissed"
        SMS_REPLIED = "sms.replied", "SMS reply sent by hand"
        SMS_SETTINGS = "sms.settings_changed", "CTM settings changed"
        SMS_LINE = "sms.line_changed", "CTM number changed"
        SMS_TEMPLATE = "sms.template_changed", "SMS template changed"
        TASK_TEMPLATE_ADDED = "task_template.added", "Recurring task added"
        TASK_TEMPLATE_CHANGED = "task_template.changed", "Recurring task changed"
        TASK_TEMPLATE_DELETED = "task_template.deleted", "Recurring task deleted"
        REPORTS_EMAIL_SETTINGS = "reports.email_settings_changed", "Emailed reports changed"
        AI_KEY = "assistant.key_changed", "AI Assistant API key changed"
        AI_MODEL = "assistant.model_changed", "AI Assistant model changed"
        AI_BUDGET = "assistant.budget_changed", "AI Assistant daily budget changed"
        AI_PRICES = "assistant.prices_changed", "AI Assistant prices changed"

    kind = models.CharField(max_length=40, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=160, default="System")
    office = models.ForeignKey("accounts.Office", null=True, blank=True, on_delete=models.SET_NULL)
    office_label = models.CharField(max_length=80, default="all")
    text = models.CharField(max_length=300)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="audit_feed_idx"),
            models.Index(fields=["kind", "-created_at"], name="audit_kind_idx"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def metadata_pretty(self) -> str:
        return json.dumps(self.metadata, indent=2, ensure_ascii=False, sort_keys=True)
