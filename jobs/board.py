"""The Jobs board's rows, grouped by appointment day: everything a row shows, worked out once
here so the template only prints (the board is reloaded all day by every dispatcher)."""

import datetime
from dataclasses import dataclass, field
from itertools import groupby
from typing import NamedTuple
from zoneinfo import ZoneInfo

from crm import phones
from crm.dateranges import business_now
from crm.timezones import zone_or_default
from jobs.models import ACTIVE_STATUSES, Attention, Status
from jobs.services.attention import update_request_message
from jobs.services.common import clock

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
    "id",
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
    "attention",
)
STATUS_LABELS = dict(Status.choices)
ATTENTION_LABELS = dict(Attention.choices)
# The pills that copy a "What's the update please?" message for the contractor (spec).
COPYABLE = (Attention.UPDATE_NEEDED, Attention.ASK_FOR_UPDATE)


@dataclass
class Row:
    url: str
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
    attention_badge: bool  # a status badge that only shows (FIND CONTRACTOR has its pill)
    is_active: bool
    rebooked: bool
    k_confirmed: bool
    created: str
    sort_time: datetime.datetime
    sort_contractor: str
    day: datetime.date  # the appointment's day on the job's own clock


@dataclass
class Day:
    date: datetime.date
    label: str
    is_today: bool
    is_past: bool
    rows: list[Row] = field(default_factory=list)
    html: str = ""  # the day's markup (jobs.board_html), set by the view

    @property
    def has_attention(self) -> bool:
        return any(row.attention for row in self.rows)


AGES = (
    ("year", 365 * 86400),
    ("month", 30 * 86400),
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
)


def ago(then: datetime.datetime, now: datetime.datetime) -> str:
    """ "3 days ago" (timesince's wording, at a fraction of its cost per row)."""
    seconds = (now - then).total_seconds()
    for unit, size in AGES:
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"


class MessageJob(NamedTuple):
    """What a copied "What's the update please?" reads of a job, from a row's values (a
    Job instance costs ~20 µs: every field's default, a fresh uuid)."""

    number: int
    full_name: str
    address: str
    local_zone: ZoneInfo
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    status_changed_at: datetime.datetime


def _row(job: dict, now: datetime.datetime, detail_base: str) -> Row:
    """A row from the query's values (plain dicts: no model instances for a list page)."""
    zone = zone_or_default(job["timezone"])
    start, end = job["starts_at"].astimezone(zone), job["ends_at"].astimezone(zone)
    contractor = job["contractor__name"] or ""
    client = f"{job['first_name']} {job['last_name']}".strip()
    region = " ".join(part for part in (job["state"], job["zip_code"]) if part)
    parts = (job["street"], job["unit"], job["city"], region)
    address = ", ".join(part for part in parts if part)
    attention = job["attention"]
    message = ""
    if attention in COPYABLE:
        fields = (job["number"], client, address, zone, job["starts_at"], job["ends_at"])
        message = update_request_message(MessageJob(*fields, job["status_changed_at"]), attention)
    return Row(
        url=f"{detail_base}{job['id']}",
        display_id=f"JOB-{job['number']}",
        office=job["office__name"],
        window=f"{start:%b %-d} · {clock(start)}–{clock(end)}",
        client=client,
        phone=phones.pretty(job["phone"]),
        address=address,
        job_type=job["job_type__label"],
        company=job["company"],
        contractor=contractor,
        status=job["status"],
        status_code=STATUS_CODES[job["status"]],
        status_label=STATUS_LABELS[job["status"]],
        attention=attention,
        attention_label=ATTENTION_LABELS.get(attention, ""),
        attention_copy=message,
        attention_badge=attention == Attention.FOLLOW_UP_NEEDED,
        is_active=job["status"] in ACTIVE_STATUSES,
        rebooked=job["rebooked_at"] is not None,
        k_confirmed=job["k_confirmed_at"] is not None,
        created=ago(job["created_at"], now),
        sort_time=job["starts_at"],
        sort_contractor=contractor.casefold() or "\uffff",  # unassigned last
        day=start.date(),
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


def days(
    jobs,
    *,
    sort: str = "status",
    detail_base: str,
    now: datetime.datetime | None = None,
    counts: dict[datetime.date, int] | None = None,
) -> list[Day]:
    """Rows grouped by the appointment's local day, days in date order, rows in `sort` order.

    `jobs` are the values of ROW_FIELDS (annotated with `attention`), by start time.
    `counts`: the whole day's job count for days the page shows only part of.
    """
    counts = counts or {}
    now = now or business_now()
    today = now.astimezone(business_now().tzinfo).date()
    rows = [_row(job, now, detail_base) for job in jobs]
    rows.sort(key=lambda row: row.day)  # a west-coast evening can be the next day's in NY
    grouped = []
    for day, day_rows in groupby(rows, key=lambda row: row.day):
        day_rows = sorted(day_rows, key=SORT_KEYS.get(sort, SORT_KEYS["status"]))
        grouped.append(
            Day(
                date=day,
                label=_day_label(day, today, counts.get(day, len(day_rows))),
                is_today=day == today,
                is_past=day < today,
                rows=day_rows,
            )
        )
    return grouped
