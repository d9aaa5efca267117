"""The 🤖 panel: who sees it, own conversations only, the disabled notice, and the chat
endpoint's refusals before anything streams."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from pytest_django.asserts import assertContains, assertNotContains

from crm.accounts.models import Role
from crm.assistant import client as assistant_client
from crm.assistant.budget import business_day
from crm.assistant.models import AICall, AIToolCall, Conversation, DailySpend, Turn
from crm.assistant.views import BUSY_MESSAGE, StreamLock
from crm.navigation import home_url
from tests.factories import OfficeFactory, UserFactory

CHAT = "/assistant/chat"


@pytest.fixture
def garage(db):
    return OfficeFactory(name="Garage")


@pytest.fixture
def viewer(garage):
    return UserFactory(role=Role.VIEWER, first_name="Victor", offices=[garage])


def conversation_of(user, title: str, *, turns: int = 1) -> Conversation:
    """A finished conversation: each turn one count_leads call and a Markdown answer."""
    conversation = Conversation.objects.create(user=user, title=title, model="claude-sonnet-4-6")
    for number in range(turns):
        turn = Turn.objects.create(
            conversation=conversation,
            user=user,
            role=user.role,
            message=f"{title} #{number}",
            answer=f"Garage has **{number + 3}** fresh leads.",
            finished_at=conversation.created_at,
        )
        call = AICall.objects.create(
            turn=turn, conversation=conversation, user=user, role=user.role,
            model="claude-sonnet-4-6", input_tokens=500, output_tokens=40, cost=Decimal("0.0021"),
        )  # fmt: skip
        AIToolCall.objects.create(
            call=call, turn=turn, tool_use_id=f"toolu_{turn.pk}", name="count_leads",
            input={"office": "Garage", "status": "fresh"}, output={"count": number + 3},
        )  # fmt: skip
    return conversation


def test_partner_has_no_button_and_is_refused(client, db):
    partner = UserFactory(role=Role.PARTNER, partner_name="GDQ")
    client.force_login(partner)
    assertNotContains(client.get(home_url(partner)), "🤖 AI Assistant")
    assert client.get("/assistant").status_code == 403
    assert client.post(CHAT, {"message": "How many leads?"}).status_code == 403


def test_a_viewer_has_the_button_in_the_topbar(client, viewer):
    client.force_login(viewer)
    page = client.get(home_url(viewer))
    assertContains(page, 'hx-get="/assistant" hx-target="#left-panel-body" data-open-left')


def test_without_a_key_the_panel_says_the_assistant_is_off(client, viewer):
    client.force_login(viewer)
    panel = client.get("/assistant", headers={"HX-Request": "true"})
    assertContains(panel, assistant_client.DISABLED_MESSAGE)
    assertNotContains(panel, "data-ai-composer")


def test_with_a_key_the_panel_lists_only_the_users_own_conversations(
    client, viewer, garage, fake_anthropic
):
    conversation_of(viewer, "Fresh leads in Garage")
    conversation_of(UserFactory(role=Role.AGENT, offices=[garage]), "Someone else's question")
    client.force_login(viewer)
    panel = client.get("/assistant", headers={"HX-Request": "true"})
    assertContains(panel, "Fresh leads in Garage")
    assertNotContains(panel, "Someone else&#x27;s question")
    assertContains(panel, "data-ai-composer")
    assertNotContains(panel, assistant_client.DISABLED_MESSAGE)


def test_the_panel_is_also_a_page_of_its_own(client, viewer, fake_anthropic):
    client.force_login(viewer)
    page = client.get("/assistant")
    assertContains(page, '<div class="card ai-page">')
    assertContains(page, "🤖 AI Assistant")


def test_a_conversation_opens_with_its_chips_and_rendered_answers(client, viewer, fake_anthropic):
    conversation = conversation_of(viewer, "Fresh leads in Garage", turns=2)
    client.force_login(viewer)
    url = reverse("assistant:conversation", args=[conversation.pk])
    chat = client.get(url, headers={"HX-Request": "true"})
    assertContains(chat, "Garage has <strong>3</strong> fresh leads.")
    assertContains(chat, "Garage has <strong>4</strong> fresh leads.")
    assertContains(chat, "🔧 count_leads", count=2)
    assertContains(chat, "&quot;status&quot;: &quot;fresh&quot;", count=2)  # the raw input
    assertContains(chat, "&quot;count&quot;: 4")  # and output, behind the chip
    assertContains(chat, f'name="conversation" value="{conversation.pk}"')


def test_someone_elses_conversation_is_not_found(client, viewer, garage):
    other = conversation_of(UserFactory(role=Role.AGENT, offices=[garage]), "Not yours")
    client.force_login(viewer)
    url = reverse("assistant:conversation", args=[other.pk])
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404


def test_an_answer_naming_a_script_lead_shows_it_as_text(client, viewer, fake_anthropic):
    conversation = conversation_of(viewer, "Newest lead")
    Turn.objects.filter(conversation=conversation).update(
        answer="The newest lead is <script>alert(1)</script>."
    )
    client.force_login(viewer)
    chat = client.get(reverse("assistant:conversation", args=[conversation.pk]))
    assertContains(chat, "The newest lead is &lt;script&gt;alert(1)&lt;/script&gt;.")
    assertNotContains(chat, "<script>alert(1)")


def test_the_panel_reads_in_a_fixed_number_of_queries(
    client, viewer, fake_anthropic, django_assert_num_queries
):
    for number in range(5):
        conversation_of(viewer, f"Question {number}")
    client.force_login(viewer)
    client.get("/assistant", headers={"HX-Request": "true"})  # warm the session
    # the user, their offices, the conversations, AppSettings (is a key set?)
    with django_assert_num_queries(4):
        panel = client.get("/assistant", headers={"HX-Request": "true"})
    assertContains(panel, "Question 4")


def test_a_conversation_reads_in_a_fixed_number_of_queries(
    client, viewer, fake_anthropic, django_assert_num_queries
):
    conversation = conversation_of(viewer, "Many turns", turns=6)
    client.force_login(viewer)
    url = reverse("assistant:conversation", args=[conversation.pk])
    client.get(url, headers={"HX-Request": "true"})
    # the user, their offices, the conversation, its turns, their tool calls, AppSettings
    with django_assert_num_queries(6):
        chat = client.get(url, headers={"HX-Request": "true"})
    assertContains(chat, "🔧 count_leads", count=6)


# --- POST /assistant/chat: refused as JSON before anything streams ----------------------


def error_of(response) -> tuple[int, dict]:
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def test_an_empty_message_is_refused(client, viewer, fake_anthropic):
    client.force_login(viewer)
    status, body = error_of(client.post(CHAT, {"message": "   "}))
    assert status == 400
    assert body["status"] == "error" and body["error"]
    assert fake_anthropic.requests == []


def test_a_message_over_4000_characters_is_refused(client, viewer, fake_anthropic):
    client.force_login(viewer)
    status, body = error_of(client.post(CHAT, {"message": "x" * 4001}))
    assert status == 400
    assert "4,000" in body["error"]
    assert fake_anthropic.requests == []


def test_without_a_key_chat_answers_503_and_calls_nothing(client, viewer):
    client.force_login(viewer)
    status, body = error_of(client.post(CHAT, {"message": "How many fresh leads?"}))
    assert status == 503
    assert body == {"status": "error", "error": assistant_client.DISABLED_MESSAGE}
    assert not Turn.objects.exists()


def test_over_the_daily_budget_chat_answers_429(client, viewer, fake_anthropic):
    DailySpend.objects.create(user=viewer, day=business_day(), spent=Decimal("2.00"))
    client.force_login(viewer)
    status, body = error_of(client.post(CHAT, {"message": "How many fresh leads?"}))
    assert status == 429
    assert body == {
        "status": "error",
        "error": "Daily AI budget reached ($2.00). It resets at midnight Eastern.",
    }
    assert fake_anthropic.requests == []


def test_a_second_stream_of_the_same_user_is_refused(client, viewer, fake_anthropic):
    StreamLock(viewer.pk).acquire()  # another tab is still reading its answer
    client.force_login(viewer)
    status, body = error_of(client.post(CHAT, {"message": "How many fresh leads?"}))
    assert (status, body) == (429, {"status": "error", "error": BUSY_MESSAGE})
    assert fake_anthropic.requests == []


def test_another_users_stream_does_not_block(client, viewer, garage, fake_anthropic):
    StreamLock(UserFactory(role=Role.AGENT, offices=[garage]).pk).acquire()
    client.force_login(viewer)
    status, body = error_of(client.post(CHAT, {"message": ""}))
    assert status == 400  # refused for its own reason, not the other user's stream


def test_someone_elses_conversation_cannot_be_continued(client, viewer, garage, fake_anthropic):
    other = conversation_of(UserFactory(role=Role.AGENT, offices=[garage]), "Not yours")
    client.force_login(viewer)
    response = client.post(CHAT, {"message": "And now?", "conversation": other.pk})
    assert response.status_code == 404
    assert Turn.objects.filter(conversation=other).count() == 1
    assert fake_anthropic.requests == []


def test_a_refusal_frees_the_stream_lock(client, viewer, fake_anthropic):
    client.force_login(viewer)
    client.post(CHAT, {"message": ""})
    assert StreamLock(viewer.pk).acquire()


@given(
    message=st.text(max_size=50) | st.just("x" * 4001),
    conversation=st.one_of(
        st.just(""), st.integers().map(str), st.text(max_size=12), st.just("99999999999999999")
    ),
)
def test_no_chat_post_gets_a_server_error(client, viewer, message, conversation):
    client.force_login(viewer)
    response = client.post(CHAT, {"message": message, "conversation": conversation})
    status, body = error_of(response)
    assert status in (400, 404, 503)
    assert body["status"] == "error" and body["error"]


def test_a_gets_to_the_chat_endpoint_are_refused(client, viewer):
    client.force_login(viewer)
    assert client.get(CHAT).status_code == 405


def test_turn_times_carry_their_zone(client, viewer, fake_anthropic):
    conversation = conversation_of(viewer, "When")
    Turn.objects.filter(conversation=conversation).update(
        created_at=datetime.datetime(2026, 12, 7, 16, 5, tzinfo=datetime.UTC)
    )
    client.force_login(viewer)
    chat = client.get(reverse("assistant:conversation", args=[conversation.pk]))
    assertContains(chat, "Dec 7, 11:05 AM EST")
