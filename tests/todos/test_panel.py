"""The 📋 Tasks panel: each tab's rows for every role, the read-only viewer, the partner's
403, the row's due and pills, the topbar count, and flat query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from crm.todos.models import Task
from tests.factories import JobFactory, LeadFactory
from tests.todos.panel_support import HTMX, noon_in_new_york, signed_in  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon_in_new_york")]
HOUR = datetime.timedelta(hours=1)


def panel(client, user, tab: str = "") -> str:
    url = reverse("todos:panel") + (f"?tab={tab}" if tab else "")
    response = signed_in(client, user).get(url, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def board(people, garage, sliding, make_task):
    """Dana's own task, a Garage office task, Tom's own task, and a Sliding office task."""
    now = timezone.now()
    return {
        "own": make_task(
            title="Call Mrs. Diaz back", assignee_user=people["agent"], due_at=now + HOUR
        ),
        "office": make_task(
            title="Check overnight leads",
            assignee_user=None,
            assignee_office=garage,
            office=garage,
            due_at=now - 3 * HOUR,
        ),
        "teammate": make_task(title="Tom's quote", assignee_user=people["teammate"]),
        "sliding": make_task(
            title="Sliding inventory",
            assignee_user=None,
            assignee_office=sliding,
            office=sliding,
        ),
    }


def test_my_tasks_is_the_default_tab_with_the_overdue_office_task_first(client, people, board):
    html = panel(client, people["agent"])

    assert '<a class="tasks-tab is-active"' in html and ">My Tasks</a>" in html
    assert html.index("Check overnight leads") < html.index("Call Mrs. Diaz back")
    assert "Tom's quote" not in html.replace("&#x27;", "'")
    assert "Sliding inventory" not in html
    assert "3 h overdue" in html and "task-due--overdue" in html
    assert "in 1 h · Today 1:00 PM ET" in html
    assert "3 h overdue · Today 9:00 AM ET" in html
    assert "👤 " + people["agent"].full_name in html
    assert "🏢 Garage" in html


def test_my_office_leaves_out_tasks_for_a_person(client, people, board):
    html = panel(client, people["agent"], "office")
    assert "Check overnight leads" in html
    assert "Call Mrs. Diaz back" not in html


@pytest.mark.parametrize("role", ["agent", "viewer"])
def test_roles_without_view_all_get_no_all_tab_and_fall_back_to_my_tasks(
    client, people, board, role
):
    html = panel(client, people[role], "all")
    assert ">All</a>" not in html
    assert "Tom&#x27;s quote" not in html


@pytest.mark.parametrize("role", ["admin", "finance"])
def test_an_admins_all_tab_stays_inside_her_offices(client, people, board, role):
    html = panel(client, people[role], "all")
    assert "Tom&#x27;s quote" in html
    assert "Call Mrs. Diaz back" in html
    assert "Sliding inventory" not in html


def test_the_owners_all_tab_is_everything(client, people, board):
    html = panel(client, people["owner"], "all")
    for task in board.values():
        assert task.title.replace("'", "&#x27;") in html


def test_a_viewer_reads_her_tasks_without_new_checkboxes_or_edit(client, people, board):
    html = panel(client, people["viewer"])
    assert "Check overnight leads" in html
    assert "Read-only" in html
    assert "+ New" not in html
    assert 'type="checkbox"' not in html
    assert "✏️" not in html


def test_a_viewer_cannot_tick_a_task_done(client, people, board):
    response = signed_in(client, people["viewer"]).post(
        reverse("todos:done", args=[board["office"].pk]), headers=HTMX
    )
    assert response.status_code == 403
    board["office"].refresh_from_db()
    assert board["office"].done_at is None


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("todos:panel", []),
        ("todos:rows", []),
        ("todos:badge", []),
        ("todos:new", []),
        ("todos:edit", [1]),
    ],
)
def test_partners_have_no_tasks_panel(client, people, name, args):
    response = signed_in(client, people["partner"]).get(reverse(name, args=args))
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["todos:done", "todos:reopen", "todos:delete"])
def test_partners_cannot_post_to_tasks(client, people, board, name):
    response = signed_in(client, people["partner"]).post(reverse(name, args=[board["own"].pk]))
    assert response.status_code == 403


def test_the_topbar_has_the_tasks_button_with_its_badge_for_staff_only(client, people):
    page = signed_in(client, people["agent"]).get(reverse("todos:panel"))
    assertContains(page, "📋 Tasks")
    assertContains(page, f'hx-get="{reverse("todos:badge")}"')
    partner_home = signed_in(client, people["partner"]).get(reverse("leads:dashboard"))
    assertNotContains(partner_home, "📋 Tasks")


def test_the_panel_has_a_page_of_its_own_without_htmx(client, people, board):
    response = signed_in(client, people["agent"]).get(reverse("todos:panel"))
    assertContains(response, "<title>Tasks — BookBack</title>", html=False)
    assertContains(response, "Call Mrs. Diaz back")


def test_the_badge_counts_my_open_tasks_due_today_or_overdue(client, people, board):
    response = signed_in(client, people["agent"]).get(reverse("todos:badge"), headers=HTMX)
    count = Task.objects.my_tasks(people["agent"]).open().count()
    title = f"{count} tasks due today or overdue"
    assertContains(response, f'<span class="count-badge" title="{title}">{count}</span>')


def test_the_badge_is_empty_without_tasks(client, people):
    response = signed_in(client, people["sliding_agent"]).get(reverse("todos:badge"))
    assert response.content.decode().strip() == ""


def test_a_linked_lead_and_job_show_as_pills_opening_their_detail_panels(
    client, people, garage, make_task
):
    lead = LeadFactory(office=garage)
    job = JobFactory(office=garage)
    make_task(title="Quote follow-up", assignee_user=people["agent"], lead=lead, office=garage)
    make_task(title="Confirm the tech", assignee_user=people["agent"], job=job, office=garage)
    html = panel(client, people["agent"])
    lead_url = reverse("leads:detail", args=[lead.pk])
    job_url = reverse("jobs:detail", args=[job.pk])
    assert f'hx-get="{lead_url}" hx-target="#right-panel-body" data-open-right' in html
    assert f"📇 {lead.display_id}" in html
    assert f'hx-get="{job_url}" hx-target="#right-panel-body" data-open-right' in html
    assert f"🛠 {job.display_id}" in html


def test_done_tasks_collapse_into_the_done_section(client, people, make_task):
    agent = people["agent"]
    make_task(title="Old chore", assignee_user=agent, done_at=timezone.now(), done_by=agent)
    html = panel(client, agent)
    done = html[html.index("<details") :]
    assert "Old chore" in done
    assert f"Done by {agent.first_name} · Today" in done
    assert "Nothing open here." in html


def test_a_long_list_shows_a_first_page_and_more_on_request(client, people, make_task):
    agent = people["agent"]
    now = timezone.now()
    for n in range(52):
        make_task(title=f"Chore {n:02d}", assignee_user=agent, due_at=now + n * HOUR)
    html = panel(client, agent)
    assert "Chore 49" in html and "Chore 50" not in html
    assert "Show more" in html
    more = signed_in(client, agent).get(reverse("todos:rows") + "?tab=mine&offset=50", headers=HTMX)
    assertContains(more, "Chore 50")
    assertContains(more, "Chore 51")
    assertNotContains(more, "Chore 49")
    assertNotContains(more, "Show more")


def _crowd(people, garage, make_task, count: int) -> None:
    lead = LeadFactory(office=garage)
    job = JobFactory(office=garage)
    now = timezone.now()
    for n in range(count):
        link = {"lead": lead} if n % 3 == 0 else {"job": job} if n % 3 == 1 else {}
        assignee = (
            {"assignee_user": people["teammate"]}
            if n % 2
            else {"assignee_user": None, "assignee_office": garage}
        )
        done = {"done_at": now, "done_by": people["agent"]} if n % 4 == 0 else {}
        make_task(due_at=now + n * HOUR, office=garage, **link, **assignee, **done)


# The user (the session is signed cookies), her offices, the open page, the Done section.
PANEL_QUERIES = 4


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("name", ["todos:panel", "todos:rows"])
def test_the_panel_and_its_rows_cost_the_same_queries_however_many_tasks(
    client, people, garage, make_task, django_assert_num_queries, count, name
):
    _crowd(people, garage, make_task, count)
    admin = signed_in(client, people["admin"])
    for tab in ("all", "office", "mine"):
        with django_assert_num_queries(PANEL_QUERIES):
            response = admin.get(reverse(name) + f"?tab={tab}", headers=HTMX)
        assert response.status_code == 200
