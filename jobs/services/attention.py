"""🚨 Needs Attention (spec: The "Needs Attention" filter). One rule set, read two ways:
per job (the detail-panel banner) and in SQL (the dashboard's count and filter).

- Deposit whose expected-completion date is past (the job's local date) → UPDATE NEEDED
- Pending whose follow-up time has come → FOLLOW UP NEEDED
- In Progress once its window ended N hours ago (CP → Jobs Attentions) → ASK FOR UPDATE
- Submitted / In Progress / Deposit / Pending without a contractor → FIND CONTRACTOR
"""

import datetime

from django.db.models import Case, CharField, Q, Value, When
from django.utils import timezone

from crm.timezones import by_local_clock
from jobs.models import ACTIVE_STATUSES, Attention, Job, JobsSettings, Status
from jobs.services.common import clock, local


def ask_for_update_hours(hours: int | None = None) -> int:
    return hours if hours is not None else JobsSettings.load().ask_for_update_hours


def attention_reason(
    job: Job, *, now: datetime.datetime | None = None, hours: int | None = None
) -> str:
    """The job's Attention value at `now`, or "". Status rules outrank FIND CONTRACTOR.

    Pass `hours` when reading many jobs: otherwise In Progress jobs read the setting.
    """
    now = now or timezone.now()
    deposit_due = job.expected_completion and job.expected_completion < local(job, now).date()
    if job.status == Status.DEPOSIT and deposit_due:
        return Attention.UPDATE_NEEDED
    if job.status == Status.PENDING and job.follow_up_at and job.follow_up_at <= now:
        return Attention.FOLLOW_UP_NEEDED
    if job.status == Status.IN_PROGRESS and (
        job.ends_at + datetime.timedelta(hours=ask_for_update_hours(hours)) <= now
    ):
        return Attention.ASK_FOR_UPDATE
    if job.status in ACTIVE_STATUSES and job.contractor_id is None:
        return Attention.FIND_CONTRACTOR
    return ""


def _rules(now: datetime.datetime | None, hours: int | None) -> list[tuple[str, Q]]:
    """The rules as SQL conditions, in `attention_reason`'s order."""
    now = now or timezone.now()
    deposit_overdue = by_local_clock(
        key=lambda zone: now.astimezone(zone).date(),
        condition=lambda today: Q(expected_completion__lt=today),
    )
    update_after = now - datetime.timedelta(hours=ask_for_update_hours(hours))
    return [
        (Attention.UPDATE_NEEDED, Q(status=Status.DEPOSIT) & deposit_overdue),
        (Attention.FOLLOW_UP_NEEDED, Q(status=Status.PENDING, follow_up_at__lte=now)),
        (Attention.ASK_FOR_UPDATE, Q(status=Status.IN_PROGRESS, ends_at__lte=update_after)),
        (
            Attention.FIND_CONTRACTOR,
            Q(status__in=ACTIVE_STATUSES, contractor__isnull=True),
        ),
    ]


def attention_case(*, now=None, hours: int | None = None) -> Case:
    """The Attention value (or "") as a SQL expression, for `with_attention`."""
    return Case(
        *(When(rule, then=Value(reason)) for reason, rule in _rules(now, hours)),
        default=Value(""),
        output_field=CharField(),
    )


def _hour(when: datetime.datetime) -> str:
    return clock(when).upper()


def update_request_message(job: Job, reason: str) -> str:
    """The "What's the update please?" text that 🔴 UPDATE NEEDED and 🔵 ASK FOR UPDATE
    copy for the contractor: the deposit-collected date, or the scheduled window.

    `job`: a Job, or anything with its number, full_name, address, local_zone and times
    (the board's rows are plain dicts, `jobs.board.MessageJob`)."""
    if reason == Attention.UPDATE_NEEDED:
        when = f"Deposit collected {local(job, job.status_changed_at):%-m/%-d}"
    else:
        start, end = local(job, job.starts_at), local(job, job.ends_at)
        when = f"{start:%-m/%-d} {_hour(start)}-{_hour(end)}"
    return "\n".join(
        [
            "🔔Update Needed🔔",
            f"🏷️Job #{job.number} - {job.full_name}",
            f"📍 {job.address}",
            f"🕒 {when} - DUE",
            "What's the update please?",
        ]
    )
