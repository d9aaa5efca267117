"""🛠 Jobs board: the day-grouped dashboard, the detail panel and the 📦 Archived list.
Thin: forms parse, `crm.permissions` decides, `jobs.services` writes (see action_views)."""

import datetime
import hashlib

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from contractors.geocoding import google_api_key
from crm import livesync, permissions, phones, prefetch
from crm.accounts.models import Role
from crm.controlpanel.models import AppSettings
from crm.dateranges import business_now
from crm.htmx import refuse
from crm.timeline.models import TimelineEntry
from crm.timezones import by_local_clock, zone_or_default
from jobs import board
from jobs.board import COPYABLE
from jobs.board_html import day_html
from jobs.board_rows import CompiledRows, clock_layout
from jobs.forms import JobFilterForm, StatusForm, date_window, filter_choices_key, local_value
from jobs.models import Job, JobsSettings, JobTag, Status, zones_in_use
from jobs.services import attention_reason, update_request_message
from jobs.services.common import moment, short_window
from jobs.services.placing import closest_areas
from jobs.services.reminders import KINDS, day_reminders

can_view = permissions.require("jobs.view")
PAGE_SIZE = 50
# The 🚨 badge counts up to here and then says "99+": past a hundred the number tells a
# dispatcher nothing more, and counting stops early (thousands can need attention).
ATTENTION_CAP = 100
# How long a cached count may lag the clock: a write in scope retires it at once (the
# live-sync stamp is in its key), but the 🚨 rules also flip as time passes (a window
# ends, a follow-up comes due), and a badge a minute late is fine.
COUNT_SECONDS = 60
BOARD_TARGETS = {"job-board"}
CAPABILITIES = (
    "jobs.create",
    "jobs.edit",
    "jobs.archive",
    "jobs.delete",
    "jobs.import",
    "jobs.contractor_details",
)


def capabilities(user) -> dict:
    """{"create": True, ...} for the templates' buttons (the server checks again)."""
    return {name.split(".")[1]: permissions.can(user, name) for name in CAPABILITIES}


def visible_jobs(user, **kwargs):
    return Job.objects.visible_to(user, **kwargs)


@can_view
def dashboard(request):
    # One cache round trip for what every load reads (the stamp keys the counts).
    with prefetch.prefetched(
        [
            JobsSettings.cache_key(),
            filter_choices_key(),
            *_stamp_keys(request.user),
            *([] if request.htmx else [AppSettings.browser_key_cache_key()]),
        ]
    ):
        return _dashboard(request)


def _dashboard(request):
    now = timezone.now()
    hours = JobsSettings.load().ask_for_update_hours
    form = JobFilterForm(request.GET, user=request.user)  # no filter = the default window
    jobs = visible_jobs(request.user)

    def filtered():  # built only when the rows' statement or a count is not cached
        return form.apply(jobs, now=now, hours=hours) if form.is_valid() else jobs.none()

    rows = board_rows(request.user, form, filtered, now=now, hours=hours)
    page = BoardPage(rows, request.GET.get("page"))
    counts = counts_key(request.user)
    query = request.GET.copy()
    query.pop("page", None)
    attention_only = bool(form.is_valid() and form.cleaned_data.get("attention"))
    can = capabilities(request.user)
    sort = form.cleaned_data.get("sort") or "status"
    split_shape = split_day_shape(form, page)
    # The page's two cached counts in one more round trip.
    with prefetch.prefetched(
        [count_cache_key(counts, "attention", hours)]
        + ([count_cache_key(counts, "split-days", split_shape)] if split_shape else [])
    ):
        day_counts = split_day_counts(counts, split_shape, form, filtered)
        attention_count = attention_badge(counts, jobs, now=now, hours=hours)
    days = board.days(
        page.object_list,
        sort=sort,
        detail_base=reverse("jobs:detail", args=[0])[:-1],
        counts=day_counts,
    )
    reminders_url = reverse("jobs:reminders")
    for day in days:
        day.html = day_html(
            day, can_edit=can["edit"], reminders_url=reminders_url, attention_only=attention_only
        )
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "days": days,
        "attention_count": attention_count,
        "attention_only": attention_only,
        "filtering": form.is_valid() and form.is_filtering(),
        "query": query.urlencode(),
        "can": can,
        "open_new_job": _new_job_for_lead(request),
    }
    if request.htmx and request.htmx.target in BOARD_TARGETS:
        return render(request, "jobs/_partials/board.html", context)
    context["maps_key"] = google_api_key()  # the New Job form's map and autocomplete
    return render(request, "jobs/dashboard.html", context)


