"""Facts about the HTTP request that depend on how the app is deployed."""

import codecs
import json

from django.conf import settings
from django.http import JsonResponse
from django.utils.http import parse_header_parameters

# Paths whose callers (partners' systems) read every answer, errors included, as JSON.
JSON_PREFIXES = ("/webhook/",)


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


def json_error(message: str, status: int) -> JsonResponse:
    """The error shape every JSON endpoint promises: {"status": "error", "error": ...}."""
    return JsonResponse({"status": "error", "error": message}, status=status)


def refuse_non_text_charsets(application):
    """Wrap the WSGI app: a Content-Type whose charset is not a text encoding is a 400.

    Django accepts any name `codecs` knows (`charset=rot13`, `hex`) and then fails with
    LookupError decoding the query string while it builds the request, before any
    middleware runs: a 500 from one header. Answered here instead, as JSON on the JSON
    endpoints.
    """

    def checked(environ, start_response):
        _, params = parse_header_parameters(environ.get("CONTENT_TYPE", ""))
        charset = params.get("charset", "")
        if not charset or _is_text_encoding(charset):
            return application(environ, start_response)
        message = f"The charset {charset[:40]!r} is not a text encoding."
        if environ.get("PATH_INFO", "").startswith(JSON_PREFIXES):
            body, content_type = (
                json.dumps({"status": "error", "error": message}),
                "application/json",
            )
        else:
            body, content_type = message, "text/plain; charset=utf-8"
        start_response("400 Bad Request", [("Content-Type", content_type)])
        return [body.encode()]

    return checked


def _is_text_encoding(name: str) -> bool:
    try:
        return codecs.lookup(name)._is_text_encoding
    except LookupError:
        return True  # Django ignores names it does not know and keeps UTF-8
