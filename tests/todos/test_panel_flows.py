"""The 📋 Tasks panel's HTMX flows: + New (alone, from a lead, from a job), edit, delete,
the Done checkbox and re-open, and what each refuses."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from crm.timeline.models import TimelineEntry
from crm.todos import services
from crm.todos.models import Task
from tests.factories import JobFactory, LeadFactory
from tests.todos.panel_support import HTMX, noon_in_new_york, signed_in  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon_in_new_york")]


def timeline_lines(record) -> list[str]:
    return [entry.body for entry in TimelineEntry.objects.for_subject(record)]


def new_task(client, **fields):
    data = {"title": "Call Mrs. Diaz back", "due_at": "2026-05-01T14:30", **fields}
    return client.post(reverse("todos:new"), data, headers=HTMX)


def test_an_agent_creates_an_office_task_and_the_editor_closes(client, people, garage):
    agent = signed_in(client, people["agent"])
    response = new_task(agent, assign_to="office", assignee_office=garage.pk)

    assert response.status_code == 200 and response["HX-Reswap"] == "none"
    events = json.loads(response["HX-Trigger"])
    assert events == {"bookback:changed": {}, "closeModal": {}}
    toast = json.loads(response["HX-Trigger-After-Settle"])["toast"]
    assert toast == {"text": 'Task "Call Mrs. Diaz back" created.', "level": "success"}
    task = Task.objects.get()
    assert (task.assignee_office, task.assignee_user, task.created_by) == (
        garage,
        None,
        people["agent"],
    )
    assert task.due_at == datetime.datetime(2026, 5, 1, 18, 30, tzinfo=datetime.UTC)


def test_the_editor_offers_her_offices_and_the_people_who_share_them(client, people):
    response = signed_in(client, people["agent"]).get(reverse("todos:new"), headers=HTMX)
    assertContains(response, "📋 New task")
    assertContains(response, 'data-dirty-confirm="Close without saving?"')
    assertContains(response, 'type="datetime-local"')
    assertContains(response, "New York time (ET).")
    assertContains(response, people["teammate"].full_name)
    assertContains(response, ">Garage</option>")
    assertNotContains(response, people["sliding_agent"].full_name)
    assertNotContains(response, ">Sliding</option>")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Give the task a title."),
        ({"due_at": "tomorrow at 3"}, "Enter a date and time like 2026-05-01 14:30."),
        ({"assign_to": "office"}, "Pick an office."),
    ],
)
def test_bad_input_is_refused_inline_and_saves_nothing(client, people, fields, message):
    agent = signed_in(client, people["agent"])
    response = new_task(
        agent, **{"assign_to": "user", "assignee_user": people["agent"].pk, **fields}
    )
    assert response.status_code == 200
    assertContains(response, message)
    assertContains(response, "📋 New task")
    assertContains(response, "New York time (ET).")
    assert not Task.objects.exists()


def test_a_person_outside_her_offices_is_refused_inline(client, people):
    agent = signed_in(client, people["agent"])
    response = new_task(agent, assign_to="user", assignee_user=people["sliding_agent"].pk)
    assertContains(response, "Select a valid choice.")
    assert not Task.objects.exists()


def test_from_a_lead_the_editor_is_linked_and_the_lead_gets_its_timeline_line(
    client, people, garage
):
    lead = LeadFactory(office=garage, first_name="Carmen", last_name="Diaz")
    agent = signed_in(client, people["agent"])
    editor = agent.get(reverse("todos:new") + f"?lead={lead.pk}", headers=HTMX)
    assertContains(editor, f"📇 {lead.display_id}</span> Carmen Diaz")
    assertContains(editor, f'name="lead" value="{lead.pk}"')

    response = new_task(agent, assign_to="office", assignee_office=garage.pk, lead=lead.pk)

    # The lead's panel, if it is the one open, reloads to show the new timeline line.
    url = reverse("leads:detail", args=[lead.pk])
    changed = {"kind": "lead", "id": lead.pk, "url": url}
    assert json.loads(response["HX-Trigger"])["taskRecordChanged"] == changed
    task = Task.objects.get()
    assert task.lead == lead
    assert '📋 Task created: "Call Mrs. Diaz back"' in timeline_lines(lead)


def test_from_a_job_the_editor_is_linked(client, people, garage):
    job = JobFactory(office=garage)
    agent = signed_in(client, people["agent"])
    editor = agent.get(reverse("todos:new") + f"?job={job.pk}", headers=HTMX)
    assertContains(editor, f"🛠 {job.display_id}</span>")
    new_task(agent, assign_to="user", assignee_user=people["agent"].pk, job=job.pk)
    assert Task.objects.get().job == job


@pytest.mark.parametrize("kind", ["lead", "job"])
def test_linking_to_a_record_of_another_office_is_not_found_and_saves_nothing(
    client, people, sliding, kind
):
    record = LeadFactory(office=sliding) if kind == "lead" else JobFactory(office=sliding)
    agent = signed_in(client, people["agent"])
    assert agent.get(reverse("todos:new") + f"?{kind}={record.pk}").status_code == 404
    response = new_task(
        agent, assign_to="user", assignee_user=people["agent"].pk, **{kind: record.pk}
    )
    assert response.status_code == 404
    assert not Task.objects.exists()


def test_the_lead_panel_has_the_task_button_for_those_who_create_tasks(client, people, garage):
    lead = LeadFactory(office=garage)
    url = reverse("leads:detail", args=[lead.pk])
    button = f'hx-get="{reverse("todos:new")}?lead={lead.pk}"'
    assertContains(signed_in(client, people["agent"]).get(url, headers=HTMX), button)
    assertNotContains(signed_in(client, people["viewer"]).get(url, headers=HTMX), button)


def test_the_job_detail_has_the_plus_task_button(client, people, garage):
    job = JobFactory(office=garage)
    response = signed_in(client, people["admin"]).get(reverse("jobs:detail", args=[job.pk]))
    assertContains(response, f'hx-get="{reverse("todos:new")}?job={job.pk}"')
    assertContains(response, "📋 + Task</button>")


@pytest.fixture
def office_task(people, garage, make_task):
    lead = LeadFactory(office=garage)
    return make_task(
        title="Check overnight leads",
        assignee_user=None,
        assignee_office=garage,
        office=garage,
        lead=lead,
        created_by=people["agent"],
    )


def tick(client, task, name="todos:done"):
    return client.post(reverse(name, args=[task.pk]), {"tab": "mine"}, headers=HTMX)


def test_a_teammate_ticks_an_office_task_done_and_it_moves_to_done(client, people, office_task):
    response = tick(signed_in(client, people["teammate"]), office_task)

    html = response.content.decode()
    assert "Nothing open here." in html
    done = html[html.index("<details") :]
    assert "Check overnight leads" in done
    assert "Done by Tom · Today 12:00 PM ET" in done
    assert json.loads(response["HX-Trigger"]) == {
        "bookback:panel-changed": {},
        "taskRecordChanged": {
            "kind": "lead",
            "id": office_task.lead_id,
            "url": reverse("leads:detail", args=[office_task.lead_id]),
        },
    }
    office_task.refresh_from_db()
    assert office_task.done_by == people["teammate"]
    assert '✅ Task completed: "Check overnight leads"' in timeline_lines(office_task.lead)


def test_a_second_done_shows_who_was_first_in_the_row_and_changes_nothing(
    client, people, office_task
):
    services.complete_task(people["teammate"], office_task.pk)
    response = tick(signed_in(client, people["agent"]), office_task)

    assert response.status_code == 200
    assertContains(response, "Already done by Tom at 12:00 PM ET")
    assert "HX-Trigger" not in response
    office_task.refresh_from_db()
    assert office_task.done_by == people["teammate"]


def test_re_open_puts_the_task_back_in_the_list(client, people, office_task):
    services.complete_task(people["teammate"], office_task.pk)
    response = tick(signed_in(client, people["agent"]), office_task, "todos:reopen")

    html = response.content.decode()
    assert "<details" not in html
    assert "Check overnight leads" in html
    office_task.refresh_from_db()
    assert office_task.done_at is None


def test_a_task_outside_her_scope_is_not_found(client, people, sliding, make_task):
    theirs = make_task(assignee_user=None, assignee_office=sliding, office=sliding)
    assert tick(signed_in(client, people["agent"]), theirs).status_code == 404


def test_the_creator_edits_her_task(client, people, office_task):
    agent = signed_in(client, people["agent"])
    editor = agent.get(reverse("todos:edit", args=[office_task.pk]), headers=HTMX)
    assertContains(editor, "✏️ Edit task")
    assertContains(editor, 'value="Check overnight leads"')
    assertContains(editor, 'value="2026-05-01T13:00"')  # an hour after noon, New York
    assertContains(editor, "🗑 Delete")

    data = {
        "title": "Check weekend leads",
        "due_at": "2026-05-02T09:00",
        "assign_to": "office",
        "assignee_office": office_task.assignee_office_id,
    }
    response = agent.post(reverse("todos:edit", args=[office_task.pk]), data, headers=HTMX)
    assert json.loads(response["HX-Trigger"])["closeModal"] == {}
    office_task.refresh_from_db()
    assert office_task.title == "Check weekend leads"


def test_a_teammate_who_neither_made_nor_holds_the_task_gets_no_edit_button_and_a_403(
    client, people, office_task
):
    teammate = signed_in(client, people["teammate"])
    panel = teammate.get(reverse("todos:panel"), headers=HTMX)
    assertContains(panel, "Check overnight leads")
    assertNotContains(panel, reverse("todos:edit", args=[office_task.pk]))
    assert teammate.get(reverse("todos:edit", args=[office_task.pk])).status_code == 403
    assert teammate.post(reverse("todos:delete", args=[office_task.pk])).status_code == 403
    assert Task.objects.filter(pk=office_task.pk).exists()


def test_an_admin_deletes_a_task_of_her_office(client, people, office_task):
    admin = signed_in(client, people["admin"])
    response = admin.post(reverse("todos:delete", args=[office_task.pk]), headers=HTMX)
    toast = json.loads(response["HX-Trigger-After-Settle"])["toast"]
    assert toast["text"] == 'Task "Check overnight leads" deleted.'
    assert not Task.objects.filter(pk=office_task.pk).exists()


def test_a_viewer_cannot_open_the_editor(client, people):
    assert signed_in(client, people["viewer"]).get(reverse("todos:new")).status_code == 403


def test_without_htmx_a_saved_task_lands_on_the_panel_page(client, people):
    data = {
        "title": "Plain form",
        "due_at": "2026-05-01T15:00",
        "assign_to": "user",
        "assignee_user": people["agent"].pk,
    }
    response = signed_in(client, people["agent"]).post(reverse("todos:new"), data)
    assert response.status_code == 302 and response["Location"] == reverse("todos:panel")
    assert Task.objects.get().due_at == timezone.make_aware(
        datetime.datetime(2026, 5, 1, 15, 0), datetime.timezone(datetime.timedelta(hours=-4))
    )
