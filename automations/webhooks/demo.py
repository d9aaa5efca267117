"""Demo endpoints for `make run` (AutomationsConfig.load_demo): the New Lead and Jobs main
URLs post to the development sink (/dev/webhook-sink/<name>, DEBUG only), one New Lead
fan-out to a closed port and one to a sink that answers 410 Gone. The demo's own leads and
jobs, created in the same transaction, are handed out after it commits, so `make run`
shows all three states offline: delivered (the sink), retrying (the closed port) and dead
(410 dead-letters at once).

Loopback targets are refused unless WEBHOOK_ALLOW_PRIVATE=true: `make run` needs it set.
"""

import os

from automations.webhooks import signing
from automations.webhooks.models import Endpoint, PayloadType, Slot

CLOSED_PORT_URL = "http://127.0.0.1:9/closed-port"


def sink_url(name: str, query: str = "") -> str:
    port = os.environ.get("PORT", "8000")
    return f"http://127.0.0.1:{port}/dev/webhook-sink/{name}" + (f"?{query}" if query else "")


def seed(owner) -> list[Endpoint]:
    """The demo's endpoints (written directly: the actions refuse loopback URLs unless
    WEBHOOK_ALLOW_PRIVATE is set, and the demo is loaded before anyone sets it)."""
    made = [
        Endpoint.objects.create(
            slot=Slot.NEW_LEAD, is_main=True, url=sink_url("new-lead"), secret=signing.new_secret()
        ),
        Endpoint.objects.create(
            slot=Slot.JOBS, is_main=True, url=sink_url("jobs"), secret=signing.new_secret()
        ),
        Endpoint.objects.create(
            slot=Slot.NEW_LEAD,
            name="Closed port (demo: retrying)",
            url=CLOSED_PORT_URL,
            payload_type=PayloadType.FORM,
            data=[["name", "{{FirstName}} {{LastName}}"], ["phone", "{{Phone}}"]],
            secret=signing.new_secret(),
        ),
        Endpoint.objects.create(
            slot=Slot.NEW_LEAD,
            name="Gone receiver (demo: dead)",
            url=sink_url("gone", "status=410"),
            headers=[["X-Demo", "{{Office}}"]],
            secret=signing.new_secret(),
        ),
    ]
    return made
