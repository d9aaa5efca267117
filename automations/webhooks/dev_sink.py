"""A receiver for `make run` (mounted only when settings.DEBUG): POST /dev/webhook-sink/<name>
records what arrived (in the cache, the last 50 per name) and whether its Standard Webhooks
signature matches the secret of the endpoint whose URL points here; GET lists them.

The signature check is written out here (HMAC-SHA256 over "{id}.{timestamp}.{body}", the
key being the base64 after "whsec_") so the sink needs no dev-only package at run time.
"""

import base64
import datetime
import hashlib
import hmac
import json

from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from automations.webhooks.models import Endpoint
from crm import permissions

KEEP = 50
CACHE_SECONDS = 24 * 3600
MAX_NAME = 60
SHOWN_HEADERS = (
    "content-type",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "authorization",
    "user-agent",
)


def _key(name: str) -> str:
    return f"webhooks:dev-sink:{name}"


def received(name: str) -> list[dict]:
    """What the sink `name` received, newest first."""
    return cache.get(_key(name)) or []


def signature_matches(secret: str, webhook_id: str, timestamp: str, body: bytes, header: str):
    """Does any `v1,<sig>` in the header sign "{id}.{timestamp}.{body}" with `secret`?"""
    if not secret.startswith("whsec_") or not webhook_id or not timestamp:
        return False
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"))
    except ValueError:
        return False
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for part in header.split():
        version, _, signature = part.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return True
    return False


def check_signature(name: str, request) -> str:
    """'valid', 'invalid' or 'no endpoint' (no endpoint's URL points at this sink)."""
    suffix = f"/dev/webhook-sink/{name}"
    candidates = [
        endpoint
        for endpoint in Endpoint.objects.filter(url__contains=suffix)
        if endpoint.url.split("?")[0].rstrip("/").endswith(suffix)
    ]
    if not candidates:
        return "no endpoint"
    webhook_id = request.headers.get("webhook-id", "")
    timestamp = request.headers.get("webhook-timestamp", "")
    header = request.headers.get("webhook-signature", "")
    for endpoint in candidates:
        for secret in (endpoint.secret, endpoint.previous_secret):
            if secret and signature_matches(secret, webhook_id, timestamp, request.body, header):
                return "valid"
    return "invalid"


def _record(name: str, request) -> dict:
    body = request.body.decode("utf-8", errors="replace")
    try:
        pretty = json.dumps(json.loads(body), indent=2)
    except ValueError:
        pretty = body
    entry = {
        "received_at": timezone.now().isoformat(),
        "signature": check_signature(name, request),
        "headers": {
            header: request.headers[header] for header in SHOWN_HEADERS if header in request.headers
        },
        "body": pretty[:20000],
    }
    cache.set(_key(name), [entry, *received(name)][:KEEP], CACHE_SECONDS)
    return entry


@csrf_exempt
def sink(request, name: str):
    if len(name) > MAX_NAME:
        raise Http404
    if request.method == "POST":
        entry = _record(name, request)
        # ?status=410 (or any 200–599) answers with that status: the demo's dead receiver.
        status = request.GET.get("status", "200")
        status = int(status) if status.isdigit() and 200 <= int(status) <= 599 else 200
        return JsonResponse({"status": "received", "signature": entry["signature"]}, status=status)
    if request.method != "GET":
        return JsonResponse({"error": "POST or GET"}, status=405)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can(request.user, "webhooks.manage"):
        raise PermissionDenied
    entries = [
        {**entry, "received_at": datetime.datetime.fromisoformat(entry["received_at"])}
        for entry in received(name)
    ]
    return render(request, "automations/dev_sink.html", {"name": name, "entries": entries})
