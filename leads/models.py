import secrets
import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from crm import phones
from crm.scoping import OfficeScopedQuerySet

# Built-in snooze sequences, in minutes between attempts (spec: Snooze sequences).
# Standard, 22 attempts over ~17 days: days 1–2 four calls in the first 12 h and two in the
# next 12 h; days 3–4 the same; then daily at varying clock hours for 7 days; then 3 calls
# 48 h apart.
_TWO_DAYS = [120, 180, 240, 360, 360, 1620]
STANDARD = [*_TWO_DAYS, *_TWO_DAYS, 1560, 1260, 1680, 1320, 1500, 1380, 1440, 2880, 2880, 2880]
AGGRESSIVE = [5, 10, 20, 30, 60, 120, 180, 720, 1440, 1440, 1440, 2880, 2880, 28800]
BOOKBACK = [15] * 7 + [480] * 7

# key, label, colour, sequence; the order is the initial display order.
BUILT_IN_SOURCES = [
    ("facebook", "Facebook Ads", "#1877f2", STANDARD),
    ("google", "Google Ads", "#ea4335", STANDARD),
    ("lsa", "Google LSA", "#34a853", STANDARD),
    ("yelp", "Yelp", "#d32323", AGGRESSIVE),
    ("angi", "Angi", "#ff6153", AGGRESSIVE),
    ("thumbtack", "Thumbtack", "#009fd9", AGGRESSIVE),
    ("website", "Website", "#0f766e", STANDARD),
    ("manual", "Manual", "#64748b", STANDARD),
    ("nextdoor", "Nextdoor", "#8ed500", STANDARD),
    ("bookback", "BookBack AI", "#0891b2", BOOKBACK),
    ("online_booking", "Online Booking Tool", "#7c3aed", STANDARD),
    ("smsagent", "SMS AI Agent", "#9333ea", STANDARD),
    ("metaagent", "Meta AI Agent", "#c026d3", STANDARD),
]
PROTECTED_SOURCE_KEYS = {"smsagent", "metaagent"}  # booking tools reference these keys


def new_webhook_token() -> str:
    return secrets.token_urlsafe(24)


def add_built_in_sources(source_model) -> None:
    """Create the missing built-in sources (used by the data migration with its historical
    model, and by tests after a transactional flush)."""
    for order, (key, label, color, steps) in enumerate(BUILT_IN_SOURCES):
        source_model.objects.get_or_create(
            key=key,
            defaults={
                "label": label,
                "color": color,
                "snooze_steps": steps,
                "sort_order": order,
                "webhook_token": new_webhook_token(),
            },
        )


class LeadSource(models.Model):
    key = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=80)
    default_office = models.ForeignKey(
        "accounts.Office",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="Where webhook leads without an office land; empty means General.",
    )
    color = models.CharField(max_length=7, default="#64748b")
    is_active = models.BooleanField("Active", default=True)
    webhook_token = models.CharField(max_length=64, unique=True, default=new_webhook_token)
    sort_order = models.PositiveIntegerField(default=0)
    snooze_steps = models.JSONField(
        default=list, blank=True, help_text="Minutes between call attempts."
    )

    class Meta:
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.label


class Status(models.TextChoices):
    FRESH = "fresh", "Fresh"
    NOT_YET_SCHEDULED = "not_yet_scheduled", "Not Yet Scheduled"
    NEEDS_FOLLOW_UP = "needs_follow_up", "Needs a Follow Up"
    CONSULTATION_CALL = "consultation_call", "Consultation Call"
    CONVERTED = "converted", "Converted"
    IRRELEVANT = "irrelevant", "Irrelevant"


# Statuses that wait on a callback: they need a next contact and are "due" once it passes.
CALLBACK_STATUSES = (Status.NOT_YET_SCHEDULED, Status.NEEDS_FOLLOW_UP, Status.CONSULTATION_CALL)
OPEN_STATUSES = (Status.FRESH, *CALLBACK_STATUSES)


