"""When a delivery is tried again, and when it gives up (docs/webhooks.md).

A run of the schedule is 10 tries: now, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h,
20 h and 24 h after the previous one (about 75 h in all), each wait ±20% at random so
receivers coming back from an outage are not hit by every delivery at once. A 429 or 503
with Retry-After (seconds or an HTTP date) waits that long instead. 410 Gone ends the
delivery at once and flags the endpoint; any other 4xx but 408 and 429 ends it after 3
tries of the run (the request itself is wrong: more tries won't help). After the 10th try
the delivery is dead. A replay starts a new run.
"""

import dataclasses
import datetime
import email.utils
import random

from automations.webhooks.models import DeliveryState

# The wait before try 2, 3, ... 10 (try 1 goes at once).
WAITS = (
    datetime.timedelta(seconds=5),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=5),
    datetime.timedelta(hours=10),
    datetime.timedelta(hours=14),
    datetime.timedelta(hours=20),
    datetime.timedelta(hours=24),
)
MAX_TRIES = len(WAITS) + 1
JITTER = 0.2
CLIENT_ERROR_TRIES = 3
# A Retry-After is honoured up to this long (a receiver asking for a week is not).
LONGEST_RETRY_AFTER = datetime.timedelta(hours=24)
RETRY_AFTER_STATUSES = frozenset({429, 503})
RETRIED_CLIENT_ERRORS = frozenset({408, 429})


def jittered(wait: datetime.timedelta, rng: random.Random | None = None) -> datetime.timedelta:
    return wait * (rng or random).uniform(1 - JITTER, 1 + JITTER)


def retry_after(value: str | None, now: datetime.datetime) -> datetime.timedelta | None:
    """A Retry-After header as a wait (delay-seconds or an HTTP date), or None."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        wait = datetime.timedelta(seconds=int(value))
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.UTC)
        wait = max(when - now, datetime.timedelta())
    return min(wait, LONGEST_RETRY_AFTER)


@dataclasses.dataclass(frozen=True)
class Outcome:
    state: str  # DeliveryState: delivered, retrying or dead
    next_attempt_at: datetime.datetime | None
    gone: bool = False  # 410: flag the endpoint
    why_dead: str = ""


def after_try(
    *,
    run_tries: int,
    status: int | None,
    now: datetime.datetime,
    retry_after_header: str | None = None,
    rng: random.Random | None = None,
) -> Outcome:
    """What follows try number `run_tries` of the current run, which got `status`
    (None: no HTTP answer)."""
    if status is not None and 200 <= status < 300:
        return Outcome(DeliveryState.DELIVERED, None)
    if status == 410:
        return Outcome(
            DeliveryState.DEAD, None, gone=True, why_dead="The receiver answered 410 Gone."
        )
    if (
        status is not None
        and 400 <= status < 500
        and status not in RETRIED_CLIENT_ERRORS
        and run_tries >= CLIENT_ERROR_TRIES
    ):
        return Outcome(
            DeliveryState.DEAD,
            None,
            why_dead=f"HTTP {status} on try {run_tries}: a refused request gets "
            f"{CLIENT_ERROR_TRIES} tries.",
        )
    if run_tries >= MAX_TRIES:
        return Outcome(DeliveryState.DEAD, None, why_dead=f"All {MAX_TRIES} tries failed.")
    wait = None
    if status in RETRY_AFTER_STATUSES:
        wait = retry_after(retry_after_header, now)
    if wait is None:
        wait = jittered(WAITS[run_tries - 1], rng)
    return Outcome(DeliveryState.RETRYING, now + wait)
