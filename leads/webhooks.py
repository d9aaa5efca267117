"""Inbound lead webhooks. Every answer is JSON: {"status": "success", ...} or
{"status": "error", "error": "..."} with 400 / 401 / 404 / 405 / 413 / 429."""

from django.conf import settings
from django.http import JsonResponse
from django.utils.crypto import constant_time_compare

from crm import untrusted
from crm.errors import DomainError
from crm.http import json_error
from crm.webhook_bodies import BadPayload, posted_fields, public_post
from leads import services
from leads.models import LeadSource

MAX_BODY_BYTES = 256 * 1024


def _has_secret(request) -> bool:
    given = request.headers.get("x-webhook-secret") or request.GET.get("secret") or ""
    return bool(given) and constant_time_compare(given, settings.WEBHOOK_SECRET)


def _ingest(request, source_key=None) -> JsonResponse:
    """Parse once, accept, answer. `source_key` None means: the body's, then ?source=."""
    try:
        payload = posted_fields(request, max_bytes=MAX_BODY_BYTES)
    except BadPayload as error:
        return json_error(error.message, error.status)
    if source_key is None:
        source_key = payload.get("source") or request.GET.get("source") or "manual"
        if not isinstance(source_key, str):
            return json_error('source must be text, e.g. "facebook".', 400)
    try:
        inbound = services.accept_inbound(payload, source_key=source_key)
    except services.RateLimited as error:
        response = json_error(error.message, 429)
        response["Retry-After"] = str(error.retry_after)
        return response
    except DomainError as error:
        return json_error(error.message, 400)
    # Accepted and stored: the lead is made right after, by a Celery task.
    return JsonResponse({"status": "success", "received": inbound.pk})


webhook = public_post("send leads")


@webhook
def generic(request):
    """POST /webhook/leads: source from the body, then ?source=, default manual."""
    if not _has_secret(request):
        return json_error("Missing or wrong webhook secret.", 401)
    return _ingest(request)


@webhook
def facebook(request):
    """POST /webhook/facebook: the legacy alias, source forced to facebook."""
    if not _has_secret(request):
        return json_error("Missing or wrong webhook secret.", 401)
    return _ingest(request, "facebook")


@webhook
def by_token(request, token: str):
    """POST /webhook/s/<token>: the token names the source; the body's source is ignored."""
    if untrusted.clean_text(token) != token:  # a NUL cannot even be looked up
        return json_error("Unknown webhook token.", 404)
    source = LeadSource.objects.filter(webhook_token=token).only("key").first()
    if source is None:
        return json_error("Unknown webhook token.", 404)
    return _ingest(request, source.key)
