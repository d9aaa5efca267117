"""📋 Tasks in Chromium: a task made from a lead for the Garage office lights both Garage
agents' badges; the second one ticks it Done, the lead's timeline says so, and the first
one's badge goes out without a reload. Screenshots of every tab and of the editor."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from crm.accounts.models import Office, Role
from crm.dateranges import business_now
from tests.factories import JobFactory, LeadFactory, UserFactory
from tests.todos.conftest import TaskFactory

SHOTS = Path("/work/plan/shots")
VIEWPORT = {"width": 1366, "height": 900}
TITLE = "Call Carmen about the quote"


@pytest.fixture
def garage_lead(people):
    garage = Office.objects.get(name="Garage")
    UserFactory(email="gina@example.com", first_name="Gina", role=Role.AGENT, offices=[garage])
    return LeadFactory(office=garage, first_name="Carmen", last_name="Diaz")


def due_in_an_hour() -> str:
    """The picker's value an hour from now in New York, kept inside today (a run at
    11:30 PM) so that the badge, which counts today's and overdue tasks, lights up."""
    now = business_now()
    due = min(now + datetime.timedelta(hours=1), now.replace(hour=23, minute=59))
    return f"{due:%Y-%m-%dT%H:%M}"


def signed_in_page(browser, live_server, email: str):
    """A second person's browser, signed in through a session made on the server."""
    client = Client()
    client.force_login(UserFactory._meta.model.objects.get(email=email))
    context = browser.new_context(viewport=VIEWPORT)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return context.new_page()


def test_an_office_task_from_a_lead_is_finished_by_a_teammate_live(
    garage_lead, sign_in, browser, live_server
):
    page = sign_in("agent@example.com")  # Omri, Garage
    page.set_viewport_size(VIEWPORT)
    page.goto(f"{live_server.url}/leads")
    page.locator("tr.lead-row", has_text="Carmen Diaz").click()
    lead_panel = page.locator("#right-panel")
    expect(lead_panel).to_have_class("panel-right is-open")
    lead_panel.get_by_role("button", name="New task").click()

    modal = page.locator("#modal")
    expect(modal).to_contain_text(f"📇 {garage_lead.display_id} Carmen Diaz")
    modal.get_by_label("Title").fill(TITLE)
    modal.get_by_label("Due Date & Time").fill(due_in_an_hour())
    modal.get_by_role("radio", name="Office").check()
    expect(modal.get_by_role("combobox", name="User")).to_be_hidden()
    modal.get_by_role("combobox", name="Office").select_option(label="Garage")
    modal.get_by_role("button", name="Create task").click()
    expect(modal).to_have_class("modal-backdrop")
    expect(page.locator("#toasts")).to_contain_text(f'Task "{TITLE}" created.')
    expect(lead_panel).to_contain_text(f'📋 Task created: "{TITLE}"')  # reloaded in place

    tasks_button = page.get_by_role("link", name="📋 Tasks")
    expect(tasks_button.locator(".count-badge")).to_have_text("1")

    gina = signed_in_page(browser, live_server, "gina@example.com")
    gina.goto(f"{live_server.url}/leads")
    her_button = gina.get_by_role("link", name="📋 Tasks")
    expect(her_button.locator(".count-badge")).to_have_text("1")
    her_button.click()
    panel = gina.locator("#left-panel")
    expect(panel).to_have_class("panel-left is-open")
    row = panel.locator(".task-row", has_text=TITLE)
    expect(row).to_contain_text("🏢 Garage")
    expect(row).to_contain_text(" ET")
    expect(panel.locator(".tasks-tab.is-active")).to_have_text("My Tasks")

    row.get_by_role("checkbox", name=f"Done: {TITLE}").check()
    done = panel.locator("details.tasks-done")
    expect(done).to_contain_text("Done by Gina")
    expect(panel).to_contain_text("Nothing open here.")
    expect(her_button.locator(".count-badge")).to_have_count(0)

    done.locator("summary").click()
    done.get_by_role("link", name=f"📇 {garage_lead.display_id}").click()
    her_lead_panel = gina.locator("#right-panel")
    expect(her_lead_panel).to_have_class("panel-right is-open")
    expect(her_lead_panel).to_contain_text(f'✅ Task completed: "{TITLE}"')
    expect(her_lead_panel).to_contain_text(f'📋 Task created: "{TITLE}"')

    # Omri's page polls the live-sync stamp: the badge goes out without a reload.
    expect(tasks_button.locator(".count-badge")).to_have_count(0, timeout=8_000)
    expect(tasks_button).not_to_have_css("animation-name", "pulse")


