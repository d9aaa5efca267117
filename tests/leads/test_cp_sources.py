import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from crm.accounts.models import Role
from crm.errors import DomainError
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent
from leads.models import BUILT_IN_SOURCES, STANDARD, LeadSource
from leads.services import sources
from tests.factories import LeadFactory, OfficeFactory, UserFactory, lead_source

pytestmark = pytest.mark.django_db

SOURCES = "/cp/lead-sources"
REORDER = "/cp/lead-sources/reorder"
NON_OWNERS = [Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER, Role.PARTNER]


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def new_source(**fields) -> LeadSource:
    fields = {"key": "homeadvisor", "label": "HomeAdvisor", "color": "#f97316", **fields}
    return LeadSource.objects.create(sort_order=LeadSource.objects.count(), **fields)


def positions(page: str, labels) -> list[int]:
    return [page.index(f'">{label}</span>') for label in labels]


# --- The list ------------------------------------------------------------------------


def test_owner_sees_every_source_in_sort_order(owner_client):
    LeadSource.objects.filter(key="yelp").update(sort_order=0)
    LeadSource.objects.filter(key="facebook").update(sort_order=99)
    page = owner_client.get(SOURCES).content.decode()
    expected = [
        "Yelp",
        *(label for key, label, *_ in BUILT_IN_SOURCES if key not in {"yelp", "facebook"}),
    ]
    expected.append("Facebook Ads")
    assert positions(page, expected) == sorted(positions(page, expected))


def test_each_row_shows_key_default_office_active_flag_and_the_full_ingest_url(owner_client):
    LeadSource.objects.filter(key="angi").update(
        default_office=OfficeFactory(name="Garage"), is_active=False
    )
    page = owner_client.get(SOURCES).content.decode()
    angi = lead_source("angi")
    assert "<code>angi</code>" in page
    assert "Garage" in page
    assert "General (default)" in page  # the other sources fall back to General
    assert '<span class="pill pill--off">off</span>' in page
    assert f'data-copy="http://testserver/webhook/s/{angi.webhook_token}"' in page
    assert "⠿" in page


def test_the_ai_agent_sources_have_no_delete_button(owner_client):
    page = owner_client.get(SOURCES).content.decode()
    for key in ("smsagent", "metaagent"):
        assert reverse("leads:cp_source_delete", args=[lead_source(key).pk]) not in page
    assert reverse("leads:cp_source_delete", args=[lead_source("yelp").pk]) in page


def test_the_sources_page_includes_the_drag_to_reorder_script(owner_client):
    page = owner_client.get(SOURCES).content.decode()
    assert "js/sortable.js" in page
    assert f'data-sortable-url="{REORDER}"' in page


def test_a_live_refresh_returns_only_the_rows(owner_client):
    response = owner_client.get(SOURCES, headers={"HX-Request": "true"})
    assertContains(response, "Facebook Ads")
    assertNotContains(response, "<html")


def test_sources_page_query_count_is_flat(owner_client, django_assert_max_num_queries):
    owner_client.get(SOURCES)  # the first load stores the live-sync scope in the session
    with django_assert_max_num_queries(4):
        owner_client.get(SOURCES)
    for number in range(20):
        new_source(key=f"extra{number}", label=f"Extra {number}", default_office=OfficeFactory())
    with django_assert_max_num_queries(4):
        page = owner_client.get(SOURCES).content.decode()
    assert "Extra 19" in page


# --- Adding --------------------------------------------------------------------------


def test_owner_adds_a_source_at_the_bottom_with_the_standard_sequence(owner_client, owner):
    garage = OfficeFactory(name="Garage")
    response = owner_client.post(
        SOURCES,
        {
            "key": "HomeAdvisor",
            "label": " Home  Advisor ",
            "color": "#F97316",
            "default_office": garage.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    source = LeadSource.objects.get(key="homeadvisor")
    assert source.label == "Home Advisor"
    assert source.color == "#f97316"
    assert source.default_office == garage
    assert source.is_active
    assert source.snooze_steps == STANDARD
    assert source.sort_order == len(BUILT_IN_SOURCES)  # after the last built-in (0..12)
    assert list(LeadSource.objects.all())[-1] == source
    assert source.webhook_token
    event = AuditEvent.objects.get(kind="settings.changed")
    assert event.actor == owner
    assert event.text == "Lead source Home Advisor (homeadvisor) added"
    assert DomainEvent.objects.filter(name="lead_source.added").exists()
    page = owner_client.get(SOURCES).content.decode()
    assert "Lead source Home Advisor added at the bottom." in page


def test_a_new_source_without_an_office_falls_back_to_general(owner_client):
    owner_client.post(SOURCES, {"key": "porch", "label": "Porch", "color": "#123456"})
    source = LeadSource.objects.get(key="porch")
    assert source.default_office is None
    assert not source.is_active  # an unticked checkbox posts nothing


def test_a_taken_key_is_refused_whatever_its_case(owner_client):
    response = owner_client.post(
        SOURCES, {"key": "FaceBook", "label": "Facebook again", "color": "#123456"}
    )
    assertContains(response, "A source with the key facebook already exists.")
    assert LeadSource.objects.count() == len(BUILT_IN_SOURCES)
    assert not AuditEvent.objects.exists()


def test_a_key_that_is_not_a_slug_is_refused(owner_client):
    response = owner_client.post(
        SOURCES, {"key": "home advisor", "label": "HA", "color": "#123456"}
    )
    assert response.status_code == 200
    assertContains(response, "field--error")
    assert not LeadSource.objects.filter(label="HA").exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"key": "_x"}, "The key must be 1–40 lowercase letters"),
        ({"label": "   "}, "Give the source a label."),
        ({"color": "red"}, "Pick a colour like #1877f2."),
    ],
)
def test_add_source_refuses_a_bad_key_label_or_colour(owner, fields, message):
    values = {"key": "porch", "label": "Porch", "color": "#123456", **fields}
    with pytest.raises(DomainError, match=message):
        sources.add_source(actor=owner, **values)
    assert not LeadSource.objects.filter(label="Porch").exists()


