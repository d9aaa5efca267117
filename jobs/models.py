"""Jobs: booked appointments and their dispatch to contractors."""

import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.db.models.functions import Lower
from django.utils.timezone import now  # not `timezone`: Job has a field of that name

from crm.accounts.models import Role
from crm.scoping import OfficeScopedQuerySet
from crm.singletons import CachedSingleton
from crm.timezones import zone_or_default

SETTINGS_CACHE_KEY = "jobs:settings"
ZONES_CACHE_KEY = "jobs:zones"
FIRST_JOB_NUMBER = 3542  # spec: "Counter starts at 3542 (business choice)"
MONEY = {"max_digits": 10, "decimal_places": 2}


class Status(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    IN_PROGRESS = "in_progress", "In Progress"
    DEPOSIT = "deposit", "Deposit"
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


# Work still under way; Done and Cancelled are history (no FIND CONTRACTOR for them).
ACTIVE_STATUSES = (Status.SUBMITTED, Status.IN_PROGRESS, Status.DEPOSIT, Status.PENDING)

# The jobs with money to track: the Finance dashboard shows only these.
FINANCE_STATUSES = (Status.DEPOSIT, Status.DONE)


class Attention(models.TextChoices):
    """Why a job needs action (spec: The "Needs Attention" filter), most urgent first."""

    UPDATE_NEEDED = "update_needed", "🔴 UPDATE NEEDED"
    FOLLOW_UP_NEEDED = "follow_up_needed", "🟣 FOLLOW UP NEEDED"
    ASK_FOR_UPDATE = "ask_for_update", "🔵 ASK FOR UPDATE"
    FIND_CONTRACTOR = "find_contractor", "🟡 FIND CONTRACTOR"


class CancelReason(models.Model):
    """Pre-canned reasons for Cancelled jobs (CP → Cancel Reasons)."""

    label = models.CharField(max_length=120)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "label"]
        constraints = [models.UniqueConstraint(Lower("label"), name="cancel_reason_unique_ci")]

    def __str__(self) -> str:
        return self.label


class JobTag(models.Model):
    """A colour-coded tag for the job detail panel (CP → Job Tags)."""

    label = models.CharField(max_length=60)
    color = models.CharField(max_length=7, default="#64748b")

    class Meta:
        ordering = ["label"]
        constraints = [models.UniqueConstraint(Lower("label"), name="job_tag_unique_ci")]

    def __str__(self) -> str:
        return self.label


class JobsSettings(CachedSingleton):
    """CP → Jobs Attentions and CP → Jobs Settings → Auto Status Change; one row, read
    with `JobsSettings.load()`."""

    ask_for_update_hours = models.PositiveSmallIntegerField(
        "Ask for update after (hours)",
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text="An In Progress job is flagged ASK FOR UPDATE this long after its window ends.",
    )
    auto_advance_enabled = models.BooleanField(
        "Submitted → In Progress",
        default=False,
        help_text="At 7 PM (the job's local time) the day before, in the ticked offices.",
    )
    auto_advance_offices = models.ManyToManyField(
        "accounts.Office", blank=True, related_name="+", verbose_name="Offices"
    )

    cache_prefix = SETTINGS_CACHE_KEY  # every board load and every tick reads it
    cached_extras = ("advancing_office_ids",)

    class Meta:
        verbose_name_plural = "jobs settings"

    def __str__(self) -> str:
        return "Jobs settings"

    def add_cached_extras(self) -> None:
        """Cached with the row (crm.singletons): the ticked offices whose Jobs feature is on.
        Saving the row, its offices or any office drops the copy (jobs.signals)."""
        self.advancing_office_ids = tuple(
            self.auto_advance_offices.filter(is_jobs_enabled=True).values_list("pk", flat=True)
        )


class JobCounter(models.Model):
    """The one row holding the next JOB-#### number (see `services.creating.take_number`)."""

    next_number = models.PositiveIntegerField(default=FIRST_JOB_NUMBER)

    def __str__(self) -> str:
        return f"Next job: JOB-{self.next_number}"


class JobQuerySet(OfficeScopedQuerySet):
    partner_field = "source__name__iexact"

    def visible_to(self, user, *, archived: bool = False) -> "JobQuerySet":
        """Office/partner scope, archive state, and only offices with the Jobs feature on:
        a switched-off office's jobs vanish everywhere until it is switched back on."""
        jobs = super().visible_to(user).filter(is_archived=archived)
        if user.is_authenticated and user.role != Role.PARTNER:
            # The Jobs flags come with the user's cached office list: no join needed.
            enabled = [pk for pk, _, is_jobs_enabled in user.visible_offices if is_jobs_enabled]
            return jobs.filter(office_id__in=enabled)
        return jobs.filter(office__is_jobs_enabled=True)

    def with_attention(self, *, now=None, hours: int | None = None) -> "JobQuerySet":
        """Annotate `attention` (an Attention value, or "") computed in SQL at `now`."""
        from jobs.services.attention import attention_case  # inside: it imports this module

        return self.annotate(attention=attention_case(now=now, hours=hours))

    def needing_attention(self, *, now=None, hours: int | None = None) -> "JobQuerySet":
        """Only jobs that need attention at `now`: countable and filterable in one query."""
        from jobs.services.attention import attention_case  # inside: as above

        # Every rule implies an active status: said, the page walks `job_active_idx` (its
        # rows in board order, every column the rules read included) and stops at 51.
        # The rules are asked as "the Attention value is not empty" rather than as their
        # OR: written out, their columns' statistics multiply into ~250 rows where ~17,000
        # match at 500,000 jobs, and the planner sorts them all for a page (60 ms), or walks
        # the whole board's index past thousands of Done jobs (6 ms). An expression's
        # default estimate keeps the ordered walk: 0.3 ms.
        return (
            self.filter(status__in=ACTIVE_STATUSES)
            .alias(attention_value=attention_case(now=now, hours=hours))
            .filter(attention_value__gt="")
        )


