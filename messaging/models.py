"""SMS: our phone numbers (lines), conversations (threads) and their messages, opt-outs.

Everything lives in the database, attachments included (like booking's embed images).
Phones are stored E.164 and matched on their last 10 digits (crm.phones).
"""

import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from crm.fields import EncryptedTextField
from crm.phones import pretty
from crm.scoping import OfficeScopedQuerySet
from crm.unreadable_secrets import notice, report_unreadable

TOLL_FREE_AREA_CODES = frozenset({"800", "833", "844", "855", "866", "877", "888"})
ATTACHMENT_MAX_BYTES = 4 * 1024 * 1024
ATTACHMENT_TYPES = ("image/", "video/", "audio/", "application/pdf")


def new_inbound_token() -> str:
    return secrets.token_urlsafe(24)


class Line(models.Model):
    """One of our phone numbers (synced from CTM, or made by the demo / console provider)."""

    phone = models.CharField(max_length=20, unique=True)
    label = models.CharField(max_length=120, blank=True)
    office = models.ForeignKey(
        "accounts.Office", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    no_reply = models.BooleanField(
        "No reply", default=False, help_text="Nobody (and no AI) can reply from this number."
    )
    tracking_source = models.CharField("Tracking Source", max_length=120, blank=True)
    provider_ref = models.CharField(max_length=64, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["phone"]
        indexes = [models.Index(Lower("tracking_source"), name="line_tracking_source_ci")]

    def __str__(self) -> str:
        return f"{pretty(self.phone)} {self.label}".strip()

    @property
    def pretty_phone(self) -> str:
        return pretty(self.phone)

    @property
    def is_toll_free(self) -> bool:
        digits = "".join(ch for ch in self.phone if ch.isdigit())[-10:]
        return digits[:3] in TOLL_FREE_AREA_CODES


class OfficeSmsSender(models.Model):
    """One CTM number per office: the sender of the office's SMS automations."""

    office = models.OneToOneField(
        "accounts.Office", primary_key=True, on_delete=models.CASCADE, related_name="sms_sender"
    )
    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.office}: {self.line}"


class ThreadQuerySet(OfficeScopedQuerySet):
    """Office scoping (crm.scoping): owners see all, partners none (no partner field)."""


class Direction(models.TextChoices):
    IN = "in", "Inbound"
    OUT = "out", "Outbound"


class Thread(models.Model):
    """One conversation: a customer's phone on one of our lines."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="threads")
    customer_phone = models.CharField(max_length=20)
    customer_last10 = models.CharField(max_length=10, db_index=True)
    # Copied from the line so visible_to scopes without a join.
    office = models.ForeignKey(
        "accounts.Office", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="sms_threads"
    )
    last_message_at = models.DateTimeField(default=timezone.now)
    last_snippet = models.CharField(max_length=160, blank=True)
    last_direction = models.CharField(max_length=3, choices=Direction.choices, blank=True)
    unresolved_count = models.PositiveIntegerField(default=0)
    marked_unread = models.BooleanField(default=False)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line", "customer_phone"], name="thread_line_phone")
        ]
        indexes = [models.Index(fields=["office", "-last_message_at"], name="thread_office_recent")]

    def __str__(self) -> str:
        return f"{pretty(self.customer_phone)} on {self.line}"

    @property
    def pretty_customer_phone(self) -> str:
        return pretty(self.customer_phone)


class Message(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    class Purpose(models.TextChoices):
        MANUAL = "manual", "Manual reply"
        AUTOMATION = "automation", "Automation"
        AI = "ai", "AI"
        SYSTEM = "system", "System"
        CONFIRMATION = "confirmation", "Opt-out confirmation"

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    error = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=64, blank=True)
    purpose = models.CharField(max_length=12, choices=Purpose.choices, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # A provider retries webhooks: its id is stored once (receive_inbound dedupes).
            models.UniqueConstraint(
                fields=["provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="message_provider_id_unique",
            )
        ]
        indexes = [models.Index(fields=["thread", "created_at"], name="message_thread_time")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.created_at:%Y-%m-%d %H:%M}: {self.body[:40]}"


class Attachment(models.Model):
    """An MMS file (≤ 4 MB; images, video, audio, PDF), kept in the database."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content = models.BinaryField()

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def is_allowed(content_type: str, size: int) -> bool:
        return size <= ATTACHMENT_MAX_BYTES and content_type.startswith(ATTACHMENT_TYPES)


class InboundSms(models.Model):
    """A provider's inbound text as delivered: the webhook stores this row and answers at
    once; a worker then makes the Message (`messaging.inbound`). Providers retry: the
    provider's id is stored once."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    provider = models.CharField(max_length=10)
    line_phone = models.CharField(max_length=20)
    from_phone = models.CharField(max_length=40)
    body = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=64, blank=True)
    # MMS files as the provider links them: [{"url": ..., "content_type": ...}], fetched by
    # the worker (Twilio's media URLs need the account's credentials).
    media = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    error = models.TextField(blank=True)
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="inbound_sms_provider_id_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["received_at"],
                condition=Q(state="pending"),
                name="inbound_sms_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.from_phone} → {self.line_phone} ({self.state})"


class Suppression(models.Model):
    """A number that replied STOP: no automation or AI text goes to it."""

    last10 = models.CharField(max_length=10, unique=True)
    word = models.CharField(max_length=40, blank=True)
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.last10} ({self.word})"


class PossibleOptOut(models.Model):
    """A short reply with a stop word inside: held for a person to decide (Possible opt-outs)."""

    class Decision(models.TextChoices):
        PENDING = "", "Pending"
        OPT_OUT = "opt_out", "Opt out"
        NOT_OPT_OUT = "not_opt_out", "Not an opt-out"

    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, related_name="possible_opt_out"
    )
    last10 = models.CharField(max_length=10, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=12, choices=Decision.choices, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.last10}: {self.get_decision_display()}"


class SmsTemplate(models.Model):
    """A canned reply (CP → SMS Templates)."""

    name = models.CharField(max_length=80, unique=True)
    body = models.TextField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MessagingSettings(models.Model):
    """CP → CTM Numbers (owner): the CTM account and its keys, and the inbound token.

    One row, read with `MessagingSettings.load()`. Not a crm.singletons CachedSingleton on
    purpose: that caches field values as they read, and these keys must not sit decrypted
    in the shared cache (AppSettings keeps its key out of it for the same reason).
    """

    ctm_account_id = models.CharField("CTM account ID", max_length=40, blank=True)
    ctm_access_key = EncryptedTextField(
        "CTM access key", blank=True, help_text="Stored encrypted; never shown again."
    )
    ctm_secret_key = EncryptedTextField(
        "CTM secret key", blank=True, help_text="Stored encrypted; never shown again."
    )
    ctm_inbound_token = models.CharField(max_length=64, default=new_inbound_token)
    last_numbers_sync_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "messaging settings"

    def __str__(self) -> str:
        return "Messaging settings"

    @classmethod
    def load(cls) -> "MessagingSettings":
        row, _ = cls.objects.get_or_create(pk=1)
        report_unreadable(row)
        return row

    @classmethod
    def inbound_token(cls) -> str:
        """The CTM webhook's token ("" before the row exists), from the shared cache: every
        inbound text asks. Only the token is cached, never the keys; saving forgets it."""
        key = cls._token_cache_key()
        token = cache.get(key)
        if token is None:
            token = cls.objects.values_list("ctm_inbound_token", flat=True).first() or ""
            cache.set(key, token, timeout=60 * 60)
        return token

    @staticmethod
    def _token_cache_key() -> str:
        # Per database: processes sharing one cache but not one database (test workers).
        return f"messaging:ctm-inbound-token:{connection.settings_dict['NAME']}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        key = self._token_cache_key()
        cache.delete(key)
        transaction.on_commit(lambda: cache.delete(key))  # no stale re-fill

    @property
    def secret_notice(self) -> str:
        return " ".join(
            filter(
                None,
                (
                    notice(self.ctm_access_key, "CTM access key"),
                    notice(self.ctm_secret_key, "CTM secret key"),
                ),
            )
        )

    @property
    def has_ctm_credentials(self) -> bool:
        return bool(self.ctm_account_id and self.ctm_access_key and self.ctm_secret_key)
