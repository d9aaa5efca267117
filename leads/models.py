import secrets
import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Case, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Upper
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


SEARCHED_TEXT = ("first_name", "last_name", "email", "campaign")


class Urgency(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


# The dashboard's tiers (spec: How rows are sorted), each a condition an index can serve.
# Tiers 1 and 3 split one set (open leads with a callback) at `now`, so urgency stays live
# with no write; the partial indexes below hold exactly these sets, newest first, and the
# page walks them in tier order (leads.listing). The same Q objects build the indexes
# and the queries: Postgres and SQLite match a partial index by its very terms.
LIVE = Q(is_archived=False)
FRESH_WITHOUT_CALLBACK = Q(status=Status.FRESH, next_contact_at__isnull=True)
# Open leads waiting on a callback (a Fresh lead snoozed by a call attempt too); one with
# no time set yet sorts with the future ones, as `with_tier` has it.
WAITING = Q(status__in=OPEN_STATUSES) & ~FRESH_WITHOUT_CALLBACK
CONVERTED = Q(status=Status.CONVERTED)
CLOSED = ~Q(status__in=[*OPEN_STATUSES, Status.CONVERTED])
TIER_SETS = {
    "waiting": WAITING,
    "fresh": FRESH_WITHOUT_CALLBACK,
    "converted": CONVERTED,
    "closed": CLOSED,
}


def tier_branches(now, statuses=None) -> list[tuple[int, Q]]:
    """(tier, condition) pairs whose union is every live lead, each read newest first from
    one partial index: 1 due callbacks, 2 Fresh without one, 3 future (or unset) callbacks,
    4 Converted, 5 Irrelevant. Must agree with `LeadQuerySet.with_tier`.

    `statuses` (a status filter) narrows each tier's own status terms instead of being
    added beside them: two status terms multiply in Postgres's row estimate (143 rows
    guessed where 7,966 matched at 1,000,000 leads), and it sorted them all rather than
    walk the tier's index. Postgres still proves the partial index from a narrower list;
    SQLite, which needs the index's very terms, gets the filter beside them instead."""
    waiting, closed = WAITING, CLOSED
    if statuses:
        open_ones = [status for status in OPEN_STATUSES if status in statuses]
        waiting = Q(status__in=open_ones) & ~FRESH_WITHOUT_CALLBACK
        closed = CLOSED & Q(status__in=sorted(statuses))
    return [
        (1, waiting & Q(next_contact_at__lte=now)),
        (2, FRESH_WITHOUT_CALLBACK),
        (3, waiting & (Q(next_contact_at__gt=now) | Q(next_contact_at__isnull=True))),
        (4, CONVERTED),
        (5, closed),
    ]


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
        """Fuzzy search: every word must match name, phone, email, campaign or ZIP.

        On Postgres a word matches a column holding it (any case) or a name within trigram
        similarity ("marai" finds Maria), through the trigram indexes; phone by its digits
        and ZIP by prefix, through theirs. Words under 3 characters carry no trigram and
        would read every index entry, so they are skipped there. On SQLite: substrings.
        """
        leads = self
        is_postgres = connection.vendor == "postgresql"
        if is_postgres:
            leads = leads.alias(**{f"{name}_upper": Upper(name) for name in SEARCHED_TEXT})
        for word in text.split()[:6]:
            digits = "".join(ch for ch in word if ch.isdigit())
            if is_postgres and len(word) < 3:
                continue
            if is_postgres:
                match = Q(first_name_upper__trigram_similar=word.upper()) | Q(
                    last_name_upper__trigram_similar=word.upper()
                )
                for name in SEARCHED_TEXT:
                    match |= Q(**{f"{name}_upper__contains": word.upper()})
            else:
                match = Q()
                for name in SEARCHED_TEXT:
                    match |= Q(**{f"{name}__icontains": word})
            match |= Q(zip_code__startswith=word)
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
            # One per tier set, in the dashboard's order: a page reads its 25 rows from
            # these, never sorting the table (leads.listing). The trigram indexes for the
            # search are Postgres-only and live in migration 0007.
            *(
                models.Index(
                    fields=["-received_at", "-id"],
                    condition=LIVE & condition,
                    name=f"lead_tier_{name}_idx",
                )
                for name, condition in TIER_SETS.items()
            ),
            # 📦 Archived: the newest 200 archived leads, in the modal's very order.
            models.Index(
                fields=["-archived_at", "-id"],
                name="lead_archived_idx",
                condition=Q(is_archived=True),
            ),
        ]

    @classmethod
    def from_db(cls, db, field_names, values):
        lead = super().from_db(db, field_names, values)
        if set(field_names) >= _COUNTED_FIELDS:
            lead._counted = lead._counter_key()
        return lead

    def _counter_key(self) -> tuple[int, str] | None:
        """The (office, status) counter this lead adds one to; None when archived."""
        return None if self.is_archived else (self.office_id, self.status)

    def save(self, *args, **kwargs):
        """Saves, and moves the lead between per-(office, status) counters in the same
        transaction when its office, status or archive state changed (LeadCounter)."""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and _COUNTED_FIELDS.isdisjoint(
            {self._meta.get_field(name).attname for name in update_fields}
        ):
            return super().save(*args, **kwargs)  # a claim, a call, a note: no counter moves
        with transaction.atomic(savepoint=False):  # inside an action: its own transaction
            if self._state.adding:
                old = None
            elif hasattr(self, "_counted"):
                old = self._counted
            else:  # loaded without the counted fields: read what the row holds now
                row = (
                    Lead.objects.filter(pk=self.pk)
                    .values_list("office_id", "status", "is_archived")
                    .first()
                )
                old = None if row is None or row[2] else row[:2]
            super().save(*args, **kwargs)
            new = self._counter_key()
            if old != new:
                LeadCounter.move(old, new)
        self._counted = new

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


