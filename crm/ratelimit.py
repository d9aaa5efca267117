"""Fixed-window rate limits that every process counts together, atomically.

With Redis (production) the count is a Redis INCR. Without it (`make run`) the cache is
a folder of files, whose increment is read-modify-write, so the count lives in the
database instead: one upsert statement per hit.
"""

import datetime
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from crm.models import RateLimitCounter


def hit(bucket: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit on `bucket`; return False once the window already holds `limit` hits."""
    return _count(f"ratelimit:{bucket}", window_seconds) <= limit


def first_refusal(bucket: str, *, window_seconds: int) -> bool:
    """True the first time it is asked for `bucket` in a window (to log a refusal once)."""
    return _count(f"ratelimit-once:{bucket}", window_seconds) == 1


def purge_expired() -> int:
    deleted, _ = RateLimitCounter.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted


def _count(name: str, window_seconds: int) -> int:
    """Add one to this window's counter of `name` and return the new count."""
    window = int(time.time() // window_seconds)
    key = f"{name}:{window}"
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


def _count_in_database(key: str, window_seconds: int) -> int:
    if len(key) > 200:  # emails and IPv6 addresses fit; anything longer is hashed
        key = hashlib.sha256(key.encode()).hexdigest()
    expires_at = timezone.now() + datetime.timedelta(seconds=window_seconds + 1)
    table = connection.ops.quote_name(RateLimitCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(UPSERT.format(table=table), [key, expires_at])
        return cursor.fetchone()[0]