@pytest.fixture
def busy_day(people):
    """Tasks of every kind for the screenshots: overdue, later today, next week, linked to
    a lead and a job, an office's, long titles, done ones."""
    garage = Office.objects.get(name="Garage")
    sliding = Office.objects.get(name="Sliding")
    agent, admin = people[Role.AGENT], people[Role.ADMIN]
    lead = LeadFactory(office=garage, first_name="Carmen", last_name="Diaz")
    job = JobFactory(office=garage)
    now = timezone.now()
    hours = datetime.timedelta(hours=1)
    TaskFactory(
        title="Check overnight leads",
        assignee_user=None,
        assignee_office=garage,
        office=garage,
        due_at=now - 5 * hours,
    )
    TaskFactory(
        title="Call Mrs. Diaz back about the garage door spring quote she asked for "
        "on Tuesday and the opener install",
        assignee_user=agent,
        lead=lead,
        office=garage,
        due_at=now - 30 * datetime.timedelta(minutes=1),
        description="She prefers texts after 5 PM; mention the weekend discount.",
    )
    TaskFactory(
        title="Confirm the technician for tomorrow",
        assignee_user=agent,
        job=job,
        office=garage,
        due_at=now + 2 * hours,
    )
    TaskFactory(title="Review unpaid contractors", assignee_user=admin, due_at=now + 50 * hours)
    TaskFactory(
        title="Restock the Sliding van",
        assignee_user=None,
        assignee_office=sliding,
        office=sliding,
        due_at=now + 3 * hours,
    )
    TaskFactory(
        title="Send the Monday report",
        assignee_user=agent,
        due_at=now - 26 * hours,
        done_at=now - hours,
        done_by=agent,
    )


def fits(page, selector: str) -> bool:
    """Nothing in `selector` scrolls sideways or reaches past the 1366 px window."""
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector);
            const inside = [box, ...box.querySelectorAll("*")];
            return box.scrollWidth <= box.clientWidth
                && inside.every((el) => el.getBoundingClientRect().right <= window.innerWidth);
        }""",
        selector,
    )


def test_screenshots_of_each_tab_and_the_editor_fit_1366(busy_day, sign_in, live_server):
    page = sign_in("owner@example.com")
    page.set_viewport_size(VIEWPORT)
    page.goto(f"{live_server.url}/leads")
    page.get_by_role("link", name="📋 Tasks").click()
    panel = page.locator("#left-panel")
    expect(panel).to_have_class("panel-left is-open")
    for tab, name in [("My Tasks", "mine"), ("My Office", "office"), ("All", "all")]:
        panel.get_by_role("link", name=tab, exact=True).click()
        expect(panel.locator(".tasks-tab.is-active")).to_have_text(tab)
        if name == "all":
            expect(panel).to_contain_text("Restock the Sliding van")
            panel.locator("details.tasks-done summary").click()
        page.screenshot(path=str(SHOTS / f"tasks-panel-{name}.png"))
        assert fits(page, "#left-panel .tasks-scroll")
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    overdue = panel.locator(".task-row.is-overdue").first
    expect(overdue.locator(".task-due--overdue")).to_contain_text("overdue")

    page.goto(f"{live_server.url}/tasks?tab=all")  # the panel's page of its own
    expect(page.locator("main .tasks-tab.is-active")).to_have_text("All")
    page.screenshot(path=str(SHOTS / "tasks-page.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]

    page.locator("main").get_by_role("link", name="+ New").click()
    modal = page.locator("#modal")
    modal.get_by_role("button", name="Create task").click()  # empty: the errors show inline
    expect(modal).to_contain_text("Give the task a title.")
    page.screenshot(path=str(SHOTS / "tasks-editor.png"))
    assert fits(page, "#modal-body")

    # Typed, then an outside click asks first; dismissing keeps the editor open.
    modal.get_by_label("Title").fill("Half-typed")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.mouse.click(5, 450)
    expect(modal).to_have_class("modal-backdrop is-open")
    expect(modal.get_by_label("Title")).to_have_value("Half-typed")