_COUNTED_FIELDS = {"office_id", "status", "is_archived"}


class LeadCounter(models.Model):
    """How many live leads one office holds in one status: the dashboard's totals at a
    million leads without a COUNT. `Lead.save()` moves a lead between counters inside the
    writing action's transaction (and `post_delete` takes a deleted live lead off), so a
    counter changes exactly when its leads do. Writes that skip save() (COPY, update(),
    a queryset delete) call `recount()` afterwards; an action deletes only archived leads,
    which no counter holds."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "status"], name="lead_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.office_id}/{self.status}: {self.count}"

    @classmethod
    def move(cls, old: tuple | None, new: tuple | None) -> None:
        """-1 on `old`, +1 on `new` ((office_id, status) or None), in one statement.

        An upsert adds to the row under its lock, so concurrent actions never lose a step;
        the rows are touched in key order, so two opposite moves cannot deadlock.
        """
        steps = {}
        if old is not None:
            steps[old] = steps.get(old, 0) - 1
        if new is not None:
            steps[new] = steps.get(new, 0) + 1
        steps = sorted((key, delta) for key, delta in steps.items() if delta)
        if not steps:
            return
        table = connection.ops.quote_name(cls._meta.db_table)
        values = ", ".join(["(%s, %s, %s)"] * len(steps))
        params = [
            part for (office_id, status), delta in steps for part in (office_id, status, delta)
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (office_id, status, count) VALUES {values} "
                "ON CONFLICT (office_id, status) "
                f"DO UPDATE SET count = {table}.count + excluded.count",
                params,
            )

    @classmethod
    @transaction.atomic
    def recount(cls) -> None:
        """Set every counter from the leads table (after bulk writes that skip save())."""
        cls.objects.all().delete()
        cls.objects.bulk_create(
            cls(office_id=row["office_id"], status=row["status"], count=row["count"])
            for row in Lead.objects.filter(is_archived=False)
            .values("office_id", "status")
            .annotate(count=models.Count("id"))
            .order_by()
        )

    @classmethod
    def total(cls, *, office_ids=None, statuses=None) -> int:
        """Live leads in these offices (None: all) and statuses (None: all)."""
        counters = cls.objects.all()
        if office_ids is not None:
            counters = counters.filter(office_id__in=office_ids)
        if statuses:
            counters = counters.filter(status__in=statuses)
        return counters.aggregate(total=Sum("count"))["total"] or 0


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
