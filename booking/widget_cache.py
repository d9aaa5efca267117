"""What keeps the public widget cheap: the embed row in the shared cache (no query per page
view), and rendered step pages kept per process, keyed by the embed's content.

An embed changes rarely and is read on every page view. Its row is cached by slug in the
shared cache (every process sees a change at once: the actions and a post_save signal
forget it) with a `fingerprint` of its content. A rendered Service or Date & Time step
depends only on that content, the mode (inline, test, fragment) and, for Date & Time, the
office's local hour and the picked week and day: such a page is kept in process memory
under exactly those, so an edit, or the next hour, can only ever miss, never serve a
stale page. Per-visitor values (UTMs, referrer) are never part of a kept page: they are
placed into its hidden-field slots per request.
"""

import hashlib
import json
import threading
from collections import OrderedDict

from django.core.cache import cache
from django.db import transaction

from booking.models import Embed

EMBED_SECONDS = 600
MISSING_SECONDS = 60  # unknown slugs: short, so a flood of made-up ones stays small
MISSING = "missing"
MAX_PAGES = 512


def _key(slug: str) -> str:
    return f"booking:embed:{slug}"


def fingerprint(embed: Embed) -> str:
    values = [getattr(embed, field.attname) for field in Embed._meta.concrete_fields]
    return hashlib.sha1(json.dumps(values, default=str).encode()).hexdigest()


def load_embed(slug: str) -> Embed | None:
    """The embed at `slug` (live or not) or None; from the shared cache when it can."""
    cached = cache.get(_key(slug))
    if isinstance(cached, Embed):
        return cached
    if cached == MISSING:
        return None
    embed = Embed.objects.filter(slug=slug).order_by().first()
    if embed is None:
        cache.set(_key(slug), MISSING, timeout=MISSING_SECONDS)
        return None
    embed.fingerprint = fingerprint(embed)
    cache.set(_key(slug), embed, timeout=EMBED_SECONDS)
    return embed


def forget(*slugs: str) -> None:
    """Drop cached embeds now and again after commit (so no reader re-fills a stale row)."""
    keys = [_key(slug) for slug in slugs if slug]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


class _Pages:
    """A small thread-safe LRU of rendered pages (process memory: a derived, versioned copy,
    never shared state)."""

    def __init__(self, size: int):
        self._size = size
        self._items: OrderedDict[tuple, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> str | None:
        with self._lock:
            html = self._items.get(key)
            if html is not None:
                self._items.move_to_end(key)
            return html

    def put(self, key: tuple, html: str) -> None:
        with self._lock:
            self._items[key] = html
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


pages = _Pages(MAX_PAGES)