def board_rows(user, form: JobFilterForm, filtered, *, now, hours: int) -> CompiledRows:
    """The board's rows (ROW_FIELDS with `attention`, by start time) of the queryset
    `filtered()` builds, from a statement compiled once per shape: the user's scope, the
    filters and the zones' dates (`jobs.board_rows`)."""
    today = now.astimezone(business_now().tzinfo).date()
    layout = clock_layout(now, today)
    # The values `jobs.services.attention` and `JobFilterForm.apply` put in the statement
    # (one not found there only costs the reuse: `jobs.board_rows`).
    clock = {"now": now, "update_after": now - datetime.timedelta(hours=hours)}
    clock |= {f"day{offset}": today + datetime.timedelta(days=offset) for offset in set(layout)}
    bounds = form.window_bounds() if form.is_valid() else None
    if bounds:
        clock |= {"start": bounds[0], "end": bounds[1]}
    # A string: the filters hold lists.
    shape = repr((_scope(user), sorted(form.cleaned_data.items()), layout))
    return CompiledRows(
        lambda: (
            filtered()
            .with_attention(now=now, hours=hours)
            .order_by("starts_at", "number")
            .values(*board.ROW_FIELDS)
        ),
        shape=shape if form.is_valid() else None,
        clock=clock,
    )


class BoardPage:
    """One page of the board without a COUNT over the window: it reads PAGE_SIZE + 1 rows,
    and the extra row only says whether a later page exists (the window holds thousands of
    jobs; "Later →" needs to know there is one more, not how many)."""

    def __init__(self, rows, number: str | None):
        self.number = int(number) if number and number.isdigit() and int(number) > 0 else 1
        start = (self.number - 1) * PAGE_SIZE
        fetched = list(rows[start : start + PAGE_SIZE + 1])
        if not fetched and self.number > 1:  # past the end (rows left the window): page 1
            self.number, start = 1, 0
            fetched = list(rows[: PAGE_SIZE + 1])
        self.has_next = len(fetched) > PAGE_SIZE
        self.object_list = fetched[:PAGE_SIZE]
        self.has_previous = self.number > 1
        self.has_other_pages = self.has_next or self.has_previous
        self.start_index = start + 1 if self.object_list else 0
        self.end_index = start + len(self.object_list)

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def split_day_shape(form: JobFilterForm, page: BoardPage) -> tuple | None:
    """What the counts of the page's split days depend on (`split_day_counts`): the
    filters, the day the default window starts and the split days; None if none is split."""
    if not page.object_list:
        return None
    edges = set()
    if page.has_previous:
        edges.add(_local_day(page.object_list[0]))
    if page.has_next:
        edges.add(_local_day(page.object_list[-1]))
    if not edges:
        return None
    return (sorted(form.cleaned_data.items()), date_window(form.preset), sorted(edges))


def split_day_counts(key: str, shape: tuple | None, form: JobFilterForm, filtered) -> dict:
    """The whole count of the page's first and last days when they run on past the page
    (every other day on it is whole): one query over those days' index entries only,
    cached while nothing in the user's scope changes (`cached_count`)."""
    if shape is None:
        return {}
    edges, attention_only = shape[2], form.cleaned_data.get("attention")
    return cached_count(
        key, "split-days", shape, lambda: _day_counts(filtered(), edges, attention_only)
    )


def _day_counts(filtered, edges, attention_only: bool) -> dict[datetime.date, int]:
    zones = zones_in_use()
    conditions = {day: _on_local_day(day, zones) for day in edges}
    either = Q(pk__in=[])
    for condition in conditions.values():
        either |= condition
    aliases = {f"day{n}": day for n, day in enumerate(conditions)}
    totals = filtered.filter(either).aggregate(
        **{alias: Count("pk", filter=conditions[day]) for alias, day in aliases.items()}
    )
    return {day: totals[alias] for alias, day in aliases.items()}


def _local_day(row: dict) -> datetime.date:
    return row["starts_at"].astimezone(zone_or_default(row["timezone"])).date()


def _on_local_day(day: datetime.date, zones) -> Q:
    """Starts on `day` on the job's own clock (as `board.days` groups it)."""

    def bounds(zone):
        start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
        return start, start + datetime.timedelta(days=1)

    return by_local_clock(
        key=bounds,
        condition=lambda pair: Q(starts_at__gte=pair[0], starts_at__lt=pair[1]),
        zones=zones,
    )


def attention_badge(key: str, jobs, *, now, hours: int) -> str:
    """The 🚨 button's count, "99+" from ATTENTION_CAP on: the count reads at most that many
    index entries (COUNT over a LIMIT subquery), cached (`cached_count`)."""

    def count() -> int:
        # An index-only scan of `job_active_idx` (0.2 ms at 500,000 jobs).
        flagged = jobs.needing_attention(now=now, hours=hours)
        return flagged.values("pk")[:ATTENTION_CAP].count()

    count = cached_count(key, "attention", hours, count)
    return f"{ATTENTION_CAP - 1}+" if count >= ATTENTION_CAP else str(count)


def counts_key(user) -> str:
    """Where `user`'s cached counts live (`cached_count`): the jobs they see, and the
    live-sync stamp of their scope, read once a page."""
    # Per database: processes sharing one cache but not one database (test workers).
    scope = repr((connection.settings_dict["NAME"], _scope(user)))
    digest = hashlib.sha256(scope.encode()).hexdigest()[:32]
    return f"jobs:counts:{digest}:{livesync.last_change(_stamp_keys(user))}"


