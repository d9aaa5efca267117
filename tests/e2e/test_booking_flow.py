"""The booking widget in real Chromium, embedded by a customer's website: a page served
from another port (and another site: 127.0.0.1, while the CRM is on localhost) frames
/book/sliding?inline=1 and a customer books through its three steps."""

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect

from booking import demo as booking_demo
from booking.models import Embed
from crm.accounts.models import Office, Role
from leads.models import Lead
from tests.factories import UserFactory, lead_source

SCREENSHOTS = Path("/tmp")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def sliding_embed(people):
    lead_source("online_booking")  # e2e tests flush tables: put the built-in sources back
    booking_demo.seed_embeds(people[Role.OWNER])
    return Embed.objects.get(slug="sliding")


@pytest.fixture
def website(tmp_path):
    """A customer's website on its own server; `website(html)` → its URL."""
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(tmp_path))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def publish(body: str, name: str = "index.html") -> str:
        (tmp_path / name).write_text(
            "<!doctype html><html><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<title>Sliding Door Pros</title></head>"
            "<body style='font-family:sans-serif;margin:0;padding:16px;background:#eef2f7'>"
            f"<h1 style='margin:0 0 12px'>Sliding Door Pros</h1>{body}</body></html>"
        )
        return f"http://127.0.0.1:{server.server_port}/{name}"

    yield publish
    server.shutdown()
    server.server_close()


def iframe(src: str) -> str:
    return (
        f'<iframe id="booking" src="{src}" style="width:100%;max-width:540px;height:760px;'
        'border:none" title="Book an appointment"></iframe>'
    )


def pick_first_window(frame):
    """The first open window: today's if any are left, else a later day's or week's."""
    for _ in range(3):
        windows = frame.locator(".bk-window")
        if windows.count():
            windows.first.click()
            return
        frame.get_by_role("button", name="Next week").click()
        expect(frame.get_by_role("heading", name="Pick a date & time")).to_be_visible()
    raise AssertionError("no bookable window in three weeks")


def test_a_customer_books_inside_an_iframe_on_another_site_and_the_agent_sees_the_lead(
    sliding_embed, website, live_server, sign_in, browser
):
    sliding = Office.objects.get(name="Sliding")
    UserFactory(email="sliding-agent@example.com", role=Role.AGENT, offices=[sliding])
    agent_page = sign_in("sliding-agent@example.com")
    agent_page.goto(f"{live_server.url}/leads")
    expect(agent_page.locator("tr.lead-row")).to_have_count(0)

    host = website(iframe(f"{live_server.url}/book/sliding?inline=1&utm_source=google"))
    customer = browser.new_context(viewport={"width": 390, "height": 900})
    page = customer.new_page()
    swaps = []
    page.on(
        "request",
        lambda request: (
            swaps.append(request.url) if request.headers.get("hx-request") == "true" else None
        ),
    )
    page.goto(host)
    frame = page.frame_locator("#booking")

    # Step 1: Service.
    expect(frame.get_by_role("heading", name="What can we help with?")).to_be_visible()
    frame.get_by_role("button", name="Sliding door repair").click()
    # Step 2: Date & Time, swapped in place (no page load), focus on the new heading.
    heading = frame.get_by_role("heading", name="Pick a date & time")
    expect(heading).to_be_focused()
    pick_first_window(frame)
    # Step 3: Your Info. A bad phone comes back with its message, entries kept.
    expect(frame.get_by_role("heading", name="Your info")).to_be_visible()
    frame.get_by_label("First name").fill("Maria")
    frame.get_by_label("Last name").fill("Lopez")
    frame.get_by_label("Phone").fill("123")
    frame.get_by_role("button", name="Book appointment").click()
    expect(frame.get_by_text("Enter a valid US phone number")).to_be_visible()
    expect(frame.get_by_label("First name")).to_have_value("Maria")
    frame.get_by_label("Phone").fill("(305) 555-0142")
    frame.get_by_label("Address").fill("100 Biscayne Blvd, Miami, FL 33132")
    frame.get_by_role("button", name="Book appointment").click()
    expect(frame.get_by_role("heading", name="Thank you!")).to_be_visible()
    assert page.url == host  # the host page never moved
    assert len(swaps) >= 4 and all("/book/sliding" in url for url in swaps)

    lead = Lead.objects.get()
    assert (lead.first_name, lead.phone, lead.office, lead.source.key) == (
        "Maria",
        "+13055550142",
        sliding,
        "online_booking",
    )
    assert "utm_source=google" in lead.notes
    assert f"Referrer: {host.rsplit('/', 1)[0]}/" in lead.notes  # the host page's origin
    assert "Requested window: " in lead.notes and lead.zip_code == "33132"

    # The agent's open dashboard shows it without a reload.
    row = agent_page.locator("tr.lead-row").first
    expect(row).to_contain_text("Maria Lopez", timeout=10_000)
    expect(row).to_contain_text("Online Booking Tool")
    customer.close()


