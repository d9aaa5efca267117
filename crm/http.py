"""Facts about the HTTP request that depend on how the app is deployed."""

from django.conf import settings


def client_ip(request) -> str:
    """The visitor's address, for rate limits and audit.

    Behind N trusted proxies (`TRUSTED_PROXY_COUNT`, 1 behind compose's Caddy) each proxy
    appends the address it saw to X-Forwarded-For, so the visitor is the Nth entry from
    the right; anything further left was written by the visitor and is ignored. With no
    proxy (the default) the header is the visitor's own words: REMOTE_ADDR only.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < hops:
        # Fewer hops than proxies: the request did not come through all of them.
        return remote
    return forwarded[-hops]
