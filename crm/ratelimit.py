"""Rate limits that every process counts together, atomically.

`hit` counts in fixed windows. `record`/`count` slide: a window is kept as 15 slices, so
"10 within 15 minutes" holds across a quarter-hour boundary instead of allowing 9 just
before it and 9 more just after. `pause` holds a bucket shut for an exact time.

With Redis (production) a count is a Redis INCR. Without it (`make run`) the cache is
a folder of files, whose increment is read-modify-write, so the count lives in the
database instead: one upsert statement per hit.

Every key carries the window, slice or period it belongs to, computed from this
process's clock, and a pause stores its deadline; expiry times only reclaim space.
"""

import datetime
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from crm.models import RateLimitCounter

SLICES = 15  # a sliding window forgets an event one slice early at most


def hit(bucket: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit on `bucket`; return False once the window already holds `limit` hits."""
    return _count(f"ratelimit:{bucket}", window_seconds) <= limit


def first_refusal(bucket: str, *, window_seconds: int) -> bool:
    """True the first time it is asked for `bucket` in a window (to log a refusal once)."""
    return _count(f"ratelimit-once:{bucket}", window_seconds) == 1


def record(bucket: str, *, window_seconds: int) -> int:
    """Count one event on `bucket`; return the events of the sliding window, this one included."""
    *earlier, current = _slice_keys(bucket, window_seconds)
    # Only the current slice still grows, and its increment is atomic.
    return _increment(current, window_seconds) + _total(earlier)


def count(bucket: str, *, window_seconds: int) -> int:
    """The events `record` counted on `bucket` in the sliding window, without adding one.

    An event counts for the next 14 to 15 minutes of a 15-minute window: a slice is
    dropped whole once its start is a window ago.
    """
    return _total(_slice_keys(bucket, window_seconds))


def pause(bucket: str, *, seconds: int) -> bool:
    """Hold `bucket` paused for `seconds` from now; True only for the call that started it.

    A pause is stored under the fixed period of `seconds` it starts in, so a finished one
    never blocks the next; one started in the previous period may still run. Of racing
    calls the atomic insert (or SET NX) lets one start it, short of two calls straddling
    a period boundary within the same moment.
    """
    if is_paused(bucket, seconds=seconds):
        return False
    key = _pause_keys(bucket, seconds)[-1]
    if settings.RATELIMIT_STORE == "database":
        until = timezone.now() + datetime.timedelta(seconds=seconds)
        table = connection.ops.quote_name(RateLimitCounter._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(START_PAUSE.format(table=table), [_stored_key(key), until])
            return cursor.fetchone() is not None
    return cache.add(key, time.time() + seconds, timeout=2 * seconds)


def is_paused(bucket: str, *, seconds: int) -> bool:
    """True while a pause of `bucket` started by `pause(..., seconds=seconds)` runs."""
    keys = _pause_keys(bucket, seconds)
    if settings.RATELIMIT_STORE == "database":
        return RateLimitCounter.objects.filter(
            key__in=[_stored_key(key) for key in keys], expires_at__gt=timezone.now()
        ).exists()
    return any(until > time.time() for until in cache.get_many(keys).values())


def purge_expired() -> int:
    deleted, _ = RateLimitCounter.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted


def _count(name: str, window_seconds: int) -> int:
    """Add one to this window's counter of `name` and return the new count."""
    window = int(time.time() // window_seconds)
    return _increment(f"{name}:{window}", window_seconds)


def _slice_keys(bucket: str, window_seconds: int) -> list[str]:
    """The keys of the window's slices, oldest first, the current one last."""
    width = max(1, window_seconds // SLICES)
    current = int(time.time() // width)
    first = current - window_seconds // width + 1
    return [f"ratelimit-sliding:{bucket}:{width}:{index}" for index in range(first, current + 1)]


def _pause_keys(bucket: str, seconds: int) -> list[str]:
    period = int(time.time() // seconds)
    return [f"ratelimit-pause:{bucket}:{seconds}:{index}" for index in (period - 1, period)]


def _total(keys: list[str]) -> int:
    if settings.RATELIMIT_STORE == "database":
        rows = RateLimitCounter.objects.filter(key__in=[_stored_key(key) for key in keys])
        return rows.aggregate(total=Sum("count"))["total"] or 0
    return sum(cache.get_many(keys).values())


def _increment(key: str, window_seconds: int) -> int:
    """Add one to the counter `key`, kept for the window, and return the new count."""
    if settings.RATELIMIT_STORE == "database":
        return _count_in_database(key, window_seconds)
    try:
        return cache.incr(key)  # one round trip on the hot path
    except ValueError:
        # First hit of the window. add() is atomic on Redis, so of two racing first hits
        # one creates the counter and the other counts on it.
        if cache.add(key, 1, timeout=window_seconds + 1):
            return 1
        return cache.incr(key)


UPSERT = (
    'INSERT INTO {table} ("key", "count", "expires_at") VALUES (%s, 1, %s) '
    'ON CONFLICT ("key") DO UPDATE SET "count" = {table}."count" + 1 RETURNING "count"'
)
START_PAUSE = (
    'INSERT INTO {table} ("key", "count", "expires_at") VALUES (%s, 1, %s) '
    'ON CONFLICT ("key") DO NOTHING RETURNING "key"'
)


def _stored_key(key: str) -> str:
    if len(key) > 200:  # emails and IPv6 addresses fit; anything longer is hashed
        return hashlib.sha256(key.encode()).hexdigest()
    return key


def _count_in_database(key: str, window_seconds: int) -> int:
    expires_at = timezone.now() + datetime.timedelta(seconds=window_seconds + 1)
    table = connection.ops.quote_name(RateLimitCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(UPSERT.format(table=table), [_stored_key(key), expires_at])
        return cursor.fetchone()[0]
