"""Inbound lead webhooks. Answers are JSON: {"status": "success", ...} or
{"status": "error", "error": "..."} with 400 / 401 / 404 / 429."""

import json

from django.conf import settings
from django.http import JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from crm.errors import DomainError
from leads import services
from leads.models import LeadSource


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"status": "error", "error": message}, status=status)


def _payload(request) -> dict:
    """JSON object or form fields; raises ValueError for anything else."""
    if request.content_type == "application/json":
        data = json.loads(request.body or b"null")
        if not isinstance(data, dict):
            raise ValueError("The body must be a JSON object.")
        return data
    return {key: request.POST.get(key) for key in request.POST}


def _has_secret(request) -> bool:
    given = request.headers.get("x-webhook-secret") or request.GET.get("secret") or ""
    return bool(given) and constant_time_compare(given, settings.WEBHOOK_SECRET)


def _ingest(request, source_key=None) -> JsonResponse:
    """Parse once, accept, answer. `source_key` None means: the body's, then ?source=."""
    try:
        payload = _payload(request)
    except (ValueError, UnicodeDecodeError):
        return _error("The body is not valid JSON or form data.", 400)
    if source_key is None:
        source_key = str(payload.get("source") or request.GET.get("source") or "manual")
    try:
        inbound = services.accept_inbound(payload, source_key=source_key)
    except services.RateLimited as error:
        return _error(error.message, 429)
    except DomainError as error:
        return _error(error.message, 400)
    # Accepted and stored: the lead is made right after, by a Celery task.
    return JsonResponse({"status": "success", "received": inbound.pk})


@csrf_exempt
@require_POST
def generic(request):
    """POST /webhook/leads: source from the body, then ?source=, default manual."""
    if not _has_secret(request):
        return _error("Missing or wrong webhook secret.", 401)
    return _ingest(request)


@csrf_exempt
@require_POST
def facebook(request):
    """POST /webhook/facebook: the legacy alias, source forced to facebook."""
    if not _has_secret(request):
        return _error("Missing or wrong webhook secret.", 401)
    return _ingest(request, "facebook")


@csrf_exempt
@require_POST
def by_token(request, token: str):
    """POST /webhook/s/<token>: the token names the source; the body's source is ignored."""
    source = LeadSource.objects.filter(webhook_token=token).only("key").first()
    if source is None:
        return _error("Unknown webhook token.", 404)
    return _ingest(request, source.key)
