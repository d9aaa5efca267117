"""Anthropic's Messages API faked at its HTTP boundary.

A local threaded server the real SDK is pointed at (settings.ANTHROPIC_BASE_URL). It
answers POST /v1/messages from a queue of scripted replies, as JSON or, when the request
asks `"stream": true`, as the API's server-sent events (message_start with usage,
content_block_start / content_block_delta (text_delta, input_json_delta) /
content_block_stop per block, message_delta with stop_reason and usage, message_stop).
Every request body and its headers are recorded. An unscripted request gets a 400 (not
retried by the SDK), so a test that forgets a reply fails loudly.
"""

import contextlib
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    """One scripted answer: content blocks as the API returns them, and its usage."""

    content: list[dict]
    stop_reason: str = "end_turn"
    input_tokens: int = 100
    output_tokens: int = 20
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    status: int = 200
    error_type: str = ""
    error_message: str = ""
    text_chunk_size: int = 8  # characters per text_delta when streamed
    event_delay: float = 0.0  # seconds between streamed events (to watch a reply stream)

    @property
    def usage(self) -> dict:
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_creation_input_tokens": self.cache_creation_input_tokens,
            "cache_read_input_tokens": self.cache_read_input_tokens,
        }


def text(answer: str, **usage) -> Reply:
    """A final answer."""
    return Reply(content=[{"type": "text", "text": answer}], **usage)


def tool_use(name: str, tool_input: dict, *, tool_use_id: str = "", preface: str = "", **usage):
    """A request to run one tool (optionally after a line of text)."""
    blocks = [{"type": "text", "text": preface}] if preface else []
    blocks.append(
        {
            "type": "tool_use",
            "id": tool_use_id or f"toolu_{name}_{len(preface)}",
            "name": name,
            "input": tool_input,
        }
    )
    return Reply(content=blocks, stop_reason="tool_use", **usage)


def error(status: int, error_type: str, message: str) -> Reply:
    return Reply(content=[], status=status, error_type=error_type, error_message=message)


@dataclass
class FakeAnthropic:
    replies: deque = field(default_factory=deque)
    requests: list[dict] = field(default_factory=list)
    headers: list[dict] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    first_token_delay: float = 0.0  # seconds before a reply starts (the model thinking)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, *replies: Reply) -> None:
        with self.lock:
            self.replies.extend(replies)

    def start(self) -> "FakeAnthropic":
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.fake = self
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _next(self, body: dict, headers: dict) -> Reply | None:
        with self.lock:
            self.requests.append(body)
            self.headers.append(headers)
            return self.replies.popleft() if self.replies else None


def message(reply: Reply, model: str, number: int) -> dict:
    return {
        "id": f"msg_fake_{number}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": reply.content,
        "stop_reason": reply.stop_reason,
        "stop_sequence": None,
        "usage": reply.usage,
    }


def stream_events(reply: Reply, model: str, number: int):
    """(event name, data) pairs, in the order the API sends them."""
    start = message(reply, model, number) | {"content": [], "stop_reason": None}
    start["usage"] = reply.usage | {"output_tokens": 1}
    yield "message_start", {"type": "message_start", "message": start}
    for index, block in enumerate(reply.content):
        if block["type"] == "text":
            opening, deltas = {"type": "text", "text": ""}, _text_deltas(block, reply)
        else:
            opening, deltas = block | {"input": {}}, _input_deltas(block)
        yield "content_block_start", {"type": "content_block_start", "index": index,
                                      "content_block": opening}  # fmt: skip
        for delta in deltas:
            yield "content_block_delta", {"type": "content_block_delta", "index": index,
                                          "delta": delta}  # fmt: skip
        yield "content_block_stop", {"type": "content_block_stop", "index": index}
    yield (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": reply.stop_reason, "stop_sequence": None},
            "usage": reply.usage,
        },
    )
    yield "message_stop", {"type": "message_stop"}


def _text_deltas(block: dict, reply: Reply):
    size = reply.text_chunk_size
    for at in range(0, len(block["text"]), size):
        yield {"type": "text_delta", "text": block["text"][at : at + size]}


def _input_deltas(block: dict):
    raw = json.dumps(block["input"])
    middle = len(raw) // 2  # two pieces, as the API splits a tool's JSON
    for piece in (raw[:middle], raw[middle:]):
        yield {"type": "input_json_delta", "partial_json": piece}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle(self):
        # The client may close a kept-alive connection while the server waits on it.
        with contextlib.suppress(ConnectionResetError):
            super().handle()

    def do_POST(self):
        fake: FakeAnthropic = self.server.fake
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if self.path.split("?")[0] != "/v1/messages":
            return self._json(404, _error_body("not_found_error", f"No route {self.path}"))
        reply = fake._next(body, {key.lower(): value for key, value in self.headers.items()})
        if reply is None:
            return self._json(400, _error_body("invalid_request_error", "fake: no scripted reply"))
        if reply.status != 200:
            return self._json(reply.status, _error_body(reply.error_type, reply.error_message))
        number = len(fake.requests)
        if fake.first_token_delay:
            time.sleep(fake.first_token_delay)
        if body.get("stream"):
            return self._stream(stream_events(reply, body.get("model", ""), number), reply)
        return self._json(200, message(reply, body.get("model", ""), number))

    def _json(self, status: int, payload: dict):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("request-id", "req_fake")
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, events, reply: Reply):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        for name, payload in events:
            chunk = f"event: {name}\ndata: {json.dumps(payload)}\n\n".encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.flush()
            if reply.event_delay:
                time.sleep(reply.event_delay)
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, *args):  # keep test output quiet
        pass


def _error_body(error_type: str, message: str) -> dict:
    return {"type": "error", "error": {"type": error_type, "message": message}}