class Job(models.Model):
    number = models.PositiveIntegerField(unique=True, editable=False)
    # The id outbound payloads carry (Workiz "UUID"): stable, and not guessable like `number`.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    office = models.ForeignKey("accounts.Office", on_delete=models.PROTECT, related_name="jobs")

    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80, blank=True)
    phone = models.CharField(max_length=20)
    phone_last10 = models.CharField(max_length=10, db_index=True)
    email = models.EmailField(blank=True)

    street = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField("ZIP", max_length=10, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    timezone = models.CharField(max_length=40, default=settings.BUSINESS_TIME_ZONE)

    service_area = models.ForeignKey(
        "contractors.ServiceArea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    # Snapshots of the service area at booking: editing the area later leaves jobs alone.
    area_code = models.CharField(max_length=3, blank=True)
    office_address = models.CharField(max_length=200, blank=True)

    job_type = models.ForeignKey(
        "contractors.JobType", on_delete=models.PROTECT, related_name="jobs"
    )
    source = models.ForeignKey(
        "contractors.JobPartner",
        on_delete=models.PROTECT,
        related_name="jobs",
        verbose_name="Job source",
    )
    company = models.CharField(
        max_length=120, blank=True, help_text="The brand represented to the customer."
    )
    contractor = models.ForeignKey(
        "contractors.Contractor",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    profit_share = models.DecimalField(
        "Profit share %", max_digits=5, decimal_places=2, null=True, blank=True
    )

    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    status_changed_at = models.DateTimeField(default=now)
    status_note = models.TextField(blank=True)
    expected_completion = models.DateField(null=True, blank=True)
    deposit_amount = models.DecimalField(**MONEY, null=True, blank=True)
    follow_up_at = models.DateTimeField(null=True, blank=True)
    closing_total = models.DecimalField(**MONEY, null=True, blank=True)
    parts_total = models.DecimalField(**MONEY, null=True, blank=True)
    cancel_reason = models.ForeignKey(
        CancelReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    k_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    k_confirmed_at = models.DateTimeField(null=True, blank=True)
    rebooked_at = models.DateTimeField(null=True, blank=True)
    rebooked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Finance (spec: Finance dashboard). Paid flags say who marked them and when; a house
    # brand's partner-paid is stamped automatically when the job goes Done (no person).
    contractor_paid_at = models.DateTimeField(null=True, blank=True)
    contractor_paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    partner_paid_at = models.DateTimeField(null=True, blank=True)
    partner_paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    partner_paid_auto = models.BooleanField(
        default=False, help_text="Stamped by the house-brand rule, not by a person."
    )
    # Finance-cancel (chargeback, refund, dispute) leaves `status` alone.
    finance_cancelled_at = models.DateTimeField(null=True, blank=True)
    finance_cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finance_cancel_reason = models.TextField(blank=True)
    finance_cancel_note = models.TextField(blank=True)

    tags = models.ManyToManyField(JobTag, blank=True, related_name="jobs")
    notes = models.TextField(blank=True)
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "number"]
        indexes = [
            # The dashboard: live jobs of the user's offices in a date window (owners: all).
            models.Index(fields=["is_archived", "office", "starts_at"], name="job_dashboard_idx"),
            models.Index(fields=["is_archived", "starts_at"], name="job_dates_idx"),
            # 📊 Reports' Jobs tab: the jobs created in a period, read by range.
            models.Index(fields=["created_at"], name="job_created_idx"),
            # Status filters, the attention rules (each is status-led) and the auto-status
            # tick (Submitted jobs starting soon).
            models.Index(fields=["status", "starts_at"], name="job_status_idx"),
            # /finance: only live Deposit/Done jobs, by office and job date (partial, so it
            # holds just the finance rows; partner and contractor filters use their FK
            # indexes). Its condition must match `finance.queries.finance_jobs`.
            models.Index(
                fields=["office", "starts_at"],
                name="job_finance_idx",
                condition=models.Q(status__in=FINANCE_STATUSES, is_archived=False),
            ),
            # Pages read in the board's order (starts_at, number), so LIMIT stops early with
            # no sort: the date window of live jobs and 🚨 Needs Attention's rows; the 🚨
            # count states the active statuses (every rule needs one) to use the second.
            # Each carries what its page's COUNT filters on, so the count reads the index
            # alone (thousands of rows a page, never the table).
            models.Index(
                fields=["starts_at", "number"],
                name="job_board_idx",
                condition=models.Q(is_archived=False),
                include=["office"],
            ),
            models.Index(
                fields=["starts_at", "number"],
                name="job_active_idx",
                condition=models.Q(status__in=ACTIVE_STATUSES, is_archived=False),
                include=[
                    "office",
                    "status",
                    "contractor",
                    "expected_completion",
                    "follow_up_at",
                    "ends_at",
                    "timezone",
                ],
            ),
            # The zones jobs are booked in (`zones_in_use`), read by skipping through it.
            models.Index(fields=["timezone"], name="job_timezone_idx"),
            # /finance's page, newest first (read backwards); same condition as above.
            models.Index(
                fields=["starts_at", "number"],
                name="job_finance_order_idx",
                condition=models.Q(status__in=FINANCE_STATUSES, is_archived=False),
            ),
            # 📦 Archived: the newest 200 archived jobs.
            models.Index(
                fields=["-archived_at"],
                name="job_archived_idx",
                condition=models.Q(is_archived=True),
            ),
            # The finance-cancelled filter and the weekly reimbursement sweep: few rows.
            models.Index(
                fields=["finance_cancelled_at"],
                name="job_finance_cancelled_idx",
                condition=models.Q(finance_cancelled_at__isnull=False),
            ),
            # The weekly payment report: jobs marked Done in a week.
            models.Index(
                fields=["status_changed_at"],
                name="job_done_at_idx",
                condition=models.Q(status=Status.DONE),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_id} {self.full_name}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.timezone not in zones_in_use(query=False):
            forget_zones()  # a zone no job had before: the next reader lists it

    @property
    def display_id(self) -> str:
        return f"JOB-{self.number}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def address(self) -> str:
        """One line: "1379 Algiers St, Unit 2, Pt Charlotte, FL 33980"."""
        region = " ".join(part for part in (self.state, self.zip_code) if part)
        parts = (self.street, self.unit, self.city, region)
        return ", ".join(part for part in parts if part)

    @property
    def local_zone(self) -> ZoneInfo:
        return zone_or_default(self.timezone)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_k_confirmed(self) -> bool:
        return self.k_confirmed_at is not None

    @property
    def is_contractor_paid(self) -> bool:
        return self.contractor_paid_at is not None

    @property
    def is_partner_paid(self) -> bool:
        return self.partner_paid_at is not None

    @property
    def is_finance_cancelled(self) -> bool:
        return self.finance_cancelled_at is not None


def zones_in_use(*, query: bool = True) -> tuple[str, ...]:
    """The time zones jobs are booked in (a handful), from the shared cache: the clock
    conditions (`by_local_clock`) then branch on these instead of every US zone. A job
    saved in a zone not listed drops the list. `query=False`: the cached list or ()."""
    zones = cache.get(ZONES_CACHE_KEY)
    if zones is None and query:
        zones = _distinct_zones()
        cache.set(ZONES_CACHE_KEY, zones, timeout=None)
    return zones or ()


# Postgres reads a DISTINCT by scanning every job (2 s at 500,000, on the board load that
# finds the list gone); this walk probes `job_timezone_idx` once per zone instead.
_ZONES_WALK = """
    WITH RECURSIVE zone AS (
        (SELECT timezone FROM jobs_job ORDER BY timezone LIMIT 1)
        UNION ALL
        SELECT (SELECT timezone FROM jobs_job WHERE timezone > zone.timezone
                ORDER BY timezone LIMIT 1)
        FROM zone WHERE zone.timezone IS NOT NULL
    )
    SELECT timezone FROM zone WHERE timezone IS NOT NULL
"""


def _distinct_zones() -> tuple[str, ...]:
    if connection.vendor != "postgresql":  # SQLite reads the index alone for a DISTINCT
        return tuple(sorted(set(Job.objects.values_list("timezone", flat=True).distinct())))
    with connection.cursor() as cursor:
        cursor.execute(_ZONES_WALK)
        return tuple(sorted(row[0] for row in cursor.fetchall()))


def settings_and_zones() -> tuple[JobsSettings, tuple[str, ...]]:
    """Both, in one cache round trip when both are cached (the 15-minute tick reads them)."""
    settings_key = JobsSettings.cache_key()
    cached = cache.get_many([settings_key, ZONES_CACHE_KEY])
    jobs_settings = JobsSettings.from_cached(cached.get(settings_key)) or JobsSettings.load()
    zones = cached.get(ZONES_CACHE_KEY)
    return jobs_settings, zones if zones is not None else zones_in_use()


def forget_zones() -> None:
    cache.delete(ZONES_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(ZONES_CACHE_KEY))  # no stale re-fill
