"""A page's cache reads in one round trip.

The Jobs board reads half a dozen small values from the shared cache on every load (its
settings row, the dropdowns' choices, the live-sync stamp, the Google key, two cached
counts); one at a time, their round trips to Redis were a fifth of the page. A view names
the keys it is about to read in `prefetched(keys)`: they come back in one GET_MANY, and
`get` / `get_many` answer for those keys from it inside the block (a key absent from the
cache is a miss there too). Readers that fill a miss write with `set`, so a second read in
the block sees the value. Keys not named are read from the cache as usual.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache

_MISSING = object()
_fetched: ContextVar[dict | None] = ContextVar("prefetched_cache_values", default=None)


@contextmanager
def prefetched(keys: Iterable[str]) -> Iterator[None]:
    keys = list(dict.fromkeys(keys))
    values = dict.fromkeys(keys, _MISSING) | cache.get_many(keys)
    token = _fetched.set((_fetched.get() or {}) | values)
    try:
        yield
    finally:
        _fetched.reset(token)


def get(key: str):
    value = (_fetched.get() or {}).get(key, _MISSING)
    if value is _MISSING and key not in (_fetched.get() or {}):
        return cache.get(key)
    return None if value is _MISSING else value


def get_many(keys: list[str]) -> dict:
    fetched = _fetched.get() or {}
    values = {key: fetched[key] for key in keys if key in fetched}
    unnamed = [key for key in keys if key not in values]
    found = {key: value for key, value in values.items() if value is not _MISSING}
    return found | cache.get_many(unnamed) if unnamed else found


def set(key: str, value, timeout=None) -> None:
    cache.set(key, value, timeout=timeout)
    fetched = _fetched.get()
    if fetched is not None and key in fetched:
        fetched[key] = value
