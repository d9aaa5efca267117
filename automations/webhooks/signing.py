"""Standard Webhooks 1.0 signatures (docs/webhooks.md says how a receiver verifies them).

Each try carries `webhook-id` (the delivery's, the same on every retry and replay),
`webhook-timestamp` (this try, unix seconds) and `webhook-signature`: "v1,<base64 of
HMAC-SHA256 over '{id}.{timestamp}.{body}'>" keyed with the endpoint's whsec_ secret
(base64 after the prefix). For 24 hours after a rotation the previous key signs too, and
both signatures are sent space-separated, so a receiver still holding the old key passes.
"""

import base64
import datetime
import hashlib
import hmac
import secrets

from django.utils import timezone

PREFIX = "whsec_"
ROTATION_OVERLAP = datetime.timedelta(hours=24)


def new_secret() -> str:
    """A fresh signing key: "whsec_" + base64 of 32 random bytes."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """One "v1,<base64>" signature of the exact bytes sent."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signing_secrets(endpoint, now: datetime.datetime | None = None) -> list[str]:
    """The keys that sign now: the current one, and the previous one within 24 h of a
    rotation."""
    now = now or timezone.now()
    keys = [endpoint.secret] if endpoint.secret else []
    rotated_at = endpoint.rotated_at
    if endpoint.previous_secret and rotated_at and now - rotated_at < ROTATION_OVERLAP:
        keys.append(endpoint.previous_secret)
    return keys


def headers(
    endpoint, webhook_id: str, body: bytes, now: datetime.datetime | None = None
) -> dict[str, str]:
    """The three Standard Webhooks headers of one try. An endpoint without a key (none is
    made without one; a hand-made row could be) sends id and timestamp unsigned."""
    now = now or timezone.now()
    timestamp = int(now.timestamp())
    signed = {"webhook-id": webhook_id, "webhook-timestamp": str(timestamp)}
    keys = signing_secrets(endpoint, now)
    if keys:
        signed["webhook-signature"] = " ".join(
            signature(key, webhook_id, timestamp, body) for key in keys
        )
    return signed
