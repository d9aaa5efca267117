"""The 📱 SMS panel's list and thread: filters, order, paging, and their query counts."""

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from crm.accounts.models import Role
from messaging import panel_queries
from messaging.models import Message
from tests.factories import LeadFactory, OfficeFactory, UserFactory
from tests.messaging import panel_data

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def garage():
    return OfficeFactory(name="Garage")


@pytest.fixture
def sliding():
    return OfficeFactory(name="Sliding")


@pytest.fixture
def admin(client, garage, sliding):
    """An admin of Garage and Sliding, signed in."""
    user = UserFactory(role=Role.ADMIN, offices=[garage, sliding])
    client.force_login(user)
    return user


def listed(client, **params) -> str:
    return client.get(reverse("sms:threads"), params, headers=HTMX).content.decode()


def test_threads_are_newest_first(client, admin, garage):
    line = panel_data.line(garage)
    panel_data.thread(line, snippet="older text", minutes_ago=30)
    panel_data.thread(line, snippet="newest text", minutes_ago=1)
    page = listed(client)
    assert page.index("newest text") < page.index("older text")


def test_a_row_shows_direction_relative_time_and_the_moment_with_its_zone(client, admin, garage):
    panel_data.thread(panel_data.line(garage), snippet="Can you call me", minutes_ago=12)
    page = listed(client)
    assert ">←</span> Can you call me" in page
    assert "12m ago" in page
    assert ' EST"' in page or ' EDT"' in page


def test_search_finds_a_message_body_a_lead_name_and_phone_digits(client, admin, garage):
    line = panel_data.line(garage)
    panel_data.thread(line, snippet="the roller is squeaking")
    lead = LeadFactory(office=garage, first_name="Marisol", last_name="Vega")
    panel_data.thread(line, lead=lead, snippet="named customer")
    panel_data.thread(line, customer="+17865554321", snippet="by digits")
    panel_data.thread(line, snippet="nothing to see")

    assert "roller is squeaking" in listed(client, q="SQUEAK")
    assert "Marisol Vega" in listed(client, q="marisol")
    assert "Marisol Vega" in listed(client, q="Marisol Vega")
    by_digits = listed(client, q="555-4321")
    assert "by digits" in by_digits
    assert "nothing to see" not in by_digits


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram similarity: Postgres")
def test_on_postgres_a_misspelt_lead_name_still_finds_the_thread(client, admin, garage):
    lead = LeadFactory(office=garage, first_name="Marisol", last_name="Vega")
    panel_data.thread(panel_data.line(garage), lead=lead, snippet="named customer")
    panel_data.thread(panel_data.line(garage), snippet="someone else")
    page = listed(client, q="Marisoll")
    assert "Marisol Vega" in page
    assert "someone else" not in page


def test_search_reaches_older_messages_of_a_thread(client, admin, garage):
    panel_data.thread(panel_data.line(garage), texts=3, snippet="latest")
    assert "latest" in listed(client, q="Earlier text 0")


def test_the_office_filter_offers_and_accepts_only_the_users_offices(
    client, admin, garage, sliding
):
    panel_data.thread(panel_data.line(garage), snippet="garage text")
    panel_data.thread(panel_data.line(sliding), snippet="sliding text")
    hidden = OfficeFactory(name="Joes Doors FL")
    panel_data.thread(panel_data.line(hidden), snippet="hidden text")

    only_sliding = listed(client, office=sliding.pk)
    assert "sliding text" in only_sliding
    assert "garage text" not in only_sliding
    # An office she doesn't have is refused by the form, and never widens her scope.
    tampered = listed(client, office=hidden.pk)
    assert "hidden text" not in tampered
    panel = client.get(reverse("sms:panel"), headers=HTMX)
    assertContains(panel, "Sliding")
    assertNotContains(panel, "Joes Doors FL")


def test_unread_only_hides_answered_threads_and_clear_all_appears(client, admin, garage):
    line = panel_data.line(garage)
    panel_data.thread(line, snippet="waiting", unresolved=1)
    panel_data.thread(line, snippet="answered", unresolved=0)

    page = listed(client, unread="on")

    assert "waiting" in page
    assert "answered" not in page
    assert "Clear all" in page
    assert "Clear all" not in listed(client)


def test_the_list_pages_with_load_more(client, admin, garage):
    line = panel_data.line(garage)
    for minutes in range(panel_queries.PAGE_SIZE + 3):
        panel_data.thread(line, snippet=f"text {minutes:03d}", minutes_ago=minutes + 1)

    first = client.get(reverse("sms:threads"), headers=HTMX)
    assertContains(first, "Load more")
    assertNotContains(first, "text 051")
    after = first.context["after"]
    second = client.get(reverse("sms:threads"), {"after": after}, headers=HTMX)
    for minutes in (50, 51, 52):
        assertContains(second, f"text {minutes:03d}")
    assertNotContains(second, "text 049")
    assertNotContains(second, "Load more")