# --- Editing -------------------------------------------------------------------------


def test_the_edit_page_shows_the_source_filled_in(owner_client):
    yelp = lead_source("yelp")
    page = owner_client.get(reverse("leads:cp_source_edit", args=[yelp.pk])).content.decode()
    assert "Edit" in page and "<code>yelp</code>" in page
    assert 'value="Yelp"' in page
    assert f'value="{yelp.color}"' in page
    assert 'name="key"' not in page  # the key never changes


def test_owner_edits_label_colour_office_and_active_flag_but_never_the_key(owner_client, owner):
    garage = OfficeFactory(name="Garage")
    smsagent = lead_source("smsagent")
    response = owner_client.post(
        reverse("leads:cp_source_edit", args=[smsagent.pk]),
        {"key": "texting", "label": "Texting bot", "color": "#000000", "default_office": garage.pk},
    )
    assert response.status_code == 302
    smsagent.refresh_from_db()
    assert smsagent.key == "smsagent"
    assert (smsagent.label, smsagent.color) == ("Texting bot", "#000000")
    assert smsagent.default_office == garage
    assert not smsagent.is_active
    event = AuditEvent.objects.get(kind="settings.changed")
    assert event.text == "Lead source Texting bot (smsagent) updated"
    assert event.metadata["changes"]["label"] == ["SMS AI Agent", "Texting bot"]
    assert event.metadata["changes"]["default_office"] == [None, "Garage"]


def test_saving_an_unchanged_source_writes_no_audit_row(owner_client):
    yelp = lead_source("yelp")
    owner_client.post(
        reverse("leads:cp_source_edit", args=[yelp.pk]),
        {"label": "Yelp", "color": yelp.color, "is_active": "on"},
    )
    assert not AuditEvent.objects.exists()


def test_an_edit_with_a_bad_colour_is_refused_and_changes_nothing(owner_client):
    yelp = lead_source("yelp")
    response = owner_client.post(
        reverse("leads:cp_source_edit", args=[yelp.pk]), {"label": "Yelp!", "color": "red"}
    )
    assertContains(response, "Pick a colour like #1877f2.")
    yelp.refresh_from_db()
    assert yelp.label == "Yelp"


# --- Tokens --------------------------------------------------------------------------


def test_a_regenerated_token_differs_and_the_old_url_stops_working(owner_client, client):
    yelp = lead_source("yelp")
    old = yelp.webhook_token
    response = owner_client.post(reverse("leads:cp_source_token", args=[yelp.pk]), follow=True)
    yelp.refresh_from_db()
    assert yelp.webhook_token != old
    assert not LeadSource.objects.filter(webhook_token=old).exists()
    page = response.content.decode()
    assert f"/webhook/s/{yelp.webhook_token}" in page
    assert old not in page
    assert "The old one no longer accepts leads." in page
    event = AuditEvent.objects.get(kind="settings.changed")
    assert event.text == "Webhook token regenerated for Yelp (yelp)"
    assert old not in str(event.metadata) and yelp.webhook_token not in str(event.metadata)
    answer = client.post(f"/webhook/s/{old}", {"name": "Ann Lee", "phone": "3055550100"})
    assert answer.status_code == 404


# --- Deleting ------------------------------------------------------------------------


def test_owner_deletes_a_source_without_leads(owner_client):
    source = new_source()
    response = owner_client.post(reverse("leads:cp_source_delete", args=[source.pk]), follow=True)
    assert not LeadSource.objects.filter(key="homeadvisor").exists()
    assertContains(response, "Lead source HomeAdvisor deleted.")
    assert AuditEvent.objects.get(kind="settings.changed").text == (
        "Lead source HomeAdvisor (homeadvisor) deleted"
    )


