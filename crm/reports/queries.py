"""The numbers of the 📊 Reports modal and the emailed reports.

Each block is one aggregate query (GROUP BY with conditional counts, medians by
`Percentile`), never a loop over leads or jobs; blocks whose groups add up share one
query (the status / source / office / attempt # counts, the jobs' money and bars). The
whole report is cached for a minute per (offices counted, period): users who see the
same offices share it.

History comes from the timeline's structured entries: claims (kind "claim"), call
attempts ("call") and status changes ("status", data old → new); never from text, and
never from DomainEvent rows (purged after 90 days).
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Avg, Count, F, Func, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from crm.accounts.models import Office
from crm.controlpanel.models import AppSettings
from crm.permissions import check
from crm.reports.data import (
    AgentRow,
    AttemptRow,
    Bar,
    ContractorRow,
    DayPoint,
    JobsReport,
    LeadsReport,
    Report,
    SpeedRow,
)
from crm.reports.periods import Period, business_zone
from crm.reports.sql import MinutesBetween, Percentile
from crm.timeline.models import TimelineEntry
from jobs.models import Job
from jobs.models import Status as JobStatus
from leads.models import BookBackCall, Lead, Status

CACHE_SECONDS = 60
CACHE_VERSION = 1
TOP_CONTRACTORS = 20
CLAIM, CALL, STATUS = "claim", "call", "status"
RESPONSES = [CLAIM, CALL]
ZERO = Decimal("0.00")


def _offices_of(user) -> list[Office]:
    """The user's offices as records built from their cached office list (no query)."""
    return [
        Office(pk=pk, name=name, is_jobs_enabled=is_jobs_enabled)
        for pk, name, is_jobs_enabled in user.visible_offices
    ]


def jobs_tab_allowed(user) -> bool:
    """Does the user have an office with the Jobs feature on (the 🔧 Jobs tab)?"""
    return any(is_jobs_enabled for _, _, is_jobs_enabled in user.visible_offices)


def report_for(user, period: Period, office_ids: list[int] | None = None) -> Report:
    """The report `user` may see for `period`: their offices, narrowed to `office_ids`
    (ids outside them are ignored). Needs reports.view."""
    check(user, "reports.view")
    offices = _offices_of(user)
    if office_ids:
        wanted = set(office_ids)
        offices = [office for office in offices if office.pk in wanted]
    return _cached(
        period,
        offices,
        leads=lambda: Lead.objects.visible_to(user),
        jobs=lambda: Job.objects.visible_to(user),
    )


def report_for_everyone(period: Period) -> Report:
    """Every office's report (the emailed reports: the system reads, no user)."""
    return _cached(
        period,
        list(Office.objects.order_by("name")),
        leads=lambda: Lead.objects.filter(is_archived=False),
        jobs=lambda: Job.objects.filter(is_archived=False, office__is_jobs_enabled=True),
    )


def _cached(period: Period, offices: list[Office], *, leads, jobs) -> Report:
    ids = sorted(office.pk for office in offices)
    key = (
        f"reports:v{CACHE_VERSION}:{period.start.isoformat()}:{period.end.isoformat()}:"
        f"{','.join(map(str, ids)) or '-'}"
    )
    report = cache.get(key)
    if isinstance(report, Report):
        return report
    office_leads = leads().filter(office_id__in=ids)
    job_offices = [office.pk for office in offices if office.is_jobs_enabled]
    report = Report(
        period=period,
        offices=offices,
        leads=LeadsQueries(office_leads, period).build(),
        jobs=JobsQueries(jobs().filter(office_id__in=job_offices), period).build()
        if job_offices
        else None,
    )
    cache.set(key, report, timeout=CACHE_SECONDS)
    return report


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _rounded(minutes: float | None) -> float | None:
    return None if minutes is None else round(minutes, 1)


