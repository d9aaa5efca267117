from django.db import models
from django.utils import timezone


class ReportEmailSettings(models.Model):
    """CP → 📧 Email Settings (one row): who gets the emailed reports, and which ones."""

    recipients = models.TextField(blank=True, help_text="One address per line (or commas).")
    send_daily = models.BooleanField("Daily (11 PM ET, that day)", default=False)
    send_weekly = models.BooleanField("Weekly (Sunday 11 PM ET, Monday–Sunday)", default=False)
    send_monthly = models.BooleanField(
        "Monthly (the 1st, 11 PM ET, the previous month)", default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "report email settings"

    def __str__(self) -> str:
        return "Report email settings"

    @classmethod
    def load(cls) -> "ReportEmailSettings":
        settings, _ = cls.objects.get_or_create(pk=1)
        return settings

    @property
    def recipient_list(self) -> list[str]:
        return [line for line in self.recipients.splitlines() if line.strip()]

    def sends(self, kind: str) -> bool:
        return getattr(self, f"send_{kind}")


class ReportDelivery(models.Model):
    """One emailed report to one recipient for one window, once.

    The unique (kind, window, recipient) row is claimed before sending and marked sent
    after: a second tick sends nothing, a failed send is tried again by the next tick,
    and two ticks at once split the work (crm.reports.services.send_due_reports).
    """

    class Kind(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"

    class Status(models.TextChoices):
        PENDING = "pending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    window_start = models.DateField(help_text="The first New York day the report covers.")
    window_end = models.DateField(help_text="The last New York day the report covers.")
    recipient = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=1)
    error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "window_start", "recipient"], name="report_delivery_once"
            )
        ]
        indexes = [models.Index(fields=["-claimed_at", "-id"], name="report_delivery_recent_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} report of {self.window_start} to {self.recipient}"
