"""Twilio through its SDK (`SMS_PROVIDER=twilio`). TWILIO_BASE_URL points the SDK at a
local server in tests; inbound texts are checked with the SDK's RequestValidator."""

import logging
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from messaging.models import ATTACHMENT_MAX_BYTES, Attachment
from messaging.providers.base import OutboundFile, Provider, SendFailed

logger = logging.getLogger(__name__)
MEDIA_PER_TEXT = 10  # Twilio's own MMS limit


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


def media_links(fields: dict) -> list[dict]:
    """The MMS files of an inbound text (NumMedia, MediaUrl<i>, MediaContentType<i>) whose
    links point at Twilio's API: nothing else is ever fetched with our credentials."""
    try:
        count = min(int(fields.get("NumMedia") or 0), MEDIA_PER_TEXT)
    except (TypeError, ValueError):
        return []
    api_host = urlsplit(settings.TWILIO_BASE_URL or "https://api.twilio.com").netloc
    links = []
    for index in range(count):
        url = str(fields.get(f"MediaUrl{index}") or "")
        if urlsplit(url).netloc == api_host:
            content_type = str(fields.get(f"MediaContentType{index}") or "")[:100]
            links.append({"url": url, "content_type": content_type})
    return links


def fetch_media(link: dict) -> OutboundFile | None:
    """One linked file (≤ 4 MB, image / video / audio / PDF), or None when it can't be had.
    httpx drops the credentials when Twilio redirects to its CDN on another host."""
    auth = (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
    content_type = link.get("content_type", "")
    if not Attachment.is_allowed(content_type, 0):
        return None
    try:
        with httpx.stream(
            "GET", link["url"], auth=auth, follow_redirects=True, timeout=15
        ) as response:
            if response.status_code != 200:
                logger.warning("Twilio media %s answered %s", link["url"], response.status_code)
                return None
            content = b""
            for chunk in response.iter_bytes():
                content += chunk
                if len(content) > ATTACHMENT_MAX_BYTES:
                    return None
    except httpx.HTTPError:
        logger.warning("Twilio media %s could not be fetched", link["url"], exc_info=True)
        return None
    name = urlsplit(link["url"]).path.rsplit("/", 1)[-1] or "attachment"
    return OutboundFile(name, content_type, content)
