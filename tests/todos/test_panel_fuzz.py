"""Property: whatever a signed-in agent sends the 📋 panel (tabs, offsets, links, editor
fields), the answer is never a 5xx, and the editor stores a task exactly when it says so.
`make fuzz` runs it long."""

import json

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from crm.todos.models import Task

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

# Every unicode category but lone surrogates (a browser's form cannot send them); NUL is frequent.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["", "\x00", "²", "٣", "-1", "0", "1", "99999999999999999999999", "all", "office",
     "2026-05-01T14:30", "2026-13-45T99:99", "user", "x" * 2000]
)  # fmt: skip


@pytest.fixture
def agent(client, people):
    client.force_login(people["agent"])
    return client


@given(tab=any_text, offset=any_text, lead=any_text, job=any_text)
def test_no_tab_offset_or_link_gets_a_server_error(agent, tab, offset, lead, job):
    for url, params in (
        ("/tasks", {"tab": tab}),
        ("/tasks/rows", {"tab": tab, "offset": offset}),
        ("/tasks/new", {"lead": lead, "job": job}),
    ):
        response = agent.get(url, params, headers={"HX-Request": "true"})
        event(f"{url} answered {response.status_code}")
        assert response.status_code in (200, 404), (url, params)


@given(
    title=any_text,
    due_at=any_text,
    assign_to=any_text,
    user=any_text | st.just("me"),
    office=any_text | st.just("garage"),
    lead=any_text,
)
def test_no_editor_input_gets_a_server_error_or_a_false_success(
    agent, people, garage, title, due_at, assign_to, user, office, lead
):
    before = Task.objects.count()
    data = {
        "title": title,
        "due_at": due_at,
        "assign_to": assign_to,
        "assignee_user": people["agent"].pk if user == "me" else user,
        "assignee_office": garage.pk if office == "garage" else office,
        "lead": lead,
    }
    response = agent.post("/tasks/new", data, headers={"HX-Request": "true"})
    event(f"answered {response.status_code}")
    assert response.status_code < 500, response.content
    closed = "closeModal" in json.loads(response.headers.get("HX-Trigger", "{}"))
    assert Task.objects.count() == before + closed