@pytest.mark.parametrize("key", ["smsagent", "metaagent"])
def test_the_ai_agent_sources_cannot_be_deleted(owner_client, key):
    source = lead_source(key)
    response = owner_client.post(reverse("leads:cp_source_delete", args=[source.pk]), follow=True)
    assertContains(response, f"{source.label} is used by the booking tools and cannot be deleted.")
    assert LeadSource.objects.filter(key=key).exists()
    assert not AuditEvent.objects.exists()


def test_a_source_with_leads_cannot_be_deleted(owner_client):
    facebook = lead_source("facebook")
    LeadFactory(source=facebook)
    LeadFactory(source=facebook, is_archived=True)  # archived leads still point at it
    response = owner_client.post(reverse("leads:cp_source_delete", args=[facebook.pk]), follow=True)
    assertContains(response, "Facebook Ads has 2 leads; deactivate it instead.")
    assert LeadSource.objects.filter(key="facebook").exists()


def test_a_source_with_one_lead_says_so_in_the_singular(owner):
    source = new_source()
    LeadFactory(source=source)
    with pytest.raises(DomainError, match="HomeAdvisor has 1 lead; deactivate it instead."):
        sources.delete_source(actor=owner, source=source)


# --- Reordering ----------------------------------------------------------------------


def test_owner_reorders_sources_by_posting_every_id(owner_client, owner):
    ids = list(LeadSource.objects.values_list("pk", flat=True))
    new_order = [*reversed(ids)]
    response = owner_client.post(REORDER, {"order": new_order}, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert list(LeadSource.objects.values_list("pk", flat=True)) == new_order
    assert list(LeadSource.objects.values_list("sort_order", flat=True)) == list(range(len(ids)))
    event = AuditEvent.objects.get(kind="settings.changed")
    assert event.text.startswith("Lead sources reordered: metaagent, smsagent, online_booking")
    assert DomainEvent.objects.filter(name="lead_sources.reordered").exists()


def test_the_new_order_shows_on_the_page(owner_client):
    ids = list(LeadSource.objects.values_list("pk", flat=True))
    owner_client.post(REORDER, {"order": [*ids[1:], ids[0]]}, headers={"HX-Request": "true"})
    page = owner_client.get(SOURCES).content.decode()
    assert positions(page, ["Google Ads", "Meta AI Agent", "Facebook Ads"]) == sorted(
        positions(page, ["Google Ads", "Meta AI Agent", "Facebook Ads"])
    )


def test_a_reorder_without_htmx_redirects_back_to_the_list(owner_client):
    ids = list(LeadSource.objects.values_list("pk", flat=True))
    response = owner_client.post(REORDER, {"order": [*reversed(ids)]})
    assert response.status_code == 302
    assert response.url == SOURCES


@pytest.mark.parametrize(
    "mangle",
    [
        lambda ids: ids[:-1],  # one missing
        lambda ids: [*ids, ids[0]],  # one twice
        lambda ids: [*ids[:-1], 999999],  # one unknown
        lambda ids: [],
    ],
)
def test_a_reorder_must_list_every_source_exactly_once(owner_client, mangle):
    ids = list(LeadSource.objects.values_list("pk", flat=True))
    response = owner_client.post(REORDER, {"order": mangle(ids)}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.json() == {
        "status": "error",
        "error": "The new order must list every lead source exactly once. "
        "Reload the page and try again.",
    }
    assert list(LeadSource.objects.values_list("pk", flat=True)) == ids
    assert not AuditEvent.objects.exists()


def test_a_reorder_with_a_non_numeric_id_is_refused(owner_client):
    response = owner_client.post(REORDER, {"order": ["1", "abc"]})
    assert response.status_code == 400
    assert response.json()["status"] == "error"


def test_a_source_added_after_a_reorder_still_lands_at_the_bottom(owner, owner_client):
    ids = list(LeadSource.objects.values_list("pk", flat=True))
    owner_client.post(REORDER, {"order": [*reversed(ids)]}, headers={"HX-Request": "true"})
    source = sources.add_source(actor=owner, key="porch", label="Porch", color="#123456")
    assert list(LeadSource.objects.all())[-1] == source


# --- Access --------------------------------------------------------------------------


@pytest.mark.parametrize("role", NON_OWNERS)
def test_non_owners_get_403_on_every_lead_source_url(client, role):
    yelp = lead_source("yelp")
    client.force_login(UserFactory(role=role, partner_name="GDQ"))
    urls = [
        SOURCES,
        REORDER,
        reverse("leads:cp_source_edit", args=[yelp.pk]),
        reverse("leads:cp_source_token", args=[yelp.pk]),
        reverse("leads:cp_source_delete", args=[yelp.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"label": "Hacked", "color": "#000000"}).status_code == 403, url
    yelp_now = lead_source("yelp")
    assert (yelp_now.label, yelp_now.webhook_token) == ("Yelp", yelp.webhook_token)
    assert not AuditEvent.objects.exists()
