"""One-row settings models read from the shared cache (`CachedSingleton`).

The cache holds a plain dict of the row's field values (never a pickled model: a pickle
of an older class is read back without the fields a deploy added), under a key that
carries a schema version made from the field names, so a deploy that adds, renames or
removes a field misses every copy cached before it. Copies also expire (an hour), and
saving the row drops them now and again after commit (so no reader re-fills a stale row).
"""

import functools
import hashlib

from django.core.cache import cache
from django.db import models, transaction

from crm import prefetch

SINGLETON_SECONDS = 60 * 60


@functools.cache  # read on every load: the 15-minute tick and each board load
def schema_version(names: tuple[str, ...]) -> str:
    return hashlib.sha1(",".join(names).encode()).hexdigest()[:12]


class CachedSingleton(models.Model):
    """Mixin (abstract) for a settings model with one row, pk=1, read with `load()`.

    `cache_prefix` names the copy; `cached_extras` names attributes that
    `add_cached_extras()` derives (from other tables) and caches beside the fields.
    """

    cache_prefix: str
    cached_extras: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @classmethod
    def cached_names(cls) -> tuple[str, ...]:
        return tuple(field.attname for field in cls._meta.concrete_fields) + cls.cached_extras

    @classmethod
    def cache_key(cls) -> str:
        return f"{cls.cache_prefix}:{schema_version(cls.cached_names())}"

    @classmethod
    def load(cls):
        """The row, from the shared cache when it is there."""
        return cls.from_cached(prefetch.get(cls.cache_key())) or cls.load_and_cache()

    @classmethod
    def from_cached(cls, values):
        """The row rebuilt from a cached dict, or None for anything else (a miss, an old
        pickle, a dict of another shape)."""
        names = cls.cached_names()
        if not isinstance(values, dict) or values.keys() != set(names):
            return None
        fields = [field.attname for field in cls._meta.concrete_fields]
        row = cls.from_db("default", fields, [values[name] for name in fields])
        for name in cls.cached_extras:
            setattr(row, name, values[name])
        return row

    @classmethod
    def load_and_cache(cls):
        row, _ = cls.objects.get_or_create(pk=1)
        row.add_cached_extras()
        values = {name: getattr(row, name) for name in cls.cached_names()}
        prefetch.set(cls.cache_key(), values, timeout=SINGLETON_SECONDS)
        return row

    def add_cached_extras(self) -> None:
        """Set the `cached_extras` attributes (none by default)."""

    @classmethod
    def forget(cls) -> None:
        key = cls.cache_key()
        cache.delete(key)
        transaction.on_commit(lambda: cache.delete(key))  # no stale re-fill

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        type(self).forget()
