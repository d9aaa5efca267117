"""The widget's signed form token: its CSRF defence and its idempotency key in one.

Why not Django's CSRF cookie: inside a customer's iframe our cookies are third-party.
Browsers that block third-party cookies (Safari, Firefox strict, Chrome's phase-out)
drop even a `SameSite=None; Secure` cookie, and loosening the CRM's own CSRF cookie to
SameSite=None would weaken every signed-in page. The widget's POST carries no ambient
authority anyway (no session, no cookie: an anonymous booking), which is what CSRF
attacks borrow; what it needs is proof that the post comes from a form we served for
this embed, recently, once. So each Your Info form carries a token signed with
SECRET_KEY holding the slug and a random submission key, valid for `MAX_AGE_SECONDS`.
A forged or replayed-elsewhere token fails the signature or the slug; an old one
expires; the same form posted twice carries the same key, which `Booking.key` (unique)
admits once. The honeypot and the per-IP rate limit stop the rest.
"""

import secrets

from django.core import signing

SALT = "booking.form"
MAX_AGE_SECONDS = 60 * 60


def issue(slug: str) -> str:
    return signing.dumps({"slug": slug, "key": secrets.token_urlsafe(18)}, salt=SALT)


def submission_key(token: str, *, slug: str) -> str | None:
    """The token's submission key if it is ours, fresh and for this embed; else None."""
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:  # SignatureExpired included
        return None
    if not isinstance(data, dict) or data.get("slug") != slug:
        return None
    key = data.get("key")
    return key if isinstance(key, str) and key else None


def preview_token(slug: str) -> str:
    """Lets the CP's ↗ Preview open a paused embed in test mode (a day long)."""
    return signing.dumps(slug, salt="booking.preview")


def is_preview(token: str, *, slug: str) -> bool:
    try:
        return signing.loads(token or "", salt="booking.preview", max_age=24 * 3600) == slug
    except signing.BadSignature:
        return False
