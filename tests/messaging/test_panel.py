"""The 📱 SMS panel: who sees which conversations, who may answer, and what a reply does."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from crm.accounts.models import Role
from messaging import services
from messaging.models import Message, PossibleOptOut, Suppression, Thread
from tests.factories import LeadFactory, OfficeFactory, UserFactory
from tests.messaging import panel_data

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
TOLL_FREE = ["800", "833", "844", "855", "866", "877", "888"]


@pytest.fixture
def garage():
    return OfficeFactory(name="Garage")


@pytest.fixture
def sliding():
    return OfficeFactory(name="Sliding")


@pytest.fixture
def agent(garage):
    return UserFactory(role=Role.AGENT, first_name="Omri", offices=[garage])


@pytest.fixture
def garage_line(garage):
    return panel_data.line(garage, phone="+13055550100", label="Garage main")


def signed_in(client, user):
    client.force_login(user)
    return client


def outbound(thread) -> int:
    return Message.objects.filter(thread=thread, direction="out").count()


def test_agent_sees_her_offices_conversations_and_not_anothers(client, agent, garage_line, sliding):
    lead = LeadFactory(office=garage_line.office, first_name="Carmen", last_name="Diaz")
    panel_data.thread(garage_line, lead=lead, snippet="Can you come Friday?", unresolved=2)
    elsewhere = panel_data.line(sliding, label="Sliding main")
    panel_data.thread(elsewhere, snippet="Sliding customer here")

    response = signed_in(client, agent).get(reverse("sms:panel"), headers=HTMX)

    assertContains(response, "Carmen Diaz")
    assertContains(response, "Can you come Friday?")
    assertContains(response, "(305) 555-0100 Garage main · Garage")
    assertNotContains(response, "Sliding customer here")


def test_a_row_without_a_lead_shows_the_customers_number(client, agent, garage_line):
    panel_data.thread(garage_line, customer="+17865550142")
    response = signed_in(client, agent).get(reverse("sms:threads"), headers=HTMX)
    assertContains(response, '<span class="sms-row__phone">(786) 555-0142</span>', html=False)


@pytest.mark.parametrize("name", ["sms:thread", "sms:thread_body"])
def test_another_offices_thread_is_not_found(client, agent, sliding, name):
    other = panel_data.thread(panel_data.line(sliding))
    response = signed_in(client, agent).get(reverse(name, args=[other.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["sms:resolve", "sms:unread"])
def test_another_offices_thread_cannot_be_resolved_or_marked(client, agent, sliding, name):
    other = panel_data.thread(panel_data.line(sliding), unresolved=1)
    response = signed_in(client, agent).post(reverse(name, args=[other.pk]))
    assert response.status_code == 404
    other.refresh_from_db()
    assert (other.unresolved_count, other.marked_unread) == (1, False)


def test_a_reply_into_another_offices_thread_is_not_found_and_sends_nothing(client, agent, sliding):
    other = panel_data.thread(panel_data.line(sliding))
    response = signed_in(client, agent).post(
        reverse("sms:reply"), {"thread": other.pk, "body": "Hello"}
    )
    assert response.status_code == 404
    assert outbound(other) == 0


def test_viewer_reads_the_thread_but_gets_no_composer(client, garage, garage_line):
    viewer = UserFactory(role=Role.VIEWER, offices=[garage])
    conversation = panel_data.thread(garage_line, snippet="Need a quote", unresolved=1)

    response = signed_in(client, viewer).get(reverse("sms:thread", args=[conversation.pk]))

    assertContains(response, "Need a quote")
    assertContains(response, "Read-only")
    assertNotContains(response, "data-sms-composer")
    assertNotContains(response, "✓ Resolve")


def test_viewer_cannot_reply_resolve_or_mark_unread(client, garage, garage_line):
    viewer = UserFactory(role=Role.VIEWER, offices=[garage])
    conversation = panel_data.thread(garage_line, unresolved=1)
    signed_in(client, viewer)

    reply = client.post(reverse("sms:reply"), {"thread": conversation.pk, "body": "Hi"})
    resolve = client.post(reverse("sms:resolve", args=[conversation.pk]))
    unread = client.post(reverse("sms:unread", args=[conversation.pk]))

    assert (reply.status_code, resolve.status_code, unread.status_code) == (403, 403, 403)
    assert outbound(conversation) == 0
    conversation.refresh_from_db()
    assert conversation.unresolved_count == 1


@pytest.mark.parametrize(
    "name", ["sms:panel", "sms:threads", "sms:badge", "sms:thread", "sms:reply"]
)
def test_partner_has_no_sms(client, garage_line, name):
    partner = UserFactory(role=Role.PARTNER, partner_name="GDQ")
    conversation = panel_data.thread(garage_line)
    args = [conversation.pk] if name == "sms:thread" else []
    signed_in(client, partner)
    response = (client.post if name == "sms:reply" else client.get)(reverse(name, args=args))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.OWNER, True),
        (Role.ADMIN, True),
        (Role.FINANCE_ADMIN, True),
        (Role.AGENT, True),
        (Role.VIEWER, True),
        (Role.PARTNER, False),
    ],
)
def test_the_topbar_shows_the_sms_button_to_every_role_but_partners(client, garage, role, shown):
    user = UserFactory(role=role, partner_name="GDQ" if role == Role.PARTNER else "")
    page = signed_in(client, user).get("/leads")
    assert ("📱 SMS" in page.content.decode()) is shown


@pytest.mark.parametrize("area_code", TOLL_FREE)
def test_a_toll_free_line_refuses_replies_with_403_and_sends_nothing(
    client, agent, garage, area_code
):
    line = panel_data.line(garage, phone=f"+1{area_code}5550199", label="Toll-free")
    conversation = panel_data.thread(line)
    signed_in(client, agent)

    page = client.get(reverse("sms:thread", args=[conversation.pk]))
    response = client.post(reverse("sms:reply"), {"thread": conversation.pk, "body": "Hi"})

    assertContains(page, "📵 Toll-free number — SMS not available.")
    assertNotContains(page, "data-sms-composer")
    assert response.status_code == 403
    assert outbound(conversation) == 0


def test_a_no_reply_line_refuses_replies_with_403_and_sends_nothing(client, agent, garage):
    line = panel_data.line(garage, label="Forwarding", no_reply=True)
    conversation = panel_data.thread(line)
    signed_in(client, agent)

    page = client.get(reverse("sms:thread", args=[conversation.pk]))
    response = client.post(reverse("sms:reply"), {"thread": conversation.pk, "body": "Hi"})

    assertContains(page, "This forwarding number doesn't accept replies")
    assert response.status_code == 403
    assert outbound(conversation) == 0


def test_an_agents_reply_goes_out_on_the_threads_line(client, agent, garage_line):
    conversation = panel_data.thread(garage_line, unresolved=1)

    response = signed_in(client, agent).post(
        reverse("sms:reply"), {"thread": conversation.pk, "body": "See you at 10"}, headers=HTMX
    )

    assert response.status_code == 200
    assertContains(response, "See you at 10")
    sent = Message.objects.get(thread=conversation, direction="out")
    assert (sent.body, sent.sent_by, sent.purpose) == ("See you at 10", agent, "manual")


def test_an_api_reply_answers_json(client, agent, garage_line):
    conversation = panel_data.thread(garage_line)
    response = signed_in(client, agent).post(
        reverse("sms:reply"), {"thread": conversation.pk, "body": "On our way"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_an_empty_reply_is_refused_and_sends_nothing(client, agent, garage_line):
    conversation = panel_data.thread(garage_line)
    response = signed_in(client, agent).post(
        reverse("sms:reply"), {"thread": conversation.pk, "body": "   "}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "Write a message or attach a file."
    assert outbound(conversation) == 0


def test_a_suppressed_number_shows_the_banner_and_a_manual_reply_still_goes_out(
    client, agent, garage_line
):
    conversation = panel_data.thread(garage_line, customer="+17865550177", snippet="STOP")
    Suppression.objects.create(last10="7865550177", word="STOP")
    signed_in(client, agent)

    page = client.get(reverse("sms:thread", args=[conversation.pk]))
    response = client.post(reverse("sms:reply"), {"thread": conversation.pk, "body": "Sorry!"})

    assertContains(page, "🚫 This number opted out of texts")
    assert response.status_code == 200
    assert outbound(conversation) == 1


def test_a_possible_opt_out_waiting_for_review_shows_its_banner(client, agent, garage_line):
    conversation = panel_data.thread(garage_line, snippet="please remove me from this list")
    message = conversation.messages.get()
    PossibleOptOut.objects.create(message=message, last10=conversation.customer_last10)
    page = signed_in(client, agent).get(reverse("sms:thread_body", args=[conversation.pk]))
    assertContains(page, "⚠️ A possible opt-out from this number waits for review")
    assertNotContains(page, "🚫 This number opted out")


def test_resolve_clears_the_badge_and_unread_brings_it_back(
    client, agent, garage_line, django_capture_on_commit_callbacks
):
    conversation = panel_data.thread(garage_line, unresolved=2)
    signed_in(client, agent)
    assertContains(client.get(reverse("sms:badge")), ">1</span>", html=False)

    # Each action moves the live-sync stamp once committed, so the cached count is read anew.
    with django_capture_on_commit_callbacks(execute=True):
        resolved = client.post(reverse("sms:resolve", args=[conversation.pk]), headers=HTMX)
    conversation.refresh_from_db()
    assert conversation.unresolved_count == 0
    assertContains(resolved, "● Unread")
    assertNotContains(client.get(reverse("sms:badge")), "count-badge")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sms:unread", args=[conversation.pk]), headers=HTMX)
    conversation.refresh_from_db()
    assert conversation.marked_unread
    assertContains(client.get(reverse("sms:badge")), ">1</span>", html=False)


def test_a_new_inbound_text_reopens_a_resolved_thread(
    client, agent, garage_line, django_capture_on_commit_callbacks
):
    conversation = panel_data.thread(garage_line, unresolved=1)
    signed_in(client, agent)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sms:resolve", args=[conversation.pk]), headers=HTMX)
    assertNotContains(client.get(reverse("sms:badge")), "count-badge")

    with django_capture_on_commit_callbacks(execute=True):
        services.receive_inbound(
            line=garage_line,
            from_phone=conversation.customer_phone,
            body="One more question",
            provider_message_id="CTM-reopen-1",
            media=(),
        )

    conversation.refresh_from_db()
    assert (conversation.unresolved_count, conversation.resolved_at) == (1, None)
    assertContains(client.get(reverse("sms:badge")), ">1</span>", html=False)


def test_the_badge_counts_only_conversations_in_scope_waiting_for_an_answer(
    client, agent, garage_line, sliding
):
    panel_data.thread(garage_line, unresolved=3)
    panel_data.thread(garage_line, unresolved=1)
    panel_data.thread(garage_line, unresolved=0)
    panel_data.thread(panel_data.line(sliding), unresolved=5)

    response = signed_in(client, agent).get(reverse("sms:badge"))

    assertContains(response, ">2</span>", html=False)
    assertContains(response, "2 conversations with unresolved texts")


def test_the_badge_is_read_from_the_cache_until_the_stamp_moves(
    client, agent, garage_line, django_assert_num_queries
):
    from crm import livesync
    from messaging import panel_queries

    panel_data.thread(garage_line, unresolved=1)
    agent = type(agent).objects.get(pk=agent.pk)
    agent.visible_offices  # noqa: B018 (the user's offices: loaded with the session's user)
    with django_assert_num_queries(1):
        assert panel_queries.badge_count(agent) == 1
    panel_data.thread(garage_line, unresolved=1)
    with django_assert_num_queries(0):
        assert panel_queries.badge_count(agent) == 1  # no change stamped yet
    livesync.bump(office_id=garage_line.office_id)
    with django_assert_num_queries(1):
        assert panel_queries.badge_count(agent) == 2


def test_the_topbar_loads_the_badge_after_the_page(client, agent):
    response = signed_in(client, agent).get("/leads")
    assertContains(response, f'hx-get="{reverse("sms:badge")}"', html=False)
    assertContains(response, "bookback:panel-changed from:body", html=False)


def test_the_panel_carries_its_stamp_for_the_one_second_poll(client, agent, garage_line):
    from crm import livesync

    stamp = livesync.bump(office_id=garage_line.office_id)
    response = signed_in(client, agent).get(reverse("sms:panel"), headers=HTMX)
    assertContains(response, f'data-stamp="{stamp}"', html=False)


def test_simulate_inbound_is_absent_when_debug_is_off(client, agent, garage_line):
    signed_in(client, agent)
    assert client.get(reverse("sms:simulate")).status_code == 404
    response = client.post(
        reverse("sms:simulate"),
        {"line": garage_line.pk, "from_phone": "7865550111", "body": "Hi"},
    )
    assert response.status_code == 404
    assert not Thread.objects.exists()
    assertNotContains(client.get(reverse("sms:panel"), headers=HTMX), "Simulate inbound")


def test_simulate_inbound_texts_in_as_a_customer_under_debug(client, settings, agent, garage_line):
    settings.DEBUG = True
    signed_in(client, agent)
    assertContains(client.get(reverse("sms:panel"), headers=HTMX), "🧪 Simulate inbound")

    response = client.post(
        reverse("sms:simulate"),
        {"line": garage_line.pk, "from_phone": "(786) 555-0111", "body": "Do you fix rollers?"},
        headers=HTMX,
    )

    assertContains(response, "Received")
    conversation = Thread.objects.get(line=garage_line)
    assert conversation.customer_phone == "+17865550111"
    assert conversation.messages.get().body == "Do you fix rollers?"


def test_a_reply_shows_sending_then_sent_once_the_provider_took_it(
    client, agent, garage_line, django_capture_on_commit_callbacks
):
    conversation = panel_data.thread(garage_line)
    signed_in(client, agent)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        answer = client.post(
            reverse("sms:reply"), {"thread": conversation.pk, "body": "On my way"}, headers=HTMX
        )
    assertContains(answer, "sms-status--sending")
    for callback in queued:
        callback()
    page = client.get(reverse("sms:thread_body", args=[conversation.pk]))
    assertContains(page, 'sms-status--sent">sent</span>', html=False)


def test_the_possible_opt_outs_link_shows_to_admins_only(client, agent, garage):
    panel = reverse("sms:panel")
    assertNotContains(signed_in(client, agent).get(panel, headers=HTMX), "Possible opt-outs")
    admin = UserFactory(role=Role.ADMIN, offices=[garage])
    page = signed_in(client, admin).get(panel, headers=HTMX)
    assertContains(page, f'href="{reverse("messaging:sms_optouts")}"', html=False)


def test_on_the_sms_page_the_button_is_a_plain_link_and_elsewhere_it_opens_the_panel(
    client, garage
):
    admin = UserFactory(role=Role.ADMIN, offices=[garage])
    signed_in(client, admin)
    button = f'href="{reverse("sms:panel")}" hx-get="{reverse("sms:panel")}"'
    own_page = client.get(reverse("sms:panel"))
    assertNotContains(own_page, button, html=False)
    assertContains(own_page, 'aria-current="page">📱 SMS', html=False)
    # Another page under /sms (Possible opt-outs) still opens the slide-in.
    assertContains(client.get(reverse("messaging:sms_optouts")), button, html=False)
