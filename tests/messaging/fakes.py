"""CTM and Twilio faked at their HTTP boundary: local servers answering as the real APIs
do (CTM REST v1 JSON; Twilio's 2010-04-01 Messages resource), recording each request."""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

CTM_SENT = {"status": "processing", "id": "SMS7f3c1e0b9a2d4c6e8f10"}
CTM_REFUSED = (422, {"status": "error", "error": "Carrier rejected: number is a landline"})


def ctm_numbers_page(page: int, total_pages: int, numbers: list[dict]) -> dict:
    return {
        "numbers": numbers,
        "page": page,
        "per_page": 100,
        "total_entries": len(numbers) * total_pages,
        "total_pages": total_pages,
    }


def ctm_number(ref: str, phone: str, name: str) -> dict:
    digits = phone[-10:]
    return {
        "id": ref,
        "name": name,
        "number": phone,
        "formatted": f"({digits[:3]}) {digits[3:6]}-{digits[6:]}",
        "account_id": 12345,
        "status": "active",
    }


def twilio_message(sid: str, to: str, from_: str, body: str) -> dict:
    return {
        "account_sid": "ACtest",
        "api_version": "2010-04-01",
        "body": body,
        "date_created": "Mon, 07 Dec 2026 02:00:00 +0000",
        "date_sent": None,
        "date_updated": "Mon, 07 Dec 2026 02:00:00 +0000",
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": from_,
        "messaging_service_sid": None,
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": "queued",
        "subresource_uris": {"media": f"/2010-04-01/Accounts/ACtest/Messages/{sid}/Media.json"},
        "to": to,
        "uri": f"/2010-04-01/Accounts/ACtest/Messages/{sid}.json",
    }


TWILIO_UNSUBSCRIBED = (
    400,
    {
        "code": 21610,
        "message": "Attempt to send to unsubscribed recipient",
        "more_info": "https://www.twilio.com/docs/errors/21610",
        "status": 400,
    },
)


class Recorded:
    def __init__(self, method, path, query, headers, body):
        self.method, self.path, self.query, self.headers, self.body = (
            method,
            path,
            query,
            headers,
            body,
        )

    @property
    def basic_auth(self) -> tuple[str, str]:
        scheme, _, value = self.headers.get("Authorization", "").partition(" ")
        assert scheme == "Basic"
        user, _, password = base64.b64decode(value).decode().partition(":")
        return user, password

    @property
    def form(self) -> dict:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


class Handler(BaseHTTPRequestHandler):
    def _answer(self):
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.requests.append(
            Recorded(self.command, url.path, parse_qs(url.query), dict(self.headers), body)
        )
        status, payload = self.server.route(self.command, url.path, parse_qs(url.query))
        # Bytes are a media file (Twilio's MMS media), anything else JSON.
        binary = isinstance(payload, bytes)
        data = payload if binary else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "image/jpeg" if binary else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


def start(route) -> ThreadingHTTPServer:
    """A server answering `route(method, path, query) → (status, json)`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.route, server.requests = route, []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def url_of(server) -> str:
    return f"http://127.0.0.1:{server.server_port}"