def _bars(counts: dict, labels: dict) -> list[Bar]:
    """Bars from {key: value}, largest first (ties by label)."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], labels[item[0]]))
    return [Bar(label=labels[key], value=value, key=str(key)) for key, value in ordered]


def _bars_by(groups: list[dict], key: str, label: str, counted: str) -> list[Bar]:
    """Bars of the `counted` column of grouped rows, added up per `key`."""
    counts, labels = defaultdict(int), {}
    for row in groups:
        counts[row[key]] += row[counted]
        labels[row[key]] = row[label]
    return _bars(counts, labels)


def _days(period: Period, rows, keys: tuple[str, ...]) -> list[DayPoint]:
    """One point per day of the period (zeros on quiet days) from rows with "day"."""
    by_day = {row["day"]: row for row in rows}
    return [
        DayPoint(day=day, values={key: by_day.get(day, {}).get(key, 0) for key in keys})
        for day in period.days
    ]


def _outcomes_by_day(
    rows, field: str, period: Period, series: tuple[str, str, str], won: str, lost: str
) -> list[DayPoint]:
    """Per New York day of `field`: the rows now `won`, still open, and `lost` (the
    series keys, in that order)."""
    won_key, open_key, lost_key = series
    counts = (
        rows.annotate(day=TruncDate(field, tzinfo=business_zone()))
        .values("day")
        .annotate(
            **{
                won_key: Count("pk", filter=Q(status=won)),
                open_key: Count("pk", filter=~Q(status__in=[won, lost])),
                lost_key: Count("pk", filter=Q(status=lost)),
            }
        )
        .order_by()
    )
    return _days(period, counts, series)


def _lead_entries(lead_id: str = "pk"):
    """The claim / call entries of the outer row's lead (its id in column `lead_id`), first
    first. Ordered by time alone, so the first is one step along
    timeline_lead_response_idx: a tie-break column would sort every lead's entries."""
    return TimelineEntry.objects.filter(
        subject_type="lead", subject_id=OuterRef(lead_id), kind__in=RESPONSES
    ).order_by("created_at")


def _first_time(entries) -> Subquery:
    """MIN(created_at) of `entries`: read off the index, and estimated as cheaply (a
    plan's inflated estimate switches on Postgres's JIT compiler, which costs seconds)."""
    return Subquery(
        entries.order_by().annotate(first=Func("created_at", function="MIN")).values("first")
    )


def _received(leads) -> Subquery:
    """`received_at` of the outer timeline row's lead, if that lead is in `leads`."""
    return Subquery(leads.filter(pk=OuterRef("subject_id")).order_by().values("received_at"))


