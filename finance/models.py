"""Finance's own rows: CP → Finance settings and the log of weekly payment-report emails.
The money itself lives on the job (jobs.models.Job: closing, parts, paid flags...)."""

from django.db import models
from django.utils import timezone

from crm import mail
from crm.fields import EncryptedTextField
from crm.unreadable_secrets import notice, report_unreadable


class FinanceSettings(models.Model):
    """CP → Finance settings (owner): the SMTP account the payment reports go out through,
    who gets them when nobody else does, and the outbound CTM number (used by messaging).
    One row, read with `FinanceSettings.load()`."""

    smtp_host = models.CharField("SMTP host", max_length=200, blank=True)
    smtp_port = models.PositiveIntegerField("Port", default=587)
    smtp_username = models.CharField("SMTP username", max_length=200, blank=True)
    smtp_password = EncryptedTextField(
        "App password", blank=True, help_text="Stored encrypted; never shown again."
    )
    smtp_use_tls = models.BooleanField("STARTTLS (port 587)", default=True)
    smtp_use_ssl = models.BooleanField("SSL (port 465)", default=False)
    from_email = models.EmailField("From email", blank=True)
    from_name = models.CharField("From name", max_length=120, blank=True)
    report_recipients = models.TextField(
        "Report recipients",
        blank=True,
        help_text="One email per line. They get every partner report, and the report of "
        "any contractor without an email (reports).",
    )
    # One of CP → CTM Numbers (a pick, no longer typed).
    outbound_ctm_number = models.ForeignKey(
        "messaging.Line",
        verbose_name="Outbound CTM number",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "finance settings"

    def __str__(self) -> str:
        return "Finance settings"

    @classmethod
    def load(cls) -> "FinanceSettings":
        finance_settings, _ = cls.objects.get_or_create(pk=1)
        report_unreadable(finance_settings)
        return finance_settings

    @property
    def secret_notice(self) -> str:
        return notice(self.smtp_password, "SMTP password")

    @property
    def smtp_config(self) -> mail.SmtpConfig:
        """The account as crm.mail takes it (as Office.smtp_config is an office's)."""
        if self.smtp_use_ssl:
            security = mail.Security.SSL
        elif self.smtp_use_tls:
            security = mail.Security.STARTTLS
        else:
            security = mail.Security.NONE
        return mail.SmtpConfig(
            host=self.smtp_host,
            port=self.smtp_port,
            username=self.smtp_username,
            password=self.smtp_password,
            from_email=self.from_email,
            from_name=self.from_name,
            security=security,
        )

    @property
    def is_smtp_configured(self) -> bool:
        return bool(self.smtp_host and self.from_email)

    @property
    def recipients(self) -> list[str]:
        return [line.strip() for line in self.report_recipients.splitlines() if line.strip()]

    @property
    def sender(self) -> str:
        return f"{self.from_name} <{self.from_email}>" if self.from_name else self.from_email


class WeeklyReportDelivery(models.Model):
    """One weekly payment-report email (one contractor's, or one partner's), once.

    The unique (week, kind, party) row is claimed before sending and marked sent after,
    so a second run of the week sends nothing twice and a run that died half-way resends
    only what it never finished (see `finance.mailing`).
    """

    class Kind(models.TextChoices):
        CONTRACTOR = "contractor", "Contractor"
        PARTNER = "partner", "Partner"

    class State(models.TextChoices):
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    week_start = models.DateField(help_text="The Monday of the report's week.")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    party_id = models.PositiveBigIntegerField(help_text="The contractor's or partner's id.")
    party_name = models.CharField(max_length=120)
    recipients = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SENDING)
    attempts = models.PositiveSmallIntegerField(default=1)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-week_start", "kind", "party_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["week_start", "kind", "party_id"], name="weekly_report_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} report for {self.party_name}, week of {self.week_start}"
