"""The 📋 badge cache's generation: part of every cached count's key, bumped on every task
change, so one increment makes every user's cached count stale at once."""

from django.core.cache import cache

GENERATION = "todos:badge:generation"


def generation() -> int:
    return cache.get(GENERATION, 0)


def bust() -> None:
    if not cache.add(GENERATION, 1, timeout=None):
        cache.incr(GENERATION)
