"""Webhook POSTs from partners and providers: the endpoint decorator (JSON errors) and the
body read safely (a JSON object or form fields, every string cleaned by crm.untrusted,
size-capped before it is read)."""

from functools import wraps

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from crm import untrusted
from crm.errors import DomainError
from crm.http import json_error


class BadPayload(Exception):
    """The body cannot be used: `message` says why, for the sender; `status` is the answer."""

    def __init__(self, message: str, status: int = 400):
        self.message, self.status = message, status


def posted_fields(request, *, max_bytes: int) -> dict:
    """The body as a JSON object or form fields; BadPayload (413 past `max_bytes`) else."""
    too_big = BadPayload(f"The body is larger than {max_bytes // 1024} KB.", 413)
    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > max_bytes:
            raise too_big
        body = request.body
    except (ValueError, RequestDataTooBig):
        raise too_big from None
    if len(body) > max_bytes:  # a chunked body has no Content-Length
        raise too_big
    if request.content_type == "application/json":
        try:
            data = untrusted.load_json(body or b"null")
        except untrusted.UntrustedInputError as error:
            raise BadPayload(str(error)) from error
        if not isinstance(data, dict):
            raise BadPayload("The body must be a JSON object.")
        return data
    try:
        return untrusted.clean_json({key: request.POST.get(key) for key in request.POST})
    except (MultiPartParserError, SuspiciousOperation, UnicodeDecodeError) as error:
        raise BadPayload("The body is not valid JSON or form data.") from error


def public_post(action: str):
    """A webhook endpoint: no CSRF (senders have no session), POST only ("Use POST to
    `action`." with a JSON 405), a BadPayload or a refusal answered as a JSON error."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def endpoint(request, *args, **kwargs):
            if request.method != "POST":
                response = json_error(f"Use POST to {action}.", 405)
                response["Allow"] = "POST"
                return response
            try:
                return view(request, *args, **kwargs)
            except BadPayload as error:
                return json_error(error.message, error.status)
            except DomainError as error:
                return json_error(error.message, 400)

        return endpoint

    return decorate
