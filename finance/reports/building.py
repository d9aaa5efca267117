"""A week's numbers: per-contractor and per-partner summaries with reimbursement lines
(the rules are in `finance.reports`)."""

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import QuerySet

from crm import permissions
from finance.money import ZERO, contractor_payout, share_of
from finance.reports.weeks import business_zone, week_start_of, week_window
from jobs.models import Job, Status


def _name(user) -> str:
    return (user.full_name or user.email) if user else ""


@dataclass(frozen=True)
class JobLine:
    """One job as the reports show it."""

    job_id: int
    display_id: str
    client: str
    office: str
    partner: str
    contractor: str
    done_on: datetime.date
    closing: Decimal
    parts: Decimal
    profit_percent: Decimal | None
    payout: Decimal
    keep_rate: Decimal
    contractor_paid_at: datetime.datetime | None
    contractor_paid_by: str
    partner_paid_at: datetime.datetime | None
    partner_paid_by: str
    partner_paid_auto: bool
    finance_cancelled: bool

    @classmethod
    def of(cls, job: Job) -> "JobLine":
        zone = business_zone()
        has_contractor = job.contractor_id is not None
        return cls(
            job_id=job.pk,
            display_id=job.display_id,
            client=job.full_name,
            office=job.office.name,
            partner=job.source.name,
            contractor=job.contractor.name if has_contractor else "",
            done_on=job.status_changed_at.astimezone(zone).date(),
            closing=job.closing_total or ZERO,
            parts=job.parts_total or ZERO,
            profit_percent=job.profit_share,
            payout=contractor_payout(job.closing_total, job.parts_total, job.profit_share)
            if has_contractor
            else ZERO,
            keep_rate=job.source.keep_rate,
            contractor_paid_at=job.contractor_paid_at,
            contractor_paid_by=_name(job.contractor_paid_by),
            partner_paid_at=job.partner_paid_at,
            partner_paid_by=_name(job.partner_paid_by),
            partner_paid_auto=job.partner_paid_auto,
            finance_cancelled=job.finance_cancelled_at is not None,
        )

    @property
    def profit(self) -> Decimal:
        """The company's side of the job: what is left after parts and the contractor."""
        return self.closing - self.parts - self.payout

    @property
    def partner_share(self) -> Decimal:
        return share_of(self.profit, self.keep_rate)

    @property
    def is_contractor_paid(self) -> bool:
        return self.contractor_paid_at is not None

    @property
    def is_partner_paid(self) -> bool:
        return self.partner_paid_at is not None

    @staticmethod
    def _paid_label(at, by: str, auto: bool = False) -> str:
        if at is None:
            return "Unpaid"
        when = f"{at.astimezone(business_zone()):%b %-d}"
        return f"Paid {when} (Auto)" if auto else f"Paid {when}" + (f" by {by}" if by else "")

    @property
    def contractor_paid_label(self) -> str:
        return self._paid_label(self.contractor_paid_at, self.contractor_paid_by)

    @property
    def partner_paid_label(self) -> str:
        return self._paid_label(self.partner_paid_at, self.partner_paid_by, self.partner_paid_auto)


@dataclass(frozen=True)
class Reimbursement:
    """A job finance-cancelled in the week after its contractor (or partner) was paid."""

    line: JobLine
    cancelled_on: datetime.date
    reason: str
    note: str
    amount: Decimal  # owed back to us


def _sum(values) -> Decimal:
    return sum(values, ZERO)


@dataclass
class PartyReport:
    """One contractor's or one partner's week; `share` picks the money that is theirs."""

    party_id: int
    name: str
    email: str = ""
    keep_rate: Decimal | None = None
    jobs: list[JobLine] = field(default_factory=list)
    reimbursements: list[Reimbursement] = field(default_factory=list)

    @property
    def is_partner(self) -> bool:
        return self.keep_rate is not None

    def share(self, line: JobLine) -> Decimal:
        return line.partner_share if self.is_partner else line.payout

    def is_paid(self, line: JobLine) -> bool:
        return line.is_partner_paid if self.is_partner else line.is_contractor_paid

    @property
    def payable(self) -> list[JobLine]:
        return [line for line in self.jobs if not line.finance_cancelled]

    @property
    def closing_total(self) -> Decimal:
        return _sum(line.closing for line in self.payable)

    @property
    def parts_total(self) -> Decimal:
        return _sum(line.parts for line in self.payable)

    @property
    def payout_total(self) -> Decimal:
        return _sum(line.payout for line in self.payable)

    @property
    def profit_total(self) -> Decimal:
        return _sum(line.profit for line in self.payable)

    @property
    def share_total(self) -> Decimal:
        """Contractors: their payouts. Partners: their keep-rate shares."""
        return _sum(self.share(line) for line in self.payable)

    @property
    def paid_total(self) -> Decimal:
        return _sum(self.share(line) for line in self.payable if self.is_paid(line))

    @property
    def unpaid_total(self) -> Decimal:
        return self.share_total - self.paid_total

    @property
    def reimbursement_total(self) -> Decimal:
        return _sum(item.amount for item in self.reimbursements)

    @property
    def net_due(self) -> Decimal:
        """Still to pay them this week; negative when they owe us."""
        return self.unpaid_total - self.reimbursement_total


