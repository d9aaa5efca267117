"""Live sync: a change stamp per office (and per partner) kept in the shared cache.

Pages poll `/api/last-change`; when the stamp they hold differs, they refresh their
partials. Reading it costs cache lookups only, never a database query.
"""

import time

from django.core.cache import cache

SHARED = "live:shared"  # changes every user may see (offices, settings)
ANY = "live:any"  # the newest change anywhere (owners and "all" users)
SESSION_KEY = "live_scope"


def office_key(office_id: int) -> str:
    return f"live:office:{office_id}"


def partner_key(partner_name: str) -> str:
    return f"live:partner:{partner_name.lower()}"


def scope_keys(user) -> list[str]:
    """The stamp keys relevant to `user`, stored in the session at each page load."""
    if user.role == "partner":
        return [SHARED, partner_key(user.partner_name)] if user.partner_name else [SHARED]
    if user.sees_all_offices:
        return [ANY]
    return [SHARED, *(office_key(office_id) for office_id in sorted(user.office_ids))]


def bump(*, office_id: int | None = None, partner_name: str = "") -> int:
    """Mark a change now; returns the new stamp (milliseconds)."""
    stamp = time.time_ns() // 1_000_000
    keys = [ANY, office_key(office_id) if office_id else SHARED]
    if partner_name:
        keys.append(partner_key(partner_name))
    cache.set_many(dict.fromkeys(keys, stamp), timeout=None)
    return stamp


def last_change(keys: list[str]) -> int:
    stamps = cache.get_many(keys)
    return max(stamps.values(), default=0)