def cached_count(key: str, name: str, shape, count):
    """`count()`, from the cache while nothing in the user's scope has changed (`key`:
    `counts_key`) and for at most COUNT_SECONDS.

    Building and compiling these counts cost more than running them, on every board load.
    Every job write bumps its office's live-sync stamp after commit (`crm.livesync`), so
    the stamp keys the cache with what the count depends on (`shape`): a write in scope
    moves the key and the next load counts afresh. The stamp is read first, so a count
    that missed a write committing meanwhile is stored under the old stamp, which that
    write's bump retires.
    """
    key = count_cache_key(key, name, shape)
    value = prefetch.get(key)
    if value is None:
        value = count()
        prefetch.set(key, value, timeout=COUNT_SECONDS)
    return value


def count_cache_key(key: str, name: str, shape) -> str:
    return f"{key}:{name}:{hashlib.sha256(repr(shape).encode()).hexdigest()[:32]}"


def _scope(user) -> tuple:
    """What `visible_jobs(user)` holds: users alike here see the same jobs."""
    if user.role == Role.PARTNER:
        return ("partner", user.partner_name)
    return (
        "offices",
        tuple(pk for pk, _, is_jobs_enabled in user.visible_offices if is_jobs_enabled),
    )


def _stamp_keys(user) -> list[str]:
    # A partner sees jobs of every office whose Jobs feature is on, and switching it
    # bumps only that office's stamp: any change anywhere retires a partner's counts.
    return [livesync.ANY] if user.role == Role.PARTNER else livesync.scope_keys(user)


def _new_job_for_lead(request) -> str:
    """The New Job form to open on arrival (a lead just converted), if any."""
    raw = request.GET.get("new_job_for_lead", "")
    if not (raw.isdigit() and permissions.can(request.user, "jobs.create")):
        return ""
    return f"{reverse('jobs:new')}?lead={raw}"


def panel_context(request, job: Job, **extra) -> dict:
    """What the detail panel shows; partners never see the contractor's phone or email."""
    job = (
        visible_jobs(request.user, archived=job.is_archived)
        .select_related(
            "office",
            "job_type",
            "source",
            "contractor",
            "service_area",
            "cancel_reason",
            "k_confirmed_by",
            "rebooked_by",
            "lead",
        )
        .prefetch_related("tags")
        .get(pk=job.pk)
    )
    reason = attention_reason(job)
    can = capabilities(request.user)
    status_form = extra.pop("status_form", None) or StatusForm(
        job=job,
        initial={"status": job.status, "follow_up_at": local_value(job, job.follow_up_at)},
    )
    return {
        "job": job,
        "window": short_window(job),
        "phone": phones.pretty(job.phone),
        "attention": reason,
        "attention_message": update_request_message(job, reason) if reason in COPYABLE else "",
        "contractor_phone": phones.pretty(job.contractor.contact_phone)
        if job.contractor and can["contractor_details"]
        else "",
        "k_when": moment(job, job.k_confirmed_at) if job.k_confirmed_at else "",
        "follow_up_when": moment(job, job.follow_up_at) if job.follow_up_at else "",
        "statuses": Status.choices,
        "status_form": status_form,
        "client_fields": [
            ("first_name", "First name", job.first_name, "text"),
            ("last_name", "Last name", job.last_name, "text"),
            ("phone", "Phone", phones.pretty(job.phone), "tel"),
            ("email", "Email", job.email, "email"),
            ("company", "Company", job.company, "text"),
        ],
        "starts_value": local_value(job, job.starts_at),
        "ends_value": local_value(job, job.ends_at),
        "timeline": TimelineEntry.objects.for_subject(job)
        .readable_by(request.user)
        .select_related("actor")[:100],
        "areas": closest_areas(zip_code=job.zip_code, lat=job.lat, lng=job.lng)
        if can["edit"]
        else [],
        "all_tags": list(JobTag.objects.all()) if permissions.can(request.user, "jobs.tag") else [],
        "can": can,
        **extra,
    }


@can_view
def detail(request, pk: int):
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    return render(request, "jobs/_partials/detail.html", panel_context(request, job))


@can_view
def archived(request):
    if not permissions.can(request.user, "jobs.archive"):
        raise PermissionDenied
    jobs = (
        visible_jobs(request.user, archived=True)
        .select_related("office", "source")
        .order_by("-archived_at")[:200]
    )
    return render(request, "jobs/_partials/archived.html", {"jobs": jobs})


@can_view
def reminders(request):
    """📋 EOD / 🌅 Morning Reminders of one day: ?day=2026-04-30&kind=eod|morning."""
    if not permissions.can(request.user, "jobs.edit"):
        raise PermissionDenied
    kind = request.GET.get("kind", "eod")
    try:
        day = datetime.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = None
    if kind not in KINDS or day is None:
        return refuse(request, "Pick a day and eod or morning.", status=400)
    context = {
        "kind": kind,
        "title": KINDS[kind],
        "day": day,
        "reminders": day_reminders(visible_jobs(request.user), day=day, kind=kind),
    }
    return render(request, "jobs/_partials/reminders.html", context)