class LeadsQueries:
    """The Leads tab: leads received in the period, plus the period's work on older leads
    (follow-up activity, agents)."""

    def __init__(self, leads, period: Period):
        self.scope = leads  # every lead counted, any date (the follow-ups' older leads)
        self.period = period
        self.leads = leads.filter(received_at__gte=period.start, received_at__lt=period.end)

    def build(self) -> LeadsReport:
        minutes = AppSettings.load().escalation_timer_minutes
        kpis = self.kpis(minutes)
        groups = self.groups()
        totals = defaultdict(int)
        for row in groups:
            totals[row["status"]] += row["leads"]
        total = sum(totals.values())
        speed_by_source, speed_by_agent = self.speed_by_source(), self.speed_by_agent()
        return LeadsReport(
            total=total,
            converted=totals[Status.CONVERTED],
            irrelevant=totals[Status.IRRELEVANT],
            fresh=totals[Status.FRESH],
            not_yet_scheduled=totals[Status.NOT_YET_SCHEDULED],
            needs_follow_up=totals[Status.NEEDS_FOLLOW_UP],
            conversion_rate=_rate(totals[Status.CONVERTED], total),
            avg_response_minutes=_rounded(kpis["avg_response"]),
            median_response_minutes=_rounded(kpis["median_response"]),
            escalated=kpis["escalated"],
            escalation_minutes=minutes,
            by_status=[
                Bar(label=label, value=totals[value], key=value)
                for value, label in Status.choices
                if totals[value]
            ],
            by_source=_bars_by(groups, "source_id", "source__label", "leads"),
            by_office=_bars_by(groups, "office_id", "office__name", "leads"),
            status_by_day=self.status_by_day(),
            bookback_by_day=self.bookback_by_day(),
            followup_by_day=self.followup_by_day(),
            by_attempt=self._by_attempt(groups),
            agents=self.agents(),
            speed_by_source=speed_by_source,
            speed_by_agent=speed_by_agent,
        )

    # -- one query each -------------------------------------------------------------

    def kpis(self, escalation_minutes: int) -> dict:
        """Average and median response (first claim or call attempt − time received) and
        the escalated count: leads first claimed more than the timer after arriving, or
        still Fresh and unclaimed past it now."""
        entries = _lead_entries()
        timer = datetime.timedelta(minutes=escalation_minutes)
        leads = self.leads.annotate(
            first_response=_first_time(entries),
            first_claim=_first_time(entries.filter(kind=CLAIM)),
        ).annotate(response=MinutesBetween("first_response", "received_at"))
        return leads.aggregate(
            avg_response=Avg("response"),
            median_response=Percentile("response", 0.5),
            escalated=Count(
                "pk",
                # Compared as times, not minutes: exact at the timer's boundary.
                filter=Q(first_claim__gt=F("received_at") + timer)
                | Q(
                    first_claim__isnull=True,
                    status=Status.FRESH,
                    received_at__lt=timezone.now() - timer,
                ),
            ),
        )

    def groups(self) -> list[dict]:
        """Leads per (status, source, office, call attempts): the status tiles and bars,
        the source and office bars and the attempt # buckets all add up from these."""
        return list(
            self.leads.values(
                "status", "source_id", "source__label", "office_id", "office__name", "call_count"
            )
            .annotate(leads=Count("pk"))
            .order_by()
        )

    def status_by_day(self) -> list[DayPoint]:
        return _outcomes_by_day(
            self.leads,
            "received_at",
            self.period,
            ("converted", "open", "irrelevant"),
            Status.CONVERTED,
            Status.IRRELEVANT,
        )

    def bookback_by_day(self) -> list[DayPoint]:
        """BookBack AI's posts per day: each one detected; reactivated when it brought
        back a known lead; converted when that lead is Converted now."""
        rows = (
            BookBackCall.objects.filter(
                lead__in=self.scope.values("pk"),
                called_at__gte=self.period.start,
                called_at__lt=self.period.end,
            )
            .annotate(day=TruncDate("called_at", tzinfo=business_zone()))
            .values("day")
            .annotate(
                detected=Count("pk"),
                reactivated=Count("pk", filter=~Q(previous_status="")),
                converted=Count("pk", filter=Q(lead__status=Status.CONVERTED)),
            )
            .order_by()
        )
        return _days(self.period, rows, ("detected", "reactivated", "converted"))

    def _work(self):
        """The period's claims, call attempts and status changes on leads in scope."""
        return TimelineEntry.objects.filter(
            subject_type="lead",
            kind__in=[CLAIM, CALL, STATUS],
            created_at__gte=self.period.start,
            created_at__lt=self.period.end,
        )

    def followup_by_day(self) -> list[DayPoint]:
        """Call attempts and conversions made each day on leads received before it."""
        zone = business_zone()
        received = _received(self.scope)
        rows = (
            self._work()
            .filter(Q(kind=CALL) | Q(kind=STATUS, data__new=Status.CONVERTED))
            .annotate(
                day=TruncDate("created_at", tzinfo=zone),
                received_day=TruncDate(received, tzinfo=zone),
            )
            .filter(received_day__lt=TruncDate("created_at", tzinfo=zone))
            .values("day")
            .annotate(
                attempts=Count("pk", filter=Q(kind=CALL)),
                conversions=Count("pk", filter=Q(kind=STATUS)),
            )
            .order_by()
        )
        return _days(self.period, rows, ("attempts", "conversions"))

    def agents(self) -> list[AgentRow]:
        """Per person: the period's call attempts, claims and conversions, and the response
        times of the leads they were first to claim or call in the period."""
        first = _lead_entries("subject_id")
        received = _received(self.scope)
        response = MinutesBetween("created_at", "received")
        is_first = Q(kind__in=RESPONSES, pk=Subquery(first.values("pk")[:1]))
        rows = (
            self._work()
            .filter(actor__isnull=False)
            .annotate(received=received)
            .filter(received__isnull=False)
            .values("actor_id", "actor__first_name", "actor__last_name")
            .annotate(
                calls=Count("pk", filter=Q(kind=CALL)),
                claims=Count("pk", filter=Q(kind=CLAIM)),
                conversions=Count("pk", filter=Q(kind=STATUS, data__new=Status.CONVERTED)),
                avg=Avg(response, filter=is_first),
                median=Percentile(response, 0.5, filter=is_first),
            )
            .order_by()
        )
        agents = [
            AgentRow(
                name=_name(row),
                calls=row["calls"],
                claims=row["claims"],
                conversions=row["conversions"],
                avg_response_minutes=_rounded(row["avg"]),
                median_response_minutes=_rounded(row["median"]),
            )
            for row in rows
        ]
        return sorted(agents, key=lambda agent: (-agent.conversions, -agent.calls, agent.name))

    def _speed(self, rows, label) -> list[SpeedRow]:
        speed = [
            SpeedRow(
                label=label(row),
                leads=row["leads"],
                median_minutes=_rounded(row["median"]),
                p90_minutes=_rounded(row["p90"]),
                never_called=row["never_called"],
            )
            for row in rows
        ]
        return sorted(speed, key=lambda row: (-row.leads, row.label))

    @staticmethod
    def _speed_figures(minutes, first_call: str) -> dict:
        return {
            "median": Percentile(minutes, 0.5),
            "p90": Percentile(minutes, 0.9),
            "never_called": Count("pk", filter=Q(**{f"{first_call}__isnull": True})),
        }

    def speed_by_source(self) -> list[SpeedRow]:
        """Minutes from arrival to the first call attempt, per source."""
        first_call = _first_time(_lead_entries().filter(kind=CALL))
        rows = (
            self.leads.annotate(first_call=first_call)
            .values("source_id", "source__label")
            .annotate(
                leads=Count("pk"),
                **self._speed_figures(MinutesBetween("first_call", "received_at"), "first_call"),
            )
            .order_by()
        )
        return self._speed(rows, lambda row: row["source__label"])

    def speed_by_agent(self) -> list[SpeedRow]:
        """The same per agent: each lead counts for whoever claimed or called it first
        (a lead nobody touched has no agent; the source rows count it as never called)."""
        first = _lead_entries("subject_id")
        first_call = _first_time(first.filter(kind=CALL))
        rows = (
            TimelineEntry.objects.filter(
                subject_type="lead",
                kind__in=RESPONSES,
                actor__isnull=False,
                subject_id__in=self.leads.values("pk"),
            )
            .filter(pk=Subquery(first.values("pk")[:1]))
            .annotate(received=_received(self.leads), first_call=first_call)
            .values("actor_id", "actor__first_name", "actor__last_name")
            .annotate(
                leads=Count("pk"),
                **self._speed_figures(MinutesBetween("first_call", "received"), "first_call"),
            )
            .order_by()
        )
        return self._speed(rows, _name)

    # -- blocks added up from `groups` ------------------------------------------------

    @staticmethod
    def _by_attempt(groups: list[dict]) -> list[AttemptRow]:
        total, converted = defaultdict(int), defaultdict(int)
        for row in groups:
            total[row["call_count"]] += row["leads"]
            if row["status"] == Status.CONVERTED:
                converted[row["call_count"]] += row["leads"]
        return [
            AttemptRow(attempt=attempt, total=total[attempt], converted=converted[attempt])
            for attempt in sorted(total)
        ]