@pytest.mark.parametrize("filters", [{}, {"q": "roller"}, {"unread": "on", "office": "1"}])
def test_the_list_costs_the_same_queries_for_3_or_30_threads(
    client, admin, garage, django_assert_num_queries, filters
):
    line = panel_data.line(garage)
    filters = {**filters, "office": garage.pk} if "office" in filters else filters

    def count(rows: int) -> int:
        for _ in range(rows):
            lead = LeadFactory(office=garage)
            panel_data.thread(line, lead=lead, snippet="roller", unresolved=1)
        client.get(reverse("sms:threads"), filters, headers=HTMX)  # session and user loaded
        # the user, her offices, the rows (the session is read from the cache)
        with django_assert_num_queries(3) as captured:
            client.get(reverse("sms:threads"), filters, headers=HTMX)
        return len(captured)

    assert count(3) == count(27)


def test_a_thread_costs_the_same_queries_for_3_or_90_messages(
    client, admin, garage, django_assert_num_queries
):
    line = panel_data.line(garage)
    short = panel_data.thread(line, texts=3)
    long = panel_data.thread(line, texts=90)
    Message.objects.filter(thread=long).update(sent_by=admin, direction="out")
    client.get(reverse("sms:thread", args=[short.pk]))

    # the user, her offices, the thread (with its number's opt-out state), its messages,
    # their attachments, the templates
    with django_assert_num_queries(6):
        client.get(reverse("sms:thread", args=[short.pk]))
    with django_assert_num_queries(6):
        client.get(reverse("sms:thread", args=[long.pk]))


def test_a_long_thread_shows_its_newest_messages_oldest_first(client, admin, garage):
    conversation = panel_data.thread(panel_data.line(garage), texts=120, snippet="the newest")
    page = client.get(reverse("sms:thread", args=[conversation.pk])).content.decode()

    def at(text: str) -> int:
        found = re.search(rf"{text}\b", page)
        return found.start() if found else -1

    assert at("Earlier text 19") == -1
    assert 0 < at("Earlier text 20") < at("Earlier text 118") < at("the newest")
    cursor = re.search(r'/earlier\?before=([^"]+)"', page).group(1)

    earlier = client.get(f"{reverse('sms:earlier', args=[conversation.pk])}?before={cursor}")

    text = earlier.content.decode()
    assert "Load earlier messages" not in text  # these are the first
    assert 0 < text.index("Earlier text 0<") < text.index("Earlier text 19<")
    assert "Earlier text 20<" not in text


def test_a_failed_text_shows_the_carriers_error(client, admin, garage):
    conversation = panel_data.thread(panel_data.line(garage))
    Message.objects.create(
        thread=conversation,
        direction="out",
        body="Reminder",
        status=Message.Status.FAILED,
        error="30007 Carrier violation",
        purpose="manual",
        sent_by=admin,
        created_at=timezone.now() + datetime.timedelta(seconds=1),
    )
    page = client.get(reverse("sms:thread", args=[conversation.pk]))
    assertContains(page, "failed</span>: 30007 Carrier violation", html=False)


def test_every_stored_value_in_a_thread_is_escaped(client, admin, garage):
    from messaging.models import Attachment

    conversation = panel_data.thread(panel_data.line(garage), snippet="<b>hi</b>")
    hostile = Message.objects.create(
        thread=conversation,
        direction="out",
        body='<script>alert("body")</script>\nline two',
        status=Message.Status.FAILED,
        error="<img src=x onerror=alert(1)>",
        purpose="manual",
        created_at=timezone.now() + datetime.timedelta(seconds=1),
    )
    Attachment.objects.create(
        message=hostile,
        name='"><script>alert("file")</script>.pdf',
        content_type="application/pdf",
        size=10,
        content=b"%PDF-1.7",
    )
    page = client.get(reverse("sms:thread", args=[conversation.pk])).content.decode()
    assert "<script>" not in page.split('<ol class="sms-messages"')[1]
    assert "&lt;script&gt;alert(&quot;body&quot;)&lt;/script&gt;<br>line two" in page
    assert ": &lt;img src=x onerror=alert(1)&gt;" in page
    assert "📎 &quot;&gt;&lt;script&gt;" in page
    listed_page = client.get(reverse("sms:threads"), headers=HTMX).content.decode()
    assert "&lt;b&gt;hi&lt;/b&gt;" in listed_page
