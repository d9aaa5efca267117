"""🤖 AI Assistant in Chromium against the fake Anthropic: a viewer asks how many fresh
leads Garage has, watches the answer stream in, opens the tool chip; the owner finds the
conversation in the Audit log and replays it. Screenshots in /work/plan/shots (looked at)."""

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from crm.accounts.models import Office, Role
from crm.assistant import pricing
from crm.assistant.budget import business_day
from crm.assistant.client import DISABLED_MESSAGE, MODELS
from crm.assistant.models import DailySpend
from tests.assistant.conftest import fake_anthropic  # noqa: F401 — the fixture
from tests.assistant.fake_anthropic import text, tool_use
from tests.factories import LeadFactory

SHOTS = Path("/work/plan/shots")
QUESTION = "How many fresh leads does Garage have?"
ANSWER = (
    "Garage has **3** fresh leads right now.\n\n"
    "| Office | Fresh leads |\n|:--|--:|\n| Garage | 3 |\n\n"
    "All three came in today; none is claimed yet."
)


@pytest.fixture
def garage_leads(people):
    garage = Office.objects.get(name="Garage")
    people[Role.VIEWER].offices.add(garage)
    for name in ("Carmen", "Dana", "Eli"):
        LeadFactory(office=garage, first_name=name)  # Fresh
    for model in MODELS:
        pricing.price_of(model)  # the price table, as migrations seed it (flushed here)
    return garage


def shoot(page, name: str, *, full_page: bool = False):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)  # the panel's slide-in and widening settle
    page.screenshot(path=str(SHOTS / f"assistant-{name}.png"), full_page=full_page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366, name


def csp_problems(page) -> list[str]:
    found = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def test_a_viewer_asks_and_the_owner_replays(garage_leads, fake_anthropic, sign_in, live_server):  # noqa: F811
    fake_anthropic.script(
        tool_use("count_leads", {"office": "Garage", "status": "fresh"}, tool_use_id="toolu_1"),
        text(ANSWER, text_chunk_size=6, event_delay=0.08),
    )
    page = sign_in("viewer@example.com")
    problems = csp_problems(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("link", name="🤖 AI Assistant").click()
    panel = page.locator("#left-panel")
    expect(panel).to_have_class("panel-left is-open")
    expect(panel).to_contain_text("Ask about leads, jobs, contractors")

    box = panel.get_by_label("Message")
    box.fill(QUESTION)
    box.press("Enter")
    turn = panel.locator(".ai-turn").last
    expect(turn.locator(".ai-msg__bubble")).to_have_text(QUESTION)
    expect(box).to_have_value("")
    # The chip comes first, then the text arrives piece by piece (plain while streaming).
    chip = turn.locator(".ai-chip")
    expect(chip).to_contain_text("count_leads")
    streaming = turn.locator(".ai-answer.is-streaming")
    expect(streaming).to_contain_text("Garage has")
    assert "All three came in" not in streaming.inner_text()
    # Done: the server's sanitized rendering replaces the streamed text.
    answer = turn.locator(".ai-answer")
    expect(answer.locator("table")).to_be_visible(timeout=10_000)
    expect(answer.locator("strong")).to_have_text("3")
    expect(answer.locator("td").last).to_have_text("3")
    expect(answer).to_contain_text("none is claimed yet.")

    chip.locator("summary").click()
    expect(chip.locator("[data-ai-chip-input]")).to_contain_text('"office": "Garage"')
    expect(chip.locator("[data-ai-chip-output]")).to_contain_text('"count": 3')
    # The new conversation is listed, opened.
    expect(panel.locator(".ai-conversation.is-active")).to_contain_text(QUESTION)
    shoot(page, "panel")
    assert len(fake_anthropic.requests) == 2
    assert problems == []

    page.get_by_role("button", name="Sign Out").click()
    page = sign_in("owner@example.com")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/cp/assistant")
    expect(page.get_by_role("heading", name="🤖 AI Assistant")).to_be_visible()
    expect(page.locator(".pill--on")).to_contain_text("ANTHROPIC_API_KEY")
    shoot(page, "cp", full_page=True)
    page.get_by_role("link", name="📜 Audit log").click()
    row = page.locator("tr", has_text=QUESTION)
    expect(row).to_contain_text("Victor")
    expect(row).to_contain_text("Viewer")
    row.get_by_role("link", name="▶ Replay").click()
    replay_turn = page.locator(".ai-turn")
    expect(replay_turn.locator(".ai-msg__bubble")).to_have_text(QUESTION)
    expect(replay_turn.locator(".ai-answer table")).to_be_visible()
    replay_chip = replay_turn.locator(".ai-chip")
    replay_chip.locator("summary").click()
    expect(replay_chip.locator("[data-ai-chip-output]")).to_contain_text('"count": 3')
    expect(page.locator(".ai-ledger")).to_contain_text("Turn total (2 calls)")
    expect(page.locator(".ai-ledger")).to_contain_text("Sonnet 4.6")
    shoot(page, "replay")


def test_without_a_key_the_panel_says_so(people, sign_in):
    page = sign_in("viewer@example.com")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("link", name="🤖 AI Assistant").click()
    panel = page.locator("#left-panel")
    expect(panel.locator(".ai-off")).to_have_text(DISABLED_MESSAGE)
    expect(panel.get_by_label("Message")).to_have_count(0)
    shoot(page, "disabled")


def test_over_the_budget_a_toast_says_so_and_the_question_stays(
    people,
    fake_anthropic,  # noqa: F811
    sign_in,
):
    DailySpend.objects.create(user=people[Role.AGENT], day=business_day(), spent=Decimal("2"))
    page = sign_in("agent@example.com")
    page.get_by_role("link", name="🤖 AI Assistant").click()
    box = page.locator("#left-panel").get_by_label("Message")
    box.fill("How many jobs this week?")
    box.press("Enter")
    expect(page.locator(".toast--error")).to_have_text(
        "Daily AI budget reached ($2.00). It resets at midnight Eastern."
    )
    expect(box).to_have_value("How many jobs this week?")
    expect(page.locator("#left-panel .ai-turn")).to_have_count(0)
    assert fake_anthropic.requests == []


def test_partners_have_no_assistant_button(people, sign_in):
    page = sign_in("partner@example.com")
    expect(page.get_by_role("link", name="🤖 AI Assistant")).to_have_count(0)
