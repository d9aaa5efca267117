"""The counts that outlive the 30-day log: DailyCount rows per business day (America/New_York),
slot and destination URL. `fired` is bumped by the routing handler once per event and slot
(its row has url ""); `delivered` and `failed` by the sender once per try. The 📊 Dashboard
reads `windows()`, the 🔗 tile and CP → 🩺 System `dead_count()`.
"""

import dataclasses
import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from automations.webhooks.models import DailyCount, Delivery, DeliveryState, Endpoint, Slot

# Dashboard windows: key → (label, business days back including today; None = all time).
WINDOWS = {
    "today": ("Today", 1),
    "7d": ("7 Days", 7),
    "30d": ("30 Days", 30),
    "all": ("All Time", None),
}


def business_day(moment: datetime.datetime | None = None) -> datetime.date:
    """The America/New_York date of `moment` (default now)."""
    moment = moment or timezone.now()
    return moment.astimezone(ZoneInfo(settings.BUSINESS_TIME_ZONE)).date()


def bump(*, slot: str, url: str, day: datetime.date | None = None, **amounts: int) -> None:
    """Add `amounts` (fired / delivered / failed) to one day's row, made on first use.

    An UPDATE first (the row usually exists); a concurrent first insert loses on the
    unique constraint and updates instead, so no count is lost.
    """
    day = day or business_day()
    key = {"day": day, "slot": slot, "url": url}
    increments = {name: F(name) + amount for name, amount in amounts.items()}
    if DailyCount.objects.filter(**key).update(**increments):
        return
    try:
        with transaction.atomic():
            DailyCount.objects.create(**key, **amounts)
    except IntegrityError:
        DailyCount.objects.filter(**key).update(**increments)


def fired(slot: str, day: datetime.date | None = None) -> None:
    """One event fired on `slot` (called by the routing handler, once per event and slot)."""
    bump(slot=slot, url="", day=day, fired=1)


def dead_count() -> int:
    """Dead deliveries waiting for a replay: the red count on the 🔗 Webhooks tile."""
    return Delivery.objects.filter(state=DeliveryState.DEAD).count()


def dead_deliveries(limit: int = 100) -> list[Delivery]:
    """Dead deliveries, newest first, for CP → 🩺 System (crm reads this by dotted path)."""
    return list(
        Delivery.objects.filter(state=DeliveryState.DEAD)
        .only(
            "id",
            "endpoint_id",
            "url",
            "slot",
            "event_id",
            "event_name",
            "attempts",
            "run_attempts",
            "last_status",
            "last_error",
            "dead_at",
            "created_at",
        )  # fmt: skip
        .order_by("-dead_at", "-id")[:limit]
    )


@dataclasses.dataclass(frozen=True)
class SlotCount:
    slot: str
    label: str
    fired: int


@dataclasses.dataclass(frozen=True)
class UrlCount:
    slot: str
    label: str
    url: str
    delivered: int
    failed: int


def _destination_names() -> dict[tuple[str, str], list[str]]:
    """(slot, URL) → what sends there now: "main URL" and each fan-out's name, so a
    destination reads as the endpoint the owner named (counts are kept per URL: a
    deleted fan-out's tries stay counted under its slot alone)."""
    names: dict[tuple[str, str], list[str]] = {}
    endpoints = Endpoint.objects.order_by("-is_main", "name")
    for slot, url, is_main, name in endpoints.values_list("slot", "url", "is_main", "name"):
        names.setdefault((slot, url), []).append("main URL" if is_main else f"fan-out “{name}”")
    return names


def _key(row: dict) -> tuple[str, str]:
    return row["slot"], row["url"]


def windows(key: str = "today") -> dict:
    """The 📊 Dashboard for one window (a key of WINDOWS; unknown keys read as "today"):
    {"key", "label", "since" (the first business day counted; None = all time),
    "fired": a SlotCount per slot in Slot order, zeros included,
    "destinations": a UrlCount per (slot, URL) with any try, most deliveries first}."""
    if key not in WINDOWS:
        key = "today"
    label, days = WINDOWS[key]
    since = business_day() - datetime.timedelta(days=days - 1) if days else None
    rows = DailyCount.objects.all() if since is None else DailyCount.objects.filter(day__gte=since)
    fired_by_slot = dict(
        rows.filter(url="").values("slot").annotate(n=Sum("fired")).values_list("slot", "n")
    )
    labels = dict(Slot.choices)
    per_url = (
        rows.exclude(url="")
        .values("slot", "url")
        .annotate(delivered=Sum("delivered"), failed=Sum("failed"))
        .order_by("-delivered", "slot", "url")
    )
    names = _destination_names()
    return dict(
        key=key,
        label=label,
        since=since,
        fired=[SlotCount(slot, labels[slot], fired_by_slot.get(slot) or 0) for slot in Slot],
        destinations=[
            UrlCount(
                row["slot"],
                " · ".join([labels.get(row["slot"], row["slot"]), *names.get(_key(row), [])]),
                row["url"],
                row["delivered"] or 0,
                row["failed"] or 0,
            )
            for row in per_url
        ],
    )
