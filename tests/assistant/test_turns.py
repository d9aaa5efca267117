"""A turn's tool loop against the fake Anthropic server: the ledger, costs, the model sent,
refusals before anything is called."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from crm.accounts.models import Role
from crm.assistant import services
from crm.assistant.client import DISABLED_MESSAGE
from crm.assistant.models import AICall, AIToolCall, Conversation, Turn
from crm.controlpanel.models import AppSettings
from leads.models import Status
from tests.assistant.fake_anthropic import error, text, tool_use
from tests.factories import LeadFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def garage():
    return OfficeFactory(name="Garage")


@pytest.fixture
def viewer(garage):
    return UserFactory(role=Role.VIEWER, offices=[garage], first_name="Vera")


def run(user, message="How many fresh leads does Garage have?", conversation_id=None):
    turn = services.start_turn(user, message=message, conversation_id=conversation_id)
    return turn, list(services.stream_turn(turn))


def test_a_turn_with_two_tool_calls_records_three_model_calls_and_two_tool_calls(
    fake_anthropic, viewer, garage
):
    LeadFactory.create_batch(3, office=garage, status=Status.FRESH)
    LeadFactory(office=garage, status=Status.CONVERTED)
    fake_anthropic.script(
        tool_use("count_leads", {"office": "Garage", "status": "fresh"}, tool_use_id="toolu_1",
                 preface="Let me count.", input_tokens=1200, output_tokens=40),
        tool_use("count_leads", {"office": "Garage"}, tool_use_id="toolu_2",
                 input_tokens=1300, output_tokens=30, cache_read_input_tokens=1000),
        text("Garage has **3** fresh leads out of 4.", input_tokens=1400, output_tokens=25,
             cache_creation_input_tokens=200),
    )  # fmt: skip

    turn, events = run(viewer)

    assert [event["type"] for event in events if event["type"] != "text"] == [
        "tool", "tool_result", "tool", "tool_result", "done",
    ]  # fmt: skip
    streamed = "".join(event["text"] for event in events if event["type"] == "text")
    turn.refresh_from_db()
    assert streamed == turn.answer == "Let me count.\n\nGarage has **3** fresh leads out of 4."
    assert turn.status == Turn.Status.OK and turn.finished_at is not None
    calls = list(AICall.objects.filter(turn=turn).order_by("seq"))
    assert [call.seq for call in calls] == [1, 2, 3]
    assert [(c.input_tokens, c.output_tokens) for c in calls] == [
        (1200, 40),
        (1300, 30),
        (1400, 25),
    ]
    assert [c.cache_read_tokens for c in calls] == [0, 1000, 0]
    assert [c.cache_creation_tokens for c in calls] == [0, 0, 200]
    assert [c.stop_reason for c in calls] == ["tool_use", "tool_use", "end_turn"]
    # Sonnet 4.6: $3 in, $15 out, $3.75 cache write, $0.30 cache read per million.
    assert [c.cost for c in calls] == [
        Decimal("0.004200"),  # 1200×3 + 40×15 = 4,200 µ$
        Decimal("0.004650"),  # 1300×3 + 30×15 + 1000×0.30 = 4,650
        Decimal("0.005325"),  # 1400×3 + 25×15 + 200×3.75 = 5,325
    ]
    # The exact I/O: each request is what the fake received; each response its blocks.
    assert [call.request["messages"] for call in calls] == [
        body["messages"] for body in fake_anthropic.requests
    ]
    assert calls[0].response == [
        {"type": "text", "text": "Let me count."},
        {"type": "tool_use", "id": "toolu_1", "name": "count_leads",
         "input": {"office": "Garage", "status": "fresh"}},
    ]  # fmt: skip
    tools = list(AIToolCall.objects.filter(turn=turn).order_by("seq"))
    assert [(t.call_id, t.name, t.input, t.output, t.error) for t in tools] == [
        (calls[0].pk, "count_leads", {"office": "Garage", "status": "fresh"}, {"count": 3}, ""),
        (calls[1].pk, "count_leads", {"office": "Garage"}, {"count": 4}, ""),
    ]
    # The tool results went back to the model as it asked.
    sent = fake_anthropic.requests[1]["messages"][-1]
    assert sent == {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": '{"count": 3}'}],
    }
    done = events[-1]
    assert done == {
        "type": "done",
        "turn_id": turn.pk,
        "cost": "0.014175",
        "input_tokens": 3900,
        "output_tokens": 95,
    }
    assert turn.totals == {
        "input_tokens": 3900,
        "output_tokens": 95,
        "cache_creation_tokens": 200,
        "cache_read_tokens": 1000,
        "cost": Decimal("0.014175"),
        "calls": 3,
    }
    tool_event = next(event for event in events if event["type"] == "tool")
    assert tool_event["summary"] == "count_leads · office=Garage, status=fresh"


def test_the_chosen_model_is_sent_and_priced_at_its_own_rates(fake_anthropic, viewer):
    settings_row = AppSettings.load()
    settings_row.assistant_model = "claude-haiku-4-5"
    settings_row.save()
    fake_anthropic.script(text("Hello.", input_tokens=1000, output_tokens=100))

    turn, _ = run(viewer, "Hi")

    assert fake_anthropic.requests[0]["model"] == "claude-haiku-4-5"
    assert fake_anthropic.requests[0]["stream"] is True
    # Haiku 4.5: 1000 × $1 + 100 × $5 per million.
    assert AICall.objects.get(turn=turn).cost == Decimal("0.001500")
    assert turn.conversation.model == "claude-haiku-4-5"


def test_the_api_key_from_cp_wins_over_the_environment(fake_anthropic, viewer, owner):
    services.set_api_key(owner, "sk-ant-from-cp")
    fake_anthropic.script(text("Hi."))

    run(viewer, "Hi")

    assert fake_anthropic.headers[0]["authorization"] == "Bearer sk-ant-from-cp"


def test_without_a_key_the_assistant_is_off_and_nothing_is_called(settings, viewer):
    settings.ANTHROPIC_API_KEY = ""
    with pytest.raises(services.AssistantDisabled) as refusal:
        services.start_turn(viewer, message="Hi", conversation_id=None)
    assert str(refusal.value) == DISABLED_MESSAGE
    assert not Turn.objects.exists()


def test_without_a_key_the_fake_receives_nothing(fake_anthropic, settings, viewer):
    settings.ANTHROPIC_API_KEY = ""
    with pytest.raises(services.AssistantDisabled):
        services.start_turn(viewer, message="Hi", conversation_id=None)
    assert fake_anthropic.requests == []


@pytest.mark.parametrize("message", ["", "   ", "x" * 4001])
def test_an_empty_or_over_long_message_is_refused(fake_anthropic, viewer, message):
    with pytest.raises(services.BadMessage):
        services.start_turn(viewer, message=message, conversation_id=None)
    assert not Turn.objects.exists() and fake_anthropic.requests == []


def test_a_message_of_exactly_4000_characters_is_taken(fake_anthropic, viewer):
    fake_anthropic.script(text("OK."))
    turn, _ = run(viewer, "x" * 4000)
    assert len(turn.message) == 4000


def test_a_partner_may_not_use_the_assistant(fake_anthropic):
    partner = UserFactory(role=Role.PARTNER, partner_name="GDQ")
    with pytest.raises(PermissionDenied):
        services.start_turn(partner, message="Hi", conversation_id=None)


def test_someone_elses_conversation_is_not_found(fake_anthropic, viewer, garage):
    fake_anthropic.script(text("Hi."))
    other = UserFactory(role=Role.AGENT, offices=[garage])
    turn, _ = run(other, "Hi")
    from django.http import Http404

    with pytest.raises(Http404):
        services.start_turn(viewer, message="Hi", conversation_id=turn.conversation_id)


def test_a_follow_up_carries_the_conversation_so_far(fake_anthropic, viewer):
    fake_anthropic.script(text("There are 3."), text("Yes, 3."))
    first, _ = run(viewer, "How many fresh leads?")
    second, _ = run(viewer, "Are you sure?", conversation_id=first.conversation_id)

    assert second.conversation_id == first.conversation_id
    assert fake_anthropic.requests[1]["messages"] == [
        {"role": "user", "content": "How many fresh leads?"},
        {"role": "assistant", "content": "There are 3."},
        {"role": "user", "content": "Are you sure?"},
    ]
    conversation = Conversation.objects.get()
    assert conversation.title == "How many fresh leads?"
    assert list(services.user_conversations(viewer)) == [conversation]


def test_a_malformed_tool_input_goes_back_to_the_model_as_an_error(fake_anthropic, viewer):
    fake_anthropic.script(
        tool_use("count_leads", {"start_date": "last tuesday", "colour": 3}, tool_use_id="t1"),
        tool_use("list_jobs", {"status": "bogus"}, tool_use_id="t2"),
        tool_use("no_such_tool", {}, tool_use_id="t3"),
        text("Sorry, I could not read that date."),
    )
    turn, events = run(viewer, "Leads since last tuesday?")

    results = [event for event in events if event["type"] == "tool_result"]
    assert [result["error"] for result in results] == [
        "Unknown input colour. Use: office, status, source, urgency, start_date, end_date.",
        "Unknown status 'bogus'. Use one of: submitted, in_progress, deposit, pending, done, "
        "cancelled.",
        "There is no tool named 'no_such_tool'.",
    ]
    assert fake_anthropic.requests[1]["messages"][-1]["content"][0]["is_error"] is True
    turn.refresh_from_db()
    assert turn.status == Turn.Status.OK
    assert turn.answer == "Sorry, I could not read that date."


def test_a_bad_date_is_a_tool_error(fake_anthropic, viewer):
    fake_anthropic.script(
        tool_use("count_leads", {"start_date": "last tuesday"}, tool_use_id="t1"), text("Hm.")
    )
    _, events = run(viewer, "Leads since last tuesday?")
    result = next(event for event in events if event["type"] == "tool_result")
    assert result["error"] == (
        "start_date 'last tuesday' is not a date: use YYYY-MM-DD, a day in America/New_York."
    )


def test_an_api_error_ends_the_turn_with_a_502_event_and_is_recorded(fake_anthropic, viewer):
    fake_anthropic.script(error(400, "invalid_request_error", "prompt is too long"))
    turn, events = run(viewer, "Hi")
    assert events[-1]["type"] == "error" and events[-1]["status"] == 502
    assert "prompt is too long" in events[-1]["error"]
    turn.refresh_from_db()
    assert turn.status == Turn.Status.ERROR
    call = AICall.objects.get(turn=turn)
    assert "prompt is too long" in call.error and call.cost == 0


def test_the_loop_stops_asking_for_tools_at_its_last_step(fake_anthropic, viewer):
    from crm.assistant.runner import MAX_STEPS

    asks = [tool_use("count_leads", {}, tool_use_id=f"t{n}") for n in range(MAX_STEPS - 1)]
    fake_anthropic.script(*asks, text("Done."))
    turn, _ = run(viewer, "Count again and again")
    assert len(fake_anthropic.requests) == MAX_STEPS
    assert fake_anthropic.requests[-1]["tool_choice"] == {"type": "none"}
    assert "tool_choice" not in fake_anthropic.requests[0]
    assert AICall.objects.filter(turn=turn).count() == MAX_STEPS


def test_a_reply_cut_short_keeps_what_was_said_and_its_held_cost(fake_anthropic, viewer):
    from crm.assistant.models import DailySpend

    fake_anthropic.script(text("Garage has three fresh leads and more to say."))
    turn = services.start_turn(viewer, message="Hi", conversation_id=None)
    events = services.stream_turn(turn)
    first = next(events)
    events.close()  # the browser went away

    turn.refresh_from_db()
    assert (turn.status, turn.error) == (Turn.Status.ERROR, "The reply was interrupted.")
    assert turn.answer == first["text"]
    call = AICall.objects.get(turn=turn)
    assert call.error == "The reply was interrupted." and call.cost > 0
    spend = DailySpend.objects.get(user=viewer)
    assert (spend.spent, spend.reserved) == (call.cost, 0)
