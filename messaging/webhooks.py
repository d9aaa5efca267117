"""Inbound texts: CTM posts to /webhook/ctm/sms/<token>, Twilio to /webhook/twilio/sms.

Each checks its caller, stores the delivery and answers (messaging.inbound: a worker makes
the Message). Every error is JSON ({"status": "error", "error": ...}) like the lead
webhooks. A text the provider sent before is answered as a success without storing it
again (providers retry).
"""

from django.http import HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare

from crm import untrusted
from crm.http import json_error
from crm.webhook_bodies import BadPayload, posted_fields, public_post
from messaging import inbound
from messaging.models import MessagingSettings
from messaging.providers import twilio

MAX_BODY_BYTES = 64 * 1024
# CTM's text-message activity names its fields a few ways across account setups.
CTM_OUR_NUMBER = ("tracking_number", "business_number", "receiving_number", "to")
CTM_CUSTOMER = ("caller_number", "from")
CTM_BODY = ("message_body", "body", "msg")
CTM_ID = ("id", "sid", "message_id")
TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


inbound_webhook = public_post("deliver texts")


def _text(data: dict, names: tuple[str, ...], *, required: bool = True) -> str:
    for name in names:
        value = data.get(name)
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise BadPayload(f"{name} must be text.")
        return str(value)
    if required:
        raise BadPayload(f"{names[0]} is missing.")
    return ""


@inbound_webhook
def ctm_sms(request, token: str):
    """POST /webhook/ctm/sms/<token>: CTM's text-message webhook."""
    expected = MessagingSettings.inbound_token()
    if not expected or not constant_time_compare(untrusted.clean_text(token), expected):
        return json_error("Wrong webhook token.", 403)
    data = posted_fields(request, max_bytes=MAX_BODY_BYTES)
    direction = str(data.get("direction") or "").lower()
    if "out" in direction:  # CTM also reports the texts we sent
        return JsonResponse({"status": "success", "stored": False})
    row = inbound.accept(
        provider="ctm",
        line_phone=_text(data, CTM_OUR_NUMBER),
        from_phone=_text(data, CTM_CUSTOMER),
        body=_text(data, CTM_BODY, required=False),
        provider_message_id=_text(data, CTM_ID, required=False),
    )
    return JsonResponse({"status": "success", "stored": row is not None})


@inbound_webhook
def twilio_sms(request):
    """POST /webhook/twilio/sms: signed by Twilio over our public URL and the fields."""
    data = posted_fields(request, max_bytes=MAX_BODY_BYTES)
    url = request.build_absolute_uri()  # scheme and host as the proxy saw them
    params = {key: request.POST.get(key) for key in request.POST}
    signature = request.headers.get("X-Twilio-Signature", "")
    if not twilio.signature_is_valid(url, params, signature):
        return json_error("Missing or wrong Twilio signature.", 403)
    inbound.accept(
        provider="twilio",
        line_phone=_text(data, ("To",)),
        from_phone=_text(data, ("From",)),
        body=_text(data, ("Body",), required=False),
        provider_message_id=_text(data, ("MessageSid", "SmsSid"), required=False),
        media=twilio.media_links(data),
    )
    return HttpResponse(TWIML_EMPTY, content_type="text/xml")