def _name(row: dict) -> str:
    return f"{row['actor__first_name']} {row['actor__last_name']}".strip()


class JobsQueries:
    """The Jobs tab: jobs created in the period, in offices with the Jobs feature on."""

    def __init__(self, jobs, period: Period):
        self.period = period
        self.jobs = jobs.filter(created_at__gte=period.start, created_at__lt=period.end)

    def build(self) -> JobsReport:
        groups = self.groups()
        counts = defaultdict(int)
        money = defaultdict(lambda: ZERO)
        for row in groups:
            counts[row["status"]] += row["jobs"]
            for name in ("finance_cancelled", "deposits", "rebooked", "k_accepted"):
                counts[name] += row[f"{name}_count"]
            for name in ("revenue", "finance_cancelled_total", "deposits_total", "parts"):
                money[name] += row[name]
        total = sum(counts[status] for status in JobStatus.values)
        done, cancelled = counts[JobStatus.DONE], counts[JobStatus.CANCELLED]
        return JobsReport(
            total=total,
            done=done,
            cancelled=cancelled,
            done_pct=_rate(done, total),
            cancel_pct=_rate(cancelled, total),
            revenue=money["revenue"],
            finance_cancelled_total=money["finance_cancelled_total"],
            finance_cancelled_count=counts["finance_cancelled"],
            deposits_total=money["deposits_total"],
            deposits_count=counts["deposits"],
            rebooked=counts["rebooked"],
            k_accepted=counts["k_accepted"],
            parts_cost=money["parts"],
            by_status=[
                Bar(label=label, value=counts[value], key=value)
                for value, label in JobStatus.choices
                if counts[value]
            ],
            by_office=_bars_by(groups, "office_id", "office__name", "jobs"),
            by_type=_bars_by(groups, "job_type_id", "job_type__label", "jobs"),
            by_source=_bars_by(groups, "source_id", "source__name", "jobs"),
            daily=self.daily(),
            contractors=self.contractors(),
        )

    def groups(self) -> list[dict]:
        """Jobs and their money per (status, office, type, source): every tile and bar of
        the tab adds up from these rows."""
        done = Q(status=JobStatus.DONE)
        finance_cancelled = Q(finance_cancelled_at__isnull=False)
        deposit = Q(deposit_amount__gt=0)

        def total(field: str, condition: Q):
            return Coalesce(Sum(field, filter=condition), Value(ZERO))

        return list(
            self.jobs.values(
                "status",
                "office_id",
                "office__name",
                "job_type_id",
                "job_type__label",
                "source_id",
                "source__name",
            )
            .annotate(
                jobs=Count("pk"),
                revenue=total("closing_total", done),
                finance_cancelled_total=total("closing_total", finance_cancelled),
                finance_cancelled_count=Count("pk", filter=finance_cancelled),
                deposits_total=total("deposit_amount", deposit),
                deposits_count=Count("pk", filter=deposit),
                rebooked_count=Count("pk", filter=Q(rebooked_at__isnull=False)),
                k_accepted_count=Count("pk", filter=Q(k_confirmed_at__isnull=False)),
                parts=total("parts_total", done),
            )
            .order_by()
        )

    def daily(self) -> list[DayPoint]:
        return _outcomes_by_day(
            self.jobs,
            "created_at",
            self.period,
            ("done", "open", "cancelled"),
            JobStatus.DONE,
            JobStatus.CANCELLED,
        )

    def contractors(self) -> list[ContractorRow]:
        """The contractors with the most jobs (then revenue), up to TOP_CONTRACTORS."""
        rows = (
            self.jobs.filter(contractor__isnull=False)
            .values("contractor_id", "contractor__name")
            .annotate(
                jobs=Count("pk"),
                done=Count("pk", filter=Q(status=JobStatus.DONE)),
                cancelled=Count("pk", filter=Q(status=JobStatus.CANCELLED)),
                revenue=Coalesce(
                    Sum("closing_total", filter=Q(status=JobStatus.DONE)), Value(ZERO)
                ),
            )
            .order_by("-jobs", "-revenue", "contractor__name")[:TOP_CONTRACTORS]
        )
        return [
            ContractorRow(
                name=row["contractor__name"],
                jobs=row["jobs"],
                done=row["done"],
                cancelled=row["cancelled"],
                revenue=row["revenue"],
            )
            for row in rows
        ]
