"""The one HTTP client of outbound webhooks (httpx): a POST with connect and total time
limits, redirects never followed, and an answer reduced to what the log keeps.

Timeouts are settings (WEBHOOK_CONNECT_TIMEOUT 5 s, WEBHOOK_TOTAL_TIMEOUT 15 s) so a test
can shrink them. httpx limits each wait, not the whole request: connecting gets the
connect limit, every later wait (sending, the answer's first byte, each read) at most the
total, and reading the body stops at the total's deadline; only the first 2 KB are read.
"""

import dataclasses
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings

EXCERPT_BYTES = 2048
_MAX_CLIENTS = 64

_clients: dict[str, httpx.Client] = {}
_lock = threading.Lock()


@dataclasses.dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer (see error)
    excerpt: str  # the first 2 KB of the body, as text
    duration_ms: int
    error: str  # "" when the receiver answered (whatever the status)
    retry_after: str = ""  # the answer's Retry-After header, as sent

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _client(host: str) -> httpx.Client:
    """One pooled client per host name: connections are kept alive between tries, and a
    connection made for one name (its TLS server name) never carries another's request."""
    with _lock:
        client = _clients.get(host)
        if client is None:
            if len(_clients) >= _MAX_CLIENTS:
                for old in _clients.values():
                    old.close()
                _clients.clear()
            client = _clients[host] = httpx.Client(follow_redirects=False, trust_env=False)
        return client


def _pinned(url: str, address: str | None) -> tuple[str, dict[str, str], dict]:
    """The URL with its host swapped for the checked address, with the Host header and
    the TLS server name (certificates are verified against it) of the original name."""
    if not address:
        return url, {}, {}
    parts = urlsplit(url)
    host = parts.hostname or ""
    if address == host:
        return url, {}, {}
    shown = f"[{address}]" if ":" in address else address
    netloc = shown + (f":{parts.port}" if parts.port else "")
    host_header = (f"[{host}]" if ":" in host else host) + (f":{parts.port}" if parts.port else "")
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return urlunsplit(parts._replace(netloc=netloc)), {"Host": host_header}, extensions


def post(url: str, body: bytes, headers: dict[str, str], *, address: str | None = None) -> Answer:
    """POST `body` to `url` (connecting to `address` when given); never raises for a
    network or HTTP failure: the answer carries the status or the error's text."""
    connect = float(settings.WEBHOOK_CONNECT_TIMEOUT)
    total = float(settings.WEBHOOK_TOTAL_TIMEOUT)
    timeout = httpx.Timeout(total, connect=min(connect, total))
    target, extra_headers, extensions = _pinned(url, address)
    started = time.monotonic()
    deadline = started + total

    def elapsed_ms() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        client = _client(urlsplit(url).hostname or "")
        with client.stream(
            "POST",
            target,
            content=body,
            headers={**headers, **extra_headers},
            timeout=timeout,
            extensions=extensions,
        ) as response:
            excerpt = bytearray()
            for chunk in response.iter_bytes():
                excerpt += chunk
                if len(excerpt) >= EXCERPT_BYTES or time.monotonic() > deadline:
                    break
            text = bytes(excerpt[:EXCERPT_BYTES]).decode("utf-8", errors="replace")
            error = ""
            if 300 <= response.status_code < 400:
                where = response.headers.get("location", "")
                error = f"Redirect to {where or 'another URL'} not followed."
            return Answer(
                response.status_code,
                text,
                elapsed_ms(),
                error,
                response.headers.get("retry-after", ""),
            )
    except httpx.TimeoutException as failure:
        kind = "connecting" if isinstance(failure, httpx.ConnectTimeout) else "waiting"
        return Answer(None, "", elapsed_ms(), f"Timed out {kind} ({failure or 'no answer'}).")
    except httpx.HTTPError as failure:
        return Answer(None, "", elapsed_ms(), f"{type(failure).__name__}: {failure}")
