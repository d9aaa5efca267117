"""A webhook receiver on 127.0.0.1 (http.server in a thread, as tests/fake_google.py): each
POST is recorded (path, headers, body) and answered from `server.answers` (the next one
each time; the last one repeats). An answer is (status, headers, body) and may sleep first
with ("sleep", seconds, answer)."""

import contextlib
import itertools
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.utils import timezone

from automations.webhooks import signing
from automations.webhooks.models import Delivery, Endpoint, Slot

_events = itertools.count(1)


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        with self.server.lock:
            self.server.connections.add(self.connection)

    def finish(self):
        with self.server.lock:
            self.server.connections.discard(self.connection)
        super().finish()

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        server = self.server
        with server.lock:
            server.received.append((self.path, dict(self.headers), body))
            answer = server.answers[0] if len(server.answers) == 1 else server.answers.pop(0)
        if answer[0] == "sleep":
            _, seconds, answer = answer
            threading.Event().wait(seconds)
        status, headers, text = answer
        payload = text.encode()
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client gave up (a timeout test)
            pass

    def log_message(self, *args):
        pass


def start(*answers, port: int = 0) -> ThreadingHTTPServer:
    """A receiver on a free port, or on `port` (a stopped receiver restarted where it was)."""
    server = ThreadingHTTPServer(("127.0.0.1", port), Receiver)
    server.daemon_threads = True
    server.answers = list(answers) or [(200, {}, "ok")]
    server.received = []
    server.lock = threading.Lock()
    server.connections = set()
    server.url = f"http://127.0.0.1:{server.server_port}/hook"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def stop(server: ThreadingHTTPServer) -> None:
    """Stopped as a process dies: the port is closed and so are the kept-alive connections
    (a client's pooled connection must not reach a stopped receiver)."""
    server.shutdown()
    server.server_close()
    with server.lock:
        connections = list(server.connections)
    for connection in connections:
        with contextlib.suppress(OSError):  # already closed by the client
            connection.shutdown(socket.SHUT_RDWR)


def endpoint(url: str, **fields) -> Endpoint:
    fields.setdefault("slot", Slot.NEW_LEAD)
    fields.setdefault("is_main", not fields.get("name"))
    return Endpoint.objects.create(url=url, secret=signing.new_secret(), **fields)


def delivery(endpoint: Endpoint, **fields) -> Delivery:
    """A Delivery as the routing handler writes one: pending, due now, body rendered."""
    event_id = next(_events)
    values = {
        "endpoint": endpoint,
        "url": endpoint.url,
        "slot": endpoint.slot,
        "event_id": event_id,
        "event_name": "lead.created",
        "webhook_id": f"msg_{uuid.uuid4()}",
        "body": f'{{"LeadId": {event_id}, "FirstName": "Ana"}}',
        "content_type": "application/json",
        "next_attempt_at": timezone.now(),
    }
    values.update(fields)
    return Delivery.objects.create(**values)
