"""Where a webhook may be posted (SSRF guard): http(s) only, and never to a private,
loopback, link-local, reserved, multicast or unspecified address. A hostname is resolved
and every address it resolves to is checked (one bad address refuses the URL: a resolver
may hand out any of them).

Checked at save (the endpoint form) and again at send: `checked_address` resolves once,
checks, and the sender connects to that very address (client.post(..., address=...)),
so a DNS answer that changes between the check and the connection (rebinding) is never
followed. WEBHOOK_ALLOW_PRIVATE (development and tests only) lifts the address rules.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class Refused(Exception):
    """The URL may not be posted to; the message says why, in plain English."""


def _kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """What is wrong with `address` ("" when it is a public unicast address)."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:  # ::ffff:127.0.0.1 reaches 127.0.0.1
        address = mapped
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if not address.is_global:  # shared (carrier-grade NAT) space and the like
        return "a reserved address"
    return ""


def _parts(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL we may try at all; raises Refused otherwise."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError as error:
        raise Refused(f"That URL is not valid ({error}).") from None
    if parts.scheme not in ("http", "https"):
        raise Refused("Only http:// and https:// URLs can receive webhooks.")
    if not parts.hostname:
        raise Refused("That URL has no host name.")
    if parts.username or parts.password:
        raise Refused("Put credentials in Basic Auth, not in the URL.")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def _resolve(host: str, port: int) -> list[str]:
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused(f"{host} could not be found ({error}).") from None
    addresses = []
    for _family, _type, _proto, _name, sockaddr in answers:
        if sockaddr[0] not in addresses:
            addresses.append(sockaddr[0])
    if not addresses:
        raise Refused(f"{host} could not be found.")
    return addresses


def checked_address(url: str) -> str:
    """Resolve the URL's host, check every address, and return the one to connect to.

    Raises Refused with the reason. With WEBHOOK_ALLOW_PRIVATE the addresses are not
    checked (they are still resolved: the sender connects to what was resolved here).
    """
    _scheme, host, port = _parts(url)
    addresses = _resolve(host, port)
    if not settings.WEBHOOK_ALLOW_PRIVATE:
        for text in addresses:
            kind = _kind(ipaddress.ip_address(text.split("%", 1)[0]))
            if kind:
                where = f"{text} is" if host == text else f"{host} resolves to {text},"
                raise Refused(f"{where} {kind}: webhooks only go to public internet addresses.")
    return addresses[0]


def refusal(url: str) -> str:
    """ "" when `url` may be posted to, else why not (for the endpoint form and the sender).

    With WEBHOOK_ALLOW_PRIVATE (development, the test suite) only the URL's form is
    checked: nothing is resolved, so a form accepts names this machine cannot look up.
    """
    try:
        if settings.WEBHOOK_ALLOW_PRIVATE:
            _parts(url)
        else:
            checked_address(url)
    except Refused as refused:
        return str(refused)
    return ""
