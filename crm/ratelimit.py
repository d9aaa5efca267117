"""Fixed-window rate limits kept in the shared cache, so every process sees the same counts."""

import time

from django.core.cache import cache


def hit(bucket: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit on `bucket`; return False once the window already holds `limit` hits."""
    window = int(time.time() // window_seconds)
    key = f"ratelimit:{bucket}:{window}"
    try:
        count = cache.incr(key)  # one round trip on the hot path
    except ValueError:
        # First hit of the window. add() is atomic, so of two racing first hits one
        # creates the counter and the other counts on it.
        if cache.add(key, 1, timeout=window_seconds + 1):
            return True
        count = cache.incr(key)
    return count <= limit


def first_refusal(bucket: str, *, window_seconds: int) -> bool:
    """True the first time it is asked for `bucket` in a window (to log a refusal once)."""
    window = int(time.time() // window_seconds)
    return cache.add(f"ratelimit-once:{bucket}:{window}", 1, timeout=window_seconds + 1)
