"""Outbound webhooks in real Chromium: the owner adds a Garage-only New Lead fan-out with a
Form body (CP → 🔗 Webhooks) pointing at a receiver on another port; a Garage lead posted to
/webhook/leads arrives there signed (the `standardwebhooks` verifier, with the secret the
page showed once), a Sliding lead does not; with the receiver stopped the next Garage lead
shows "retrying" on the 📜 Timeline, and once it is back ↻ Replay delivers the same
webhook-id and body."""

import re
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from django.conf import settings
from playwright.sync_api import expect
from standardwebhooks.webhooks import Webhook

from automations.webhooks.models import Delivery, DeliveryState, Endpoint
from leads.models import Lead
from tests.automations import engine_receiver
from tests.factories import lead_source

SCREENSHOTS = Path("/tmp")
WIDTH = 1366


@pytest.fixture
def receiver():
    server = engine_receiver.start()
    yield server
    engine_receiver.stop(server)  # again when the test stopped it: harmless


def post_lead(live_server, full_name: str, office: str) -> None:
    """As a partner posts one: JSON with the shared secret; the lead is made on commit."""
    response = httpx.post(
        f"{live_server.url}/webhook/leads",
        json={"full_name": full_name, "phone": "305-555-0142", "office": office},
        headers={"x-webhook-secret": settings.WEBHOOK_SECRET},
        params={"source": "facebook"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "success"


def wait_for_lead(page, full_name: str) -> Lead:
    first, last = full_name.split()
    for _ in range(50):
        lead = Lead.objects.filter(first_name=first, last_name=last).first()
        if lead is not None:
            return lead
        page.wait_for_timeout(100)
    raise AssertionError(f"no lead {full_name}")


def wait_for_requests(page, server, count: int) -> None:
    for _ in range(50):
        with server.lock:
            if len(server.received) >= count:
                return
        page.wait_for_timeout(100)
    raise AssertionError(f"the receiver got {len(server.received)} requests, not {count}")


def assert_fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"the page scrolls sideways: {width}px"


def test_an_owner_adds_a_garage_fan_out_and_replays_a_failed_delivery(
    people, sign_in, live_server, receiver
):
    lead_source("facebook")  # e2e tests flush tables: put the built-in sources back
    page = sign_in("owner@example.com")
    page.set_viewport_size({"width": WIDTH, "height": 900})

    # CP → 🔗 Webhooks → New Lead → ＋ Add fan-out.
    page.goto(f"{live_server.url}/cp")
    page.get_by_role("link", name=re.compile("Webhooks")).first.click()
    page.wait_for_url(re.compile(r"/cp/webhooks$"))
    page.locator("#slot-new_lead").get_by_role("link", name="＋ Add fan-out").click()
    expect(page.get_by_role("heading", name="＋ New fan-out")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Garage CRM")
    page.get_by_label("URL", exact=True).fill(receiver.url)
    page.get_by_role("checkbox", name="Garage", exact=True).check()
    page.get_by_label("Payload Type").select_option("form")
    page.get_by_label("Data key").fill("name")
    page.get_by_label("Data value").fill("{{FirstName}} {{LastName}}")
    page.locator("[data-add-row=data-rows]").click()
    page.get_by_label("Data key").nth(1).fill("phone")
    page.get_by_label("Data value").nth(1).click()
    page.get_by_label("＋ var").select_option("Phone")  # the picker types {{Phone}}
    expect(page.get_by_label("Data value").nth(1)).to_have_value("{{Phone}}")
    page.get_by_role("button", name="Add fan-out").click()

    page.wait_for_url(re.compile(r"/cp/webhooks(#slot-new_lead)?$"))
    expect(page.get_by_text("Fan-out Garage CRM added.")).to_be_visible()
    row = page.locator("#slot-new_lead tr", has_text="Garage CRM")
    expect(row).to_contain_text("Office: Garage")
    expect(row).to_contain_text("Form (url-encoded)")
    secret = page.locator("#webhook-secret").inner_text().strip()
    assert secret.startswith("whsec_")
    fan_out = Endpoint.objects.get(name="Garage CRM")
    assert fan_out.data == [["name", "{{FirstName}} {{LastName}}"], ["phone", "{{Phone}}"]]
    page.evaluate("window.scrollTo(0, 0)")  # the redirect's #slot-new_lead scrolled down
    expect(page.locator("#webhook-secret")).to_be_in_viewport()
    page.screenshot(path=str(SCREENSHOTS / "e2e_webhooks_endpoints.png"))
    page.locator("#slot-new_lead").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "e2e_webhooks_endpoints_new_lead.png"))
    assert_fits(page)
    page.reload()
    expect(page.locator("#webhook-secret")).to_have_count(0)  # shown once

    # A Garage lead arrives: url-encoded, rendered, signed.
    post_lead(live_server, "Ana Bell", "Garage")
    wait_for_requests(page, receiver, 1)
    path, headers, body = receiver.received[0]
    headers = {name.lower(): value for name, value in headers.items()}
    assert path == "/hook"
    assert headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert parse_qs(body.decode()) == {"name": ["Ana Bell"], "phone": ["+13055550142"]}
    Webhook(secret).verify(body, headers, json_parse=False)  # raises when the signature is bad
    assert headers["webhook-id"].startswith("msg_")

    # A Sliding lead is made but goes nowhere: no main URL, and the fan-out is Garage only.
    post_lead(live_server, "Sam Slide", "Sliding")
    wait_for_lead(page, "Sam Slide")
    assert Delivery.objects.count() == 1
    assert len(receiver.received) == 1

    # The receiver is down: the next Garage lead's first try fails and is retried.
    port = receiver.server_port
    engine_receiver.stop(receiver)
    post_lead(live_server, "Gus Gate", "Garage")
    gus = wait_for_lead(page, "Gus Gate")
    failed = Delivery.objects.get(event_name="lead.created", body__contains="Gus")
    assert failed.state == DeliveryState.RETRYING, (failed.state, failed.last_error)
    page.get_by_role("link", name="📜 Timeline").click()
    timeline_row = page.locator(f"#webhook-delivery-{failed.pk}")
    expect(timeline_row).to_contain_text("↻ retrying")
    expect(timeline_row).to_contain_text(re.compile(r"attempt 1 of 10, next "))
    expect(timeline_row).to_contain_text("fan-out “Garage CRM”")
    timeline_row.locator("summary").click()
    expect(timeline_row.locator("pre.payload")).to_contain_text("name=Gus+Gate")
    page.screenshot(path=str(SCREENSHOTS / "e2e_webhooks_timeline_retrying.png"))
    assert_fits(page)

    # Back on the same port: ↻ Replay sends the same webhook-id and body, now delivered.
    restarted = engine_receiver.start(port=port)
    try:
        timeline_row.get_by_role("button", name="↻ Replay").click()
        expect(page.get_by_text(f"Delivery #{failed.pk} replayed")).to_be_visible()
        timeline_row = page.locator(f"#webhook-delivery-{failed.pk}")
        expect(timeline_row).to_contain_text("✓ delivered")
        expect(timeline_row).to_contain_text("HTTP 200")
        wait_for_requests(page, restarted, 1)
        _, replay_headers, replay_body = restarted.received[0]
        replay_headers = {name.lower(): value for name, value in replay_headers.items()}
        assert replay_headers["webhook-id"] == failed.webhook_id
        assert replay_body == failed.body.encode()
        assert parse_qs(replay_body.decode()) == {
            "name": ["Gus Gate"],
            "phone": [gus.phone],
        }
        Webhook(secret).verify(replay_body, replay_headers, json_parse=False)
        assert len(restarted.received) == 1
    finally:
        engine_receiver.stop(restarted)
    page.screenshot(path=str(SCREENSHOTS / "e2e_webhooks_timeline.png"))
    assert_fits(page)

    # 📊 Dashboard: two deliveries to the receiver's URL, one failed try.
    page.get_by_role("link", name="📊 Dashboard").click()
    expect(page.get_by_role("link", name="📊 Dashboard")).to_have_attribute("aria-current", "page")
    destination = page.locator(".webhook-dashboard tr", has_text=receiver.url)
    expect(destination.locator("td")).to_have_text([re.compile("New Lead"), "2", "1"])
    fired = page.locator(".webhook-dashboard tr", has_text="New Lead Webhook URL").first
    expect(fired.locator("td")).to_have_text(["New Lead Webhook URL", "2"])  # not the Sliding one
    page.screenshot(path=str(SCREENSHOTS / "e2e_webhooks_dashboard.png"))
    assert_fits(page)
    assert Delivery.objects.filter(state=DeliveryState.DELIVERED).count() == 2
