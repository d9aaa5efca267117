"""Twilio through its SDK (`SMS_PROVIDER=twilio`). TWILIO_BASE_URL points the SDK at a
local server in tests; inbound texts are checked with the SDK's RequestValidator."""

from urllib.parse import urlsplit

from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from messaging.providers.base import Provider, SendFailed


class _RedirectedClient(TwilioHttpClient):
    """Sends the SDK's requests to TWILIO_BASE_URL (scheme and host) instead of twilio.com."""

    def request(self, method, url, *args, **kwargs):
        base = urlsplit(settings.TWILIO_BASE_URL)
        parts = urlsplit(url)
        url = parts._replace(scheme=base.scheme, netloc=base.netloc).geturl()
        return super().request(method, url, *args, **kwargs)


def client() -> Client:
    http_client = _RedirectedClient(timeout=15) if settings.TWILIO_BASE_URL else None
    return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)


class TwilioProvider(Provider):
    name = "twilio"
    sends_own_opt_out_reply = True

    def send(self, *, from_phone: str, to: str, body: str, files=()) -> str:
        if files:
            # Twilio fetches MMS media from a public link; ours are behind the sign-in.
            raise SendFailed("Attachments can't be sent through Twilio: send them via CTM.")
        try:
            message = client().messages.create(to=to, from_=from_phone, body=body)
        except TwilioRestException as exc:
            raise SendFailed(exc.msg or f"Twilio error {exc.code}") from exc
        except TwilioException as exc:
            raise SendFailed(str(exc)) from exc
        if message.error_message:
            raise SendFailed(message.error_message)
        return message.sid


def signature_is_valid(url: str, params: dict, signature: str) -> bool:
    """Twilio's X-Twilio-Signature over the public URL and the POSTed fields."""
    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, params, signature)
