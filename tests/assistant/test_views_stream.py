"""POST /assistant/chat streams a turn as server-sent events, against the fake Anthropic:
the ids first, chips as the model calls tools, the text as written, the final HTML."""

import json

import pytest
from django.urls import reverse

from crm.accounts.models import Role
from crm.assistant.models import Conversation, Turn
from crm.assistant.views import StreamLock
from tests.assistant.fake_anthropic import error, text, tool_use
from tests.factories import LeadFactory, OfficeFactory, UserFactory

CHAT = "/assistant/chat"


@pytest.fixture
def viewer(db):
    garage = OfficeFactory(name="Garage")
    for name in ("Carmen", "Dana", "Eli"):
        LeadFactory(office=garage, first_name=name)  # Fresh
    return UserFactory(role=Role.VIEWER, first_name="Victor", offices=[garage])


def events_of(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    body = b"".join(response.streaming_content).decode()
    frames = [frame for frame in body.split("\n\n") if frame]
    events = []
    for frame in frames:
        name, data = frame.split("\n")
        event = json.loads(data.removeprefix("data: "))
        assert name == f"event: {event['type']}"
        events.append(event)
    return events


def test_a_turn_streams_its_chip_its_text_and_the_final_html(client, viewer, fake_anthropic):
    fake_anthropic.script(
        tool_use("count_leads", {"office": "Garage", "status": "fresh"}, tool_use_id="toolu_1"),
        text("Garage has **3** fresh leads.\n\n| Office | Fresh |\n|---|--:|\n| Garage | 3 |"),
    )
    client.force_login(viewer)
    events = events_of(client.post(CHAT, {"message": "How many fresh leads does Garage have?"}))

    kinds = [event["type"] for event in events]
    assert kinds[:3] == ["turn", "tool", "tool_result"]
    assert set(kinds[3:-1]) == {"text"} and kinds[-1] == "done"
    turn = Turn.objects.get()
    assert events[0] == {
        "type": "turn",
        "turn_id": turn.pk,
        "conversation_id": turn.conversation_id,
    }
    tool = events[1]
    assert (tool["id"], tool["name"]) == ("toolu_1", "count_leads")
    assert tool["input"] == {"office": "Garage", "status": "fresh"}
    assert tool["summary"]
    assert events[2]["id"] == "toolu_1" and not events[2]["error"]
    assert "".join(event["text"] for event in events if event["type"] == "text") == turn.answer
    done = events[-1]
    assert done["turn_id"] == turn.pk
    assert "Garage has <strong>3</strong> fresh leads." in done["html"]
    assert '<td align="right">3</td>' in done["html"]
    assert 'data-tool-id="toolu_1"' in done["html"]
    assert len(fake_anthropic.requests) == 2


def test_the_final_html_is_what_the_panel_shows_later(client, viewer, fake_anthropic):
    fake_anthropic.script(text("Three."))
    client.force_login(viewer)
    done = events_of(client.post(CHAT, {"message": "How many?"}))[-1]
    conversation = Conversation.objects.get()
    url = reverse("assistant:conversation", args=[conversation.pk])
    chat = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert done["html"].strip() in chat


def test_the_next_message_continues_the_conversation(client, viewer, fake_anthropic):
    fake_anthropic.script(text("Three."), text("Still three."))
    client.force_login(viewer)
    first = events_of(client.post(CHAT, {"message": "How many?"}))[0]
    events_of(client.post(CHAT, {"message": "And now?", "conversation": first["conversation_id"]}))
    assert Conversation.objects.count() == 1
    assert Turn.objects.filter(conversation_id=first["conversation_id"]).count() == 2
    # The second call carried the first exchange: question, answer, the new question.
    assert len(fake_anthropic.requests[1]["messages"]) == 3


def test_the_stream_frees_the_lock_when_it_ends(client, viewer, fake_anthropic):
    fake_anthropic.script(text("Three."))
    client.force_login(viewer)
    events_of(client.post(CHAT, {"message": "How many?"}))
    assert StreamLock(viewer.pk).acquire()


def test_a_browser_that_leaves_mid_stream_frees_the_lock(client, viewer, fake_anthropic):
    fake_anthropic.script(text("A long answer " * 20))
    client.force_login(viewer)
    response = client.post(CHAT, {"message": "How many?"})
    next(iter(response.streaming_content))  # the first event, then the tab closes
    assert not StreamLock(viewer.pk).acquire()
    response.close()
    assert StreamLock(viewer.pk).acquire()


def test_an_anthropic_failure_arrives_as_an_error_event(client, viewer, fake_anthropic):
    fake_anthropic.script(error(500, "api_error", "Overloaded"))
    client.force_login(viewer)
    events = events_of(client.post(CHAT, {"message": "How many?"}))
    errors = [event for event in events if event["type"] == "error"]
    assert errors and errors[0]["error"]
    assert StreamLock(viewer.pk).acquire()
