"""Google's web services faked at their HTTP boundary: a local server the `googlemaps`
client is pointed at (contractors.geocoding.GOOGLE_BASE_URL) with a realistic answer."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

NOTHING = {"candidates": [], "results": [], "status": "ZERO_RESULTS"}


class FakeGoogle(BaseHTTPRequestHandler):
    """Answers any GET with `self.server.answer` (status, JSON); records each query."""

    def do_GET(self):
        url = urlparse(self.path)
        self.server.queries.append((url.path, parse_qs(url.query)))
        status, body = self.server.answer
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):  # keep test output quiet
        pass


def start() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGoogle)
    server.answer, server.queries = (200, NOTHING), []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
