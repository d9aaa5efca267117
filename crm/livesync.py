"""Live sync: a change stamp per office (and per partner) kept in the shared cache.

Pages poll `/api/last-change`; when the stamp they hold differs, they refresh their
partials. The poll must stay nearly free, so it never loads the session or the user:
each page load leaves a signed cookie naming the user's stamp keys, bound to the
session cookie, and the poll costs one HMAC check plus one cache read.
"""

import hashlib
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac

from crm import prefetch

SHARED = "live:shared"  # changes every user may see (offices, settings)
ANY = "live:any"  # the newest change anywhere (owners and "all" users)
COOKIE = "bb_live"
SALT = "bookback.livesync"


def office_key(office_id: int) -> str:
    return f"live:office:{office_id}"


def partner_key(partner_name: str) -> str:
    """One key per partner whatever the name's case or surrounding spaces.

    Hashed: a raw name may hold spaces or symbols that cache backends (memcached) reject
    in keys. 16 hex digits keep collisions between real partner names out of reach.
    """
    name = partner_name.strip().casefold().encode()
    return f"live:partner:{hashlib.sha1(name, usedforsecurity=False).hexdigest()[:16]}"


def scope_keys(user) -> list[str]:
    """The stamp keys relevant to `user` (their offices, or their partner name)."""
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
    stamps = prefetch.get_many(keys)
    return max(stamps.values(), default=0)


def _binding(session_key: str) -> str:
    return salted_hmac(SALT, session_key).hexdigest()[:32]


def scope_cookie(keys: list[str], session_key: str) -> str:
    """The signed cookie value naming `keys`, valid only beside this session cookie."""
    return signing.dumps({"k": keys, "s": _binding(session_key)}, salt=SALT)


def keys_from_request(request) -> list[str] | None:
    """The stamp keys of a signed-in browser, from cookies alone; None if absent or forged."""
    raw = request.COOKIES.get(COOKIE)
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not raw or not session_key:
        return None
    try:
        data = signing.loads(raw, salt=SALT, max_age=settings.SESSION_COOKIE_AGE)
    except signing.BadSignature:
        return None
    if not constant_time_compare(data.get("s", ""), _binding(session_key)):
        return None
    return data.get("k")