class Urgency(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class LeadQuerySet(OfficeScopedQuerySet):
    partner_field = "partner_name__iexact"

    def visible_to(self, user, *, archived: bool = False) -> "LeadQuerySet":
        """Office/partner scope plus archive state: the dashboard never shows archived leads."""
        return super().visible_to(user).filter(is_archived=archived)

    def with_tier(self, now=None) -> "LeadQuerySet":
        """Annotate the dashboard sort tier (spec: How rows are sorted), computed at `now`.

        1 due callbacks (any open lead whose next contact has passed — the spec's overdue
        follow-ups, plus overdue Not Yet Scheduled and Fresh leads it leaves unplaced),
        2 Fresh with no callback, 3 callbacks in the future, 4 Converted, 5 Irrelevant.
        """
        now = now or timezone.now()
        return self.annotate(
            tier=Case(
                When(status__in=OPEN_STATUSES, next_contact_at__lte=now, then=Value(1)),
                When(status=Status.FRESH, next_contact_at__isnull=True, then=Value(2)),
                When(status__in=OPEN_STATUSES, then=Value(3)),
                When(status=Status.CONVERTED, then=Value(4)),
                default=Value(5),
                output_field=IntegerField(),
            )
        )

    def dashboard_order(self, now=None) -> "LeadQuerySet":
        return self.with_tier(now).order_by("tier", "-received_at", "-id")

    def search(self, text: str) -> "LeadQuerySet":
        """Fuzzy-ish search: every word must match name, phone, email, campaign or ZIP."""
        leads = self
        for word in text.split()[:6]:
            digits = "".join(ch for ch in word if ch.isdigit())
            match = (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(campaign__icontains=word)
                | Q(zip_code__startswith=word)
            )
            if len(digits) >= 3:
                match |= Q(phone_last10__contains=digits)
            leads = leads.filter(match)
        return leads

    def with_urgency(self, urgencies: list[str], now=None) -> "LeadQuerySet":
        now = now or timezone.now()
        due = Q(status__in=CALLBACK_STATUSES, next_contact_at__lte=now)
        rules = {
            Urgency.HIGH: Q(status=Status.FRESH) | due,
            Urgency.MEDIUM: Q(status__in=CALLBACK_STATUSES) & ~due,
            Urgency.LOW: Q(status__in=[Status.CONVERTED, Status.IRRELEVANT]),
        }
        condition = Q(pk__in=[])
        for urgency in urgencies:
            condition |= rules[urgency]
        return self.filter(condition)


class Lead(models.Model):
    # The id outbound payloads carry (Workiz "UUID"): stable, and not guessable like the pk.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    office = models.ForeignKey("accounts.Office", on_delete=models.PROTECT, related_name="leads")
    received_at = models.DateTimeField("Time received", default=timezone.now)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    phone_last10 = models.CharField(max_length=10, blank=True, db_index=True)
    email = models.EmailField(blank=True)
    zip_code = models.CharField("ZIP", max_length=10, blank=True)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, blank=True)
    timezone = models.CharField(max_length=40, blank=True)
    metro = models.CharField(max_length=60, blank=True)
    source = models.ForeignKey(LeadSource, on_delete=models.PROTECT, related_name="leads")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.FRESH)
    next_contact_at = models.DateTimeField("Next contact", null=True, blank=True)
    call_count = models.PositiveIntegerField(default=0)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    campaign = models.CharField(max_length=200, blank=True)
    ad_name = models.CharField(max_length=200, blank=True)
    adset_name = models.CharField("Ad set", max_length=200, blank=True)
    partner_name = models.CharField(max_length=80, blank=True, db_index=True)
    fb_lead_id = models.CharField("Facebook lead id", max_length=64, blank=True, db_index=True)
    tracking_source = models.CharField(max_length=120, blank=True)
    fee = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    service_type = models.CharField(max_length=200, blank=True)
    how_soon = models.CharField(max_length=120, blank=True)
    notes = models.TextField(blank=True)
    is_bookback = models.BooleanField("BookBack AI", default=False)
    is_transferred = models.BooleanField("Transferred", default=False)
    irrelevant_reason = models.CharField(max_length=300, blank=True)
    workiz_job_number = models.CharField(max_length=40, blank=True)
    is_archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            # The dashboard: live rows by office, newest first (tier is computed per render).
            models.Index(
                fields=["is_archived", "office", "-received_at"], name="lead_dashboard_idx"
            ),
            models.Index(fields=["is_archived", "-received_at"], name="lead_recent_idx"),
            models.Index(fields=["status", "next_contact_at"], name="lead_due_idx"),
            models.Index(fields=["source", "-received_at"], name="lead_source_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def display_id(self) -> str:
        return f"L-{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def urgency_at(self, now) -> str:
        """Live urgency (never stored): High, Medium or Low at `now`."""
        if self.status == Status.FRESH:
            return Urgency.HIGH
        if self.status in CALLBACK_STATUSES:
            due = self.next_contact_at is not None and self.next_contact_at <= now
            return Urgency.HIGH if due else Urgency.MEDIUM
        return Urgency.LOW

    @property
    def urgency(self) -> str:
        return self.urgency_at(timezone.now())

    @property
    def local_zone(self) -> ZoneInfo:
        try:
            return (
                ZoneInfo(self.timezone) if self.timezone else ZoneInfo(settings.BUSINESS_TIME_ZONE)
            )
        except (KeyError, ValueError):
            return ZoneInfo(settings.BUSINESS_TIME_ZONE)

    @property
    def is_callback_status(self) -> bool:
        return self.status in CALLBACK_STATUSES

    def phone_visible_to(self, user) -> bool:
        """A Fresh lead's phone belongs to whoever claimed it; after Fresh, to everyone.
        A partner login sent the lead itself: it always reads its client's details."""
        if not self.phone:
            return False
        if self.status == Status.FRESH and user.role != "partner":
            return self.claimed_by_id is not None and self.claimed_by_id == user.pk
        return True

    @property
    def phone_pretty(self) -> str:
        return phones.pretty(self.phone)

    @property
    def phone_masked(self) -> str:
        return phones.masked(self.phone)


class BookBackCall(models.Model):
    """One BookBack AI call that reactivated (or created) a lead."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="bookback_calls")
    called_at = models.DateTimeField(default=timezone.now)
    playbook_score = models.CharField(max_length=40, blank=True)
    objection = models.CharField(max_length=300, blank=True)
    recording_url = models.URLField(max_length=500, blank=True)
    previous_status = models.CharField(max_length=20, blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-called_at"]

    def __str__(self) -> str:
        return f"BookBack call on {self.lead_id}"


class CallingHours(models.Model):
    """When CSRs may call a lead, by the lead's US state, in the lead's local time."""

    state = models.CharField(max_length=2, unique=True)
    start_hour = models.PositiveSmallIntegerField(default=9)
    end_hour = models.PositiveSmallIntegerField(default=21)
    sunday_start_hour = models.PositiveSmallIntegerField(null=True, blank=True)
    sunday_end_hour = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["state"]
        verbose_name_plural = "calling hours"

    def __str__(self) -> str:
        return f"{self.state} {self.start_hour}–{self.end_hour}"

    def window(self, weekday: int) -> tuple[int, int]:
        """(start, end) hours for a weekday (Monday 0); Sunday has its own when set."""
        if weekday == 6 and self.sunday_start_hour is not None and self.sunday_end_hour is not None:
            return self.sunday_start_hour, self.sunday_end_hour
        return self.start_hour, self.end_hour


class InboundLead(models.Model):
    """The webhook inbox: a partner's payload as received, stored before any processing.

    The webhook answers as soon as the row exists (one insert); a Celery task turns it
    into a lead (or a BookBack reactivation). A failed attempt stays here with its error
    and is retried by its task and the beat sweep; a row that still fails shows on
    CP → 📥 Inbox failures until the owner retries or dismisses it, so no accepted lead
    is ever lost silently.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        DISMISSED = "dismissed", "Dismissed"  # a failure the owner looked at and let go

    source = models.ForeignKey(LeadSource, on_delete=models.PROTECT, related_name="+")
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=12, blank=True)  # created / reactivated
    error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "received_at"], name="inbound_state_idx"),
            # The webhook's sliding rate-limit window: a source's newest rows.
            models.Index(fields=["source", "-received_at"], name="inbound_source_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"Inbound {self.source_id} #{self.pk} ({self.state})"
