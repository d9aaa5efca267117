"""CP → 🔗 Webhooks (🔌 Endpoints / 📊 Dashboard / 📜 Timeline) and CP → ⚡ BookBack AI:
owner only, each action from its form, refusals shown with their reason, the secret shown
once, the tabs showing their rows, query counts pinned."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from automations.webhooks import counting, signing
from automations.webhooks.models import (
    Attempt,
    DailyCount,
    Delivery,
    DeliveryState,
    Endpoint,
    PayloadType,
    Slot,
)
from crm.accounts.models import Role
from crm.controlpanel.tiles import visible_tiles
from crm.timeline.models import AuditEvent
from tests.factories import UserFactory

PUBLIC = "https://93.184.216.34/hook"
OTHER_ROLES = [Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER, Role.PARTNER]
ENDPOINTS = reverse("automations:webhooks")
DASHBOARD = reverse("automations:webhook_dashboard")
TIMELINE = reverse("automations:webhook_timeline")
BOOKBACK = reverse("automations:bookback_ai")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def strict(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False


def make_endpoint(**values) -> Endpoint:
    defaults = {"slot": Slot.NEW_LEAD, "is_main": True, "url": PUBLIC, "secret": "whsec_x"}
    return Endpoint.objects.create(**{**defaults, **values})


def make_delivery(endpoint, n: int, **values) -> Delivery:
    defaults = {
        "endpoint": endpoint,
        "url": endpoint.url,
        "slot": endpoint.slot,
        "event_id": n,
        "event_name": "lead.created",
        "webhook_id": f"msg_{n}",
        "body": f'{{"LeadId": {n}, "FirstName": "Dana{n}"}}',
        "content_type": "application/json",
        "state": DeliveryState.DELIVERED,
        "attempts": 1,
        "run_attempts": 1,
        "last_status": 200,
    }
    return Delivery.objects.create(**{**defaults, **values})


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- access ---------------------------------------------------------------------------


def test_every_page_opens_for_the_owner(owner_client):
    for url in (ENDPOINTS, DASHBOARD, TIMELINE, BOOKBACK):
        assert owner_client.get(url).status_code == 200
    new = reverse("automations:webhook_fan_out_new", args=[Slot.NEW_LEAD])
    assert owner_client.get(new).status_code == 200


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_other_role_gets_403_and_nothing_changes(client, owner, role):
    fan_out = make_endpoint(is_main=False, name="Garage")
    main = make_endpoint(slot=Slot.JOBS)
    delivery = make_delivery(main, 1, state=DeliveryState.DEAD)
    client.force_login(UserFactory(role=role, partner_name="GDQ"))
    gets = [
        ENDPOINTS,
        DASHBOARD,
        TIMELINE,
        BOOKBACK,
        reverse("automations:webhook_fan_out_new", args=[Slot.NEW_LEAD]),
        reverse("automations:webhook_fan_out_edit", args=[fan_out.pk]),
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
    posts = [
        (reverse("automations:webhook_main_url", args=[Slot.JOBS]), {"url": ""}),
        (BOOKBACK, {"url": PUBLIC}),
        (
            reverse("automations:webhook_fan_out_new", args=[Slot.NEW_LEAD]),
            {"name": "X", "url": PUBLIC, "payload_type": "json"},
        ),
        (
            reverse("automations:webhook_fan_out_edit", args=[fan_out.pk]),
            {"name": "X", "url": PUBLIC, "payload_type": "json"},
        ),
        (reverse("automations:webhook_fan_out_enabled", args=[fan_out.pk]), {}),
        (reverse("automations:webhook_fan_out_delete", args=[fan_out.pk]), {}),
        (reverse("automations:webhook_rotate", args=[main.pk]), {}),
        (reverse("automations:webhook_replay", args=[delivery.pk]), {}),
        (reverse("automations:webhook_replay_dead", args=[main.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert Endpoint.objects.count() == 2
    fan_out.refresh_from_db()
    main.refresh_from_db()
    delivery.refresh_from_db()
    assert (fan_out.name, fan_out.enabled, main.url, main.secret) == (
        "Garage",
        True,
        PUBLIC,
        "whsec_x",
    )
    assert delivery.state == DeliveryState.DEAD
    assert not AuditEvent.objects.exists()


def test_the_tiles_show_with_the_dead_count(owner):
    make_delivery(make_endpoint(), 1, state=DeliveryState.DEAD)
    entries = {e["tile"].title: e for _, group in visible_tiles() for e in group}
    assert entries["Webhooks"]["count"] == 1
    assert entries["Webhooks"]["url"] == ENDPOINTS
    assert entries["BookBack AI"]["url"] == BOOKBACK


# --- 🔌 Endpoints ---------------------------------------------------------------------


def test_endpoints_lists_every_slot_in_the_spec_order_with_fires_when(owner_client):
    html = owner_client.get(ENDPOINTS).content.decode()
    labels = [slot.label for slot in Slot if slot != Slot.BOOKBACK_JOBS]
    positions = [html.index(label) for label in labels]
    assert positions == sorted(positions)
    assert "Fires when: Lead → Irrelevant." in html
    assert "No main URL here: filtered fan-outs only." in html  # Expected Completion
    assert 'id="main-expected_completion"' not in html
    assert "BookBack Jobs Webhook URL" not in html


def test_a_main_url_is_saved_and_its_secret_shown_once(owner_client):
    url = reverse("automations:webhook_main_url", args=[Slot.NEW_LEAD])
    response = owner_client.post(url, {"url": PUBLIC}, follow=True)
    endpoint = Endpoint.objects.get(slot=Slot.NEW_LEAD, is_main=True)
    assert endpoint.url == PUBLIC
    html = response.content.decode()
    assert endpoint.secret in html and "shown this once" in html
    assert endpoint.secret not in owner_client.get(ENDPOINTS).content.decode()
    # Saving the same endpoint again shows nothing new.
    again = owner_client.post(url, {"url": PUBLIC + "/2"}, follow=True).content.decode()
    assert endpoint.secret not in again and "shown this once" not in again
    assert AuditEvent.objects.filter(kind="webhook.added").count() == 1


def test_a_rotated_secret_is_shown_once(owner_client):
    endpoint = make_endpoint()
    response = owner_client.post(
        reverse("automations:webhook_rotate", args=[endpoint.pk]), follow=True
    )
    endpoint.refresh_from_db()
    assert endpoint.previous_secret == "whsec_x"
    assert endpoint.secret in response.content.decode()
    assert endpoint.secret not in owner_client.get(ENDPOINTS).content.decode()


def test_a_private_main_url_is_refused_with_the_reason(owner_client, strict):
    url = reverse("automations:webhook_main_url", args=[Slot.NEW_LEAD])
    response = owner_client.post(url, {"url": "http://10.1.2.3/hook"}, follow=True)
    assert any("10.1.2.3 is a private address" in text for text in messages_of(response))
    assert not Endpoint.objects.exists()


def test_an_owner_adds_a_fan_out_with_its_builder(owner_client, office):
    url = reverse("automations:webhook_fan_out_new", args=[Slot.NEW_LEAD])
    form = {
        "name": "Garage Zap",
        "url": PUBLIC,
        "enabled": "on",
        "offices": [office.pk],
        "payload_type": PayloadType.FORM,
        "data_key": ["name", "", "phone"],
        "data_value": ["{{FirstName}} {{LastName}}", "", "{{Phone}}"],
        "header_name": ["X-Office"],
        "header_value": ["{{Office}}"],
        "basic_auth": "zap:hunter2",
    }
    response = owner_client.post(url, form, follow=True)
    endpoint = Endpoint.objects.get(is_main=False)
    assert endpoint.name == "Garage Zap" and endpoint.payload_type == PayloadType.FORM
    assert endpoint.data == [["name", "{{FirstName}} {{LastName}}"], ["phone", "{{Phone}}"]]
    assert endpoint.headers == [["X-Office", "{{Office}}"]]
    assert endpoint.basic_auth == "zap:hunter2"
    assert list(endpoint.offices.all()) == [office]
    html = response.content.decode()
    assert endpoint.secret in html  # once, right after creation
    assert "Office: Sliding" in html and "Garage Zap" in html
    edit = owner_client.get(reverse("automations:webhook_fan_out_edit", args=[endpoint.pk]))
    edit_html = edit.content.decode()
    assert "hunter2" not in edit_html and "✓ stored" in edit_html
    assert endpoint.secret not in edit_html
    assert "{{FirstName}} {{LastName}}" in edit_html  # rows come back for editing
    form = edit.context["form"]
    assert form["name"].value() == "Garage Zap" and form["url"].value() == PUBLIC
    assert [int(pk) for pk in form["offices"].value()] == [office.pk]
    assert form["payload_type"].value() == PayloadType.FORM


def test_the_fan_out_form_shows_refusals(owner_client, strict):
    url = reverse("automations:webhook_fan_out_new", args=[Slot.DONE])
    base = {"name": "Zap", "payload_type": "json"}
    response = owner_client.post(url, {**base, "url": "http://127.0.0.1:9/x"})
    assert response.status_code == 200
    assert "127.0.0.1 is a loopback address" in response.content.decode()
    response = owner_client.post(
        url, {**base, "url": PUBLIC, "data_key": ["a"], "data_value": ["{{Nope}}"]}
    )
    assert "Unknown variable: {{Nope}}" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_edit_keeps_basic_auth_unless_cleared(owner_client):
    endpoint = make_endpoint(is_main=False, name="Zap", basic_auth="a:b")
    url = reverse("automations:webhook_fan_out_edit", args=[endpoint.pk])
    form = {"name": "Zap 2", "url": PUBLIC, "payload_type": "json", "enabled": "on"}
    owner_client.post(url, form)
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.basic_auth) == ("Zap 2", "a:b")
    owner_client.post(url, {**form, "clear_basic_auth": "on"})
    endpoint.refresh_from_db()
    assert endpoint.basic_auth == ""


def test_toggle_swaps_the_row_and_delete_removes_it(owner_client):
    endpoint = make_endpoint(is_main=False, name="Zap")
    toggle = reverse("automations:webhook_fan_out_enabled", args=[endpoint.pk])
    response = owner_client.post(toggle, {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Paused" in response.content.decode()
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    owner_client.post(toggle, {"enabled": "on"})
    endpoint.refresh_from_db()
    assert endpoint.enabled
    owner_client.post(reverse("automations:webhook_fan_out_delete", args=[endpoint.pk]))
    assert not Endpoint.objects.exists()


def test_endpoints_page_query_count_is_flat(owner_client, django_assert_num_queries, office):
    for n in range(3):
        fan_out = make_endpoint(is_main=False, name=f"Zap {n}", slot=Slot.DONE)
        fan_out.offices.set([office])
        make_delivery(fan_out, n, state=DeliveryState.DEAD)
    make_endpoint(slot=Slot.JOBS)
    # session, user, endpoints, 4 filter prefetches, dead counts
    with django_assert_num_queries(8):
        html = owner_client.get(ENDPOINTS).content.decode()
    assert html.count("☠ 1 dead") == 3
    for n in range(3, 8):
        make_endpoint(is_main=False, name=f"Zap {n}", slot=Slot.NEW_LEAD).offices.set([office])
    with django_assert_num_queries(8):
        owner_client.get(ENDPOINTS)


# --- 📊 Dashboard ----------------------------------------------------------------------


def test_dashboard_shows_fired_counts_and_deliveries_per_url(owner_client):
    today = counting.business_day()
    old = today - datetime.timedelta(days=10)
    DailyCount.objects.create(day=today, slot=Slot.NEW_LEAD, url="", fired=4)
    DailyCount.objects.create(day=old, slot=Slot.NEW_LEAD, url="", fired=6)
    DailyCount.objects.create(
        day=today, slot=Slot.NEW_LEAD, url="https://a.example/hook", delivered=3, failed=2
    )
    DailyCount.objects.create(
        day=old, slot=Slot.NEW_LEAD, url="https://b.example/old", delivered=7, failed=0
    )
    make_endpoint(url="https://a.example/hook")
    make_endpoint(is_main=False, name="Zap", url="https://a.example/hook")
    response = owner_client.get(DASHBOARD)
    assert [row.label for row in response.context["destinations"]] == [
        "New Lead Webhook URL · main URL · fan-out “Zap”"
    ]
    fired = {row.label: row.fired for row in response.context["fired"]}
    assert fired["New Lead Webhook URL"] == 4
    html = response.content.decode().replace("<wbr>", "")
    assert "https://a.example/hook" in html and "https://b.example/old" not in html
    month = owner_client.get(DASHBOARD, {"window": "30d"})
    assert {row.label: row.fired for row in month.context["fired"]}["New Lead Webhook URL"] == 10
    assert "https://b.example/old" in month.content.decode().replace("<wbr>", "")
    assert month.context["window"] == "30d"
    assert owner_client.get(DASHBOARD, {"window": "bogus"}).context["window"] == "today"


# --- 📜 Timeline -----------------------------------------------------------------------


def test_timeline_shows_each_state_newest_first_with_the_payload(owner_client):
    endpoint = make_endpoint()
    now = timezone.now()
    make_delivery(endpoint, 1, created_at=now - datetime.timedelta(minutes=3))
    next_try = datetime.datetime(2026, 12, 7, 19, 5, tzinfo=datetime.UTC)  # 2:05 PM EST
    make_delivery(
        endpoint,
        2,
        state=DeliveryState.RETRYING,
        run_attempts=3,
        attempts=3,
        last_status=503,
        next_attempt_at=next_try,
        created_at=now - datetime.timedelta(minutes=2),
    )
    dead = make_delivery(
        endpoint,
        3,
        state=DeliveryState.DEAD,
        attempts=10,
        run_attempts=10,
        last_status=None,
        last_error="Connection refused",
        dead_at=now,
        created_at=now - datetime.timedelta(minutes=1),
    )
    Attempt.objects.create(delivery=dead, number=10, url=endpoint.url, error="refused")
    response = owner_client.get(TIMELINE)
    html = response.content.decode()
    assert [row.event_id for row in response.context["rows"]] == [3, 2, 1]
    assert "attempt 3 of 10, next Dec 7, 2:05 PM EST" in html
    assert "☠ dead" in html and "✓ delivered" in html and "HTTP 503" in html
    assert "Connection refused" in html
    assert "&quot;FirstName&quot;: &quot;Dana2&quot;" in html  # the exact body, escaped
    assert html.count("↻ Replay") == 3
    dead_only = owner_client.get(TIMELINE, {"state": "dead"})
    assert [row.event_id for row in dead_only.context["rows"]] == [3]
    query = {"state": "retrying", "partial": "rows"}
    rows = owner_client.get(TIMELINE, query, HTTP_HX_REQUEST="true").content.decode()
    assert "<table" not in rows and "attempt 3 of 10" in rows


def test_timeline_escapes_every_stored_value(owner_client):
    evil = '<img src=x onerror="alert(1)">'
    endpoint = make_endpoint(is_main=False, name=f"Zap {evil}", url=f"{PUBLIC}?q={evil}")
    make_delivery(
        endpoint,
        1,
        body=f'{{"FirstName": "{evil}"}}',
        state=DeliveryState.DEAD,
        last_status=None,
        last_error=f"Refused: {evil}",
    )
    html = owner_client.get(TIMELINE).content.decode()
    assert "<img" not in html
    assert "fan-out “Zap &lt;img src=x onerror=&quot;alert(1)&quot;&gt;”" in html
    assert 'title="Refused: &lt;img src=x onerror=&quot;alert(1)&quot;&gt;"' in html
    assert "&quot;FirstName&quot;: &quot;&lt;img" in html


def test_timeline_query_count_is_flat(owner_client, django_assert_num_queries):
    endpoint = make_endpoint()
    for n in range(5):
        make_delivery(endpoint, n)
    with django_assert_num_queries(3):  # session, user, deliveries
        owner_client.get(TIMELINE)
    for n in range(5, 120):
        make_delivery(endpoint, n)
    with django_assert_num_queries(3):
        response = owner_client.get(TIMELINE)
    assert len(response.context["rows"]) == 100


def test_replay_and_replay_all_dead(owner_client):
    endpoint = make_endpoint()
    one = make_delivery(endpoint, 1, state=DeliveryState.DEAD)
    make_delivery(endpoint, 2, state=DeliveryState.DEAD)
    owner_client.post(reverse("automations:webhook_replay", args=[one.pk]))
    one.refresh_from_db()
    assert one.state == DeliveryState.PENDING and one.webhook_id == "msg_1"
    response = owner_client.post(
        reverse("automations:webhook_replay_dead", args=[endpoint.pk]), follow=True
    )
    assert "1 dead deliveries replayed" in " ".join(messages_of(response))
    assert not Delivery.objects.filter(state=DeliveryState.DEAD).exists()


# --- ⚡ BookBack AI ---------------------------------------------------------------------


def test_bookback_ai_saves_the_jobs_url_and_shows_its_secret_once(owner_client, strict):
    html = owner_client.get(BOOKBACK).content.decode()
    assert "fires on job creation only (Submitted)" in html.lower() or "Submitted" in html
    refused = owner_client.post(BOOKBACK, {"url": "http://192.168.1.5/"})
    assert "192.168.1.5 is a private address" in refused.content.decode()
    response = owner_client.post(BOOKBACK, {"url": PUBLIC}, follow=True)
    endpoint = Endpoint.objects.get(slot=Slot.BOOKBACK_JOBS, is_main=True)
    assert endpoint.secret.startswith(signing.PREFIX)
    assert endpoint.secret in response.content.decode()
    assert endpoint.secret not in owner_client.get(BOOKBACK).content.decode()
    owner_client.post(BOOKBACK, {"url": ""})
    assert not Endpoint.objects.exists()


def test_a_long_url_wraps_after_its_separators_not_mid_word(owner_client):
    url = "https://hooks.example.com/services/T024BE7LD/B0AB12CD3EF?token=a&x=1"
    make_delivery(make_endpoint(url=url), 1)
    html = owner_client.get(TIMELINE).content.decode()
    assert (
        '<td class="webhook-url">https://hooks.<wbr>example.<wbr>com/<wbr>services/<wbr>'
        "T024BE7LD/<wbr>B0AB12CD3EF?<wbr>token=<wbr>a&amp;<wbr>x=<wbr>1</td>"
    ) in html


def test_endpoint_changes_are_events_and_the_fan_out_lists_refresh(owner_client, owner):
    from automations.webhooks import endpoints as actions
    from crm.models import DomainEvent

    fan_out = actions.add_fan_out(actor=owner, slot=Slot.NEW_LEAD, name="Zap", url=PUBLIC)
    actions.set_enabled(actor=owner, endpoint=fan_out, enabled=False)
    actions.rotate_secret(actor=owner, endpoint=fan_out)
    pk = fan_out.pk
    actions.delete_fan_out(actor=owner, endpoint=fan_out)
    changes = DomainEvent.objects.filter(name="webhook_endpoint.changed").order_by("pk")
    assert [event.payload["change"] for event in changes] == [
        "added",
        "changed",
        "secret_rotated",
        "removed",
    ]
    assert {event.payload["endpoint_id"] for event in changes} == {pk}
    # What another owner's open page fetches on the live-sync tick: each section's list.
    actions.add_fan_out(actor=owner, slot=Slot.DONE, name="Sheet row", url=PUBLIC)
    html = owner_client.get(ENDPOINTS, {"partial": "fan_outs"}, HTTP_HX_REQUEST="true")
    html = html.content.decode()
    assert html.count('hx-swap-oob="true"') == len(actions_sections(owner_client))
    assert '<div id="fan-outs-done" hx-swap-oob="true">' in html and "Sheet row" in html
    assert "<html" not in html


def actions_sections(client) -> list:
    return client.get(ENDPOINTS).context["sections"]