@dataclass
class WeeklyReport:
    week_start: datetime.date
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    contractors: list[PartyReport]
    partners: list[PartyReport]

    @property
    def label(self) -> str:
        """May 4 – 10, 2026 (or Apr 27 – May 3, 2026)."""
        end = self.week_start + datetime.timedelta(days=6)
        last = f"{end:%-d}" if end.month == self.week_start.month else f"{end:%b %-d}"
        return f"{self.week_start:%b %-d} – {last}, {end:%Y}"

    @property
    def file_name(self) -> str:
        return f"payment-report-{self.week_start:%Y-%m-%d}.xlsx"

    def only(self, party: PartyReport) -> "WeeklyReport":
        """This report narrowed to one contractor or one partner (an email's attachment)."""
        if party.is_partner:
            return replace(self, contractors=[], partners=[party])
        return replace(self, contractors=[party], partners=[])


def _week_jobs(scope: QuerySet) -> QuerySet:
    return scope.select_related(
        "office", "source", "contractor", "contractor_paid_by", "partner_paid_by"
    ).order_by("status_changed_at", "number")


def build_weekly_report(week_start: datetime.date, *, user=None) -> WeeklyReport:
    """The week's numbers (two queries). `user`: only the jobs they may see on /finance
    (an on-demand download); none: every office with the Jobs feature on (the emails)."""
    week_start = week_start_of(week_start)
    starts_at, ends_at = week_window(week_start)
    if user is None:
        scope = Job.objects.filter(is_archived=False, office__is_jobs_enabled=True)
    elif permissions.can(user, "finance.view"):
        scope = Job.objects.visible_to(user)
    else:
        scope = Job.objects.none()
    done = _week_jobs(
        scope.filter(
            status=Status.DONE, status_changed_at__gte=starts_at, status_changed_at__lt=ends_at
        )
    )
    cancelled = _week_jobs(
        scope.filter(finance_cancelled_at__gte=starts_at, finance_cancelled_at__lt=ends_at)
    )

    contractors: dict[int, PartyReport] = {}
    partners: dict[int, PartyReport] = {}

    def contractor_of(job: Job) -> PartyReport:
        if job.contractor_id not in contractors:
            contractor = job.contractor
            contractors[job.contractor_id] = PartyReport(
                party_id=contractor.pk, name=contractor.name, email=contractor.report_email
            )
        return contractors[job.contractor_id]

    def partner_of(job: Job) -> PartyReport:
        if job.source_id not in partners:
            partners[job.source_id] = PartyReport(
                party_id=job.source_id, name=job.source.name, keep_rate=job.source.keep_rate
            )
        return partners[job.source_id]

    for job in done:
        line = JobLine.of(job)
        if job.contractor_id is not None:
            contractor_of(job).jobs.append(line)
        partner_of(job).jobs.append(line)

    zone = business_zone()
    for job in cancelled:
        line = JobLine.of(job)

        def owed(amount: Decimal, line=line, job=job) -> Reimbursement:
            return Reimbursement(
                line=line,
                cancelled_on=job.finance_cancelled_at.astimezone(zone).date(),
                reason=job.finance_cancel_reason,
                note=job.finance_cancel_note,
                amount=amount,
            )

        if line.is_contractor_paid and job.contractor_id is not None:
            contractor_of(job).reimbursements.append(owed(line.payout))
        if line.is_partner_paid and not line.partner_paid_auto:
            partner_of(job).reimbursements.append(owed(line.partner_share))

    def by_name(parties: dict) -> list[PartyReport]:
        return sorted(parties.values(), key=lambda party: party.name.lower())

    return WeeklyReport(
        week_start=week_start,
        starts_at=starts_at,
        ends_at=ends_at,
        contractors=by_name(contractors),
        partners=by_name(partners),
    )