def test_a_whitelist_keeps_the_widget_off_other_sites(sliding_embed, website, live_server, page):
    Embed.objects.filter(pk=sliding_embed.pk).update(allowed_domains="slidingpros.example")
    page.goto(website(iframe(f"{live_server.url}/book/sliding?inline=1")))
    frame = page.frame_locator("#booking")
    expect(frame.get_by_role("heading", name="What can we help with?")).to_have_count(0)
    # The listed site itself is let in: the header names it.
    response = page.request.get(f"{live_server.url}/book/sliding?inline=1")
    assert response.headers["content-security-policy"] == (
        "frame-ancestors 'self' slidingpros.example"
    )


def test_redirect_mode_sends_the_host_page_to_the_thank_you_page(
    sliding_embed, website, live_server, page
):
    thanks = website("<p id='done'>Thanks for booking with us!</p>", name="thanks.html")
    Embed.objects.filter(pk=sliding_embed.pk).update(
        confirmation="redirect", redirect_url=thanks, thank_you_message=""
    )
    page.goto(website(iframe(f"{live_server.url}/book/sliding?inline=1")))
    frame = page.frame_locator("#booking")
    frame.get_by_role("button", name="Screen door replacement").click()
    pick_first_window(frame)
    frame.get_by_label("First name").fill("Ann")
    frame.get_by_label("Phone").fill("3055550199")
    frame.get_by_role("button", name="Book appointment").click()
    page.wait_for_url(thanks)  # the top window, not just the frame
    expect(page.locator("#done")).to_be_visible()
    assert Lead.objects.get().first_name == "Ann"


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_of_the_widget_at_phone_and_desktop_widths(
    sliding_embed, website, live_server, browser, width
):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()

    def no_sideways_scroll():
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.goto(f"{live_server.url}/book/sliding")
    no_sideways_scroll()
    page.screenshot(path=SCREENSHOTS / f"booking-{width}-1-service.png", full_page=True)
    page.get_by_role("button", name="Sliding door repair").click()
    expect(page.get_by_role("heading", name="Pick a date & time")).to_be_visible()
    no_sideways_scroll()
    page.screenshot(path=SCREENSHOTS / f"booking-{width}-2-datetime.png", full_page=True)
    pick_first_window(page)
    page.get_by_label("First name").fill("Maria")
    page.get_by_label("Phone").fill("123")
    page.get_by_role("button", name="Book appointment").click()
    expect(page.get_by_text("Enter a valid US phone number")).to_be_visible()
    no_sideways_scroll()
    page.screenshot(path=SCREENSHOTS / f"booking-{width}-3-info-errors.png", full_page=True)
    page.get_by_label("Phone").fill("(305) 555-0142")
    page.get_by_role("button", name="Book appointment").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / f"booking-{width}-4-thanks.png", full_page=True)

    page.goto(website(iframe(f"{live_server.url}/book/sliding?inline=1&utm_source=google")))
    frame = page.frame_locator("#booking")
    frame.get_by_role("button", name="Sliding door repair").click()
    expect(frame.get_by_role("heading", name="Pick a date & time")).to_be_visible()
    no_sideways_scroll()
    page.screenshot(path=SCREENSHOTS / f"booking-{width}-inline.png", full_page=True)
    context.close()
