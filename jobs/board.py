"""The Jobs board's rows, grouped by appointment day: everything a row shows, worked out once
here so the template only prints (the board is reloaded all day by every dispatcher)."""

import datetime
from dataclasses import dataclass, field
from itertools import groupby

from django.utils.timesince import timesince

from crm import phones
from crm.dateranges import business_now
from jobs.models import ACTIVE_STATUSES, Attention, Job, Status
from jobs.services.attention import update_request_message
from jobs.services.common import clock, local

STATUS_CODES = {
    Status.SUBMITTED: "S",
    Status.IN_PROGRESS: "IP",
    Status.DEPOSIT: "DEP",
    Status.PENDING: "P",
    Status.DONE: "D",
    Status.CANCELLED: "C",
}
# Spec "Sort": Submitted → IP → Pending → Deposit → Done → Cancelled.
STATUS_ORDER = {
    status: rank
    for rank, status in enumerate(
        [
            Status.SUBMITTED,
            Status.IN_PROGRESS,
            Status.PENDING,
            Status.DEPOSIT,
            Status.DONE,
            Status.CANCELLED,
        ]
    )
}
ROW_FIELDS = (
    "number",
    "office__name",
    "first_name",
    "last_name",
    "phone",
    "street",
    "unit",
    "city",
    "state",
    "zip_code",
    "timezone",
    "job_type__label",
    "company",
    "contractor__name",
    "status",
    "starts_at",
    "ends_at",
    "rebooked_at",
    "k_confirmed_at",
    "created_at",
    "status_changed_at",
)
# The pills that copy a "What's the update please?" message for the contractor (spec).
COPYABLE = (Attention.UPDATE_NEEDED, Attention.ASK_FOR_UPDATE)


@dataclass
class Row:
    key: str
    display_id: str
    office: str
    window: str
    client: str
    phone: str
    address: str
    job_type: str
    company: str
    contractor: str
    status: str
    status_code: str
    status_label: str
    attention: str
    attention_label: str
    attention_copy: str
    is_active: bool
    rebooked: bool
    k_confirmed: bool
    created: str
    sort_time: datetime.datetime
    sort_contractor: str


@dataclass
class Day:
    date: datetime.date
    label: str
    is_today: bool
    is_past: bool
    rows: list[Row] = field(default_factory=list)

    @property
    def has_attention(self) -> bool:
        return any(row.attention for row in self.rows)


def _row(job: Job, now: datetime.datetime) -> Row:
    start, end = local(job, job.starts_at), local(job, job.ends_at)
    contractor = job.contractor.name if job.contractor_id else ""
    return Row(
        key=str(job.pk),
        display_id=job.display_id,
        office=job.office.name,
        window=f"{start:%b %-d} · {clock(start)}–{clock(end)}",
        client=job.full_name,
        phone=phones.pretty(job.phone),
        address=job.address,
        job_type=job.job_type.label,
        company=job.company,
        contractor=contractor,
        status=job.status,
        status_code=STATUS_CODES[job.status],
        status_label=Status(job.status).label,
        attention=job.attention,
        attention_label=Attention(job.attention).label if job.attention else "",
        attention_copy=update_request_message(job, job.attention)
        if job.attention in COPYABLE
        else "",
        is_active=job.status in ACTIVE_STATUSES,
        rebooked=job.rebooked_at is not None,
        k_confirmed=job.k_confirmed_at is not None,
        created=f"{timesince(job.created_at, now).split(',')[0]} ago",
        sort_time=job.starts_at,
        sort_contractor=contractor.casefold() or "\uffff",  # unassigned last
    )


def _day_label(day: datetime.date, today: datetime.date, count: int) -> str:
    names = {today: "Today", today + datetime.timedelta(days=1): "Tomorrow"}
    names[today - datetime.timedelta(days=1)] = "Yesterday"
    prefix = f"{names[day]} · " if day in names else ""
    return f"📅 {prefix}{day:%A, %b %-d} · {count} job{'' if count == 1 else 's'}"


SORT_KEYS = {
    "status": lambda row: (STATUS_ORDER[row.status], row.sort_time),
    "time": lambda row: (row.sort_time, STATUS_ORDER[row.status]),
    "contractor": lambda row: (row.sort_contractor, row.sort_time),
}


def days(jobs, *, sort: str = "status", now: datetime.datetime | None = None) -> list[Day]:
    """Rows grouped by the appointment's local day, days in date order, rows in `sort` order.

    `jobs` must come annotated with `attention` and ordered by start time.
    """
    now = now or business_now()
    today = now.astimezone(business_now().tzinfo).date()
    rows = [(local(job, job.starts_at).date(), _row(job, now)) for job in jobs]
    rows.sort(key=lambda pair: pair[0])  # a west-coast evening can be the next day's in NY
    grouped = []
    for day, pairs in groupby(rows, key=lambda pair: pair[0]):
        day_rows = sorted((row for _, row in pairs), key=SORT_KEYS.get(sort, SORT_KEYS["status"]))
        grouped.append(
            Day(
                date=day,
                label=_day_label(day, today, len(day_rows)),
                is_today=day == today,
                is_past=day < today,
                rows=day_rows,
            )
        )
    return grouped
