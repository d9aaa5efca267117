import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from crm.accounts.models import Role
from crm.errors import DomainError
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent, TimelineEntry
from leads.models import Lead
from leads.services.dedupe import duplicate_groups, merge_duplicates
from tests.factories import LeadFactory, TimelineEntryFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("leads:duplicates")
RESOLVE_URL = reverse("leads:resolve_duplicates")
HTMX = {"HX-Request": "true"}


def ago(hours: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


def lead(hours_ago: int, phone: str, fb_lead_id: str = "", **fields) -> Lead:
    return LeadFactory(phone=phone, fb_lead_id=fb_lead_id, received_at=ago(hours_ago), **fields)


def ids(group) -> list[int]:
    return [member.pk for member in group.leads]


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_leads_sharing_a_phone_or_a_facebook_id_are_grouped_newest_first():
    old_call = lead(30, "+13055550001")
    new_call = lead(2, "+13055550001")
    fb_first = lead(20, "+13055550002", "fb-1")
    fb_again = lead(10, "+13055550003", "fb-1")
    lead(1, "+13055550004")  # unique: in no group

    groups = duplicate_groups()

    assert [ids(group) for group in groups] == [
        [new_call.pk, old_call.pk],
        [fb_again.pk, fb_first.pk],
    ]
    assert groups[0].reasons == ["Same phone (305) 555-0001"]
    assert groups[1].reasons == ["Same Facebook lead id fb-1"]


def test_a_lead_in_a_phone_group_and_an_id_group_joins_them_into_one():
    a = lead(5, "+13055550001")
    b = lead(4, "+13055550001", "fb-9")
    c = lead(3, "+13055550002", "fb-9")
    d = lead(2, "+13055550002")

    groups = duplicate_groups()

    assert [ids(group) for group in groups] == [[d.pk, c.pk, b.pk, a.pk]]


def test_archived_leads_are_not_duplicates():
    lead(5, "+13055550001", is_archived=True)
    lead(4, "+13055550001")
    lead(3, "+13055550002", "fb-1", is_archived=True)
    lead(2, "+13055550003", "fb-1")

    assert duplicate_groups() == []


def test_leads_without_a_phone_or_id_never_match():
    LeadFactory(phone="", phone_last10="", fb_lead_id="")
    LeadFactory(phone="", phone_last10="", fb_lead_id="")

    assert duplicate_groups() == []


def test_merging_archives_the_others_and_copies_their_timelines(owner):
    keeper = lead(1, "+13055550001", first_name="Dana", last_name="Cruz")
    other = lead(9, "+13055550001")
    TimelineEntryFactory(
        subject_id=other.pk,
        subject_label=other.full_name,
        office=other.office,
        actor=owner,
        body="Status: Fresh → Needs a Follow Up",
        data={"old": "fresh"},
        created_at=ago(8),
    )

    merge_duplicates(actor=owner, keeper=keeper, others=[other])

    other.refresh_from_db()
    assert other.is_archived and other.archived_at is not None
    copied = TimelineEntry.objects.for_subject(keeper).get(body__startswith="Merged from")
    assert copied.body == f"Merged from L-{other.pk}: Status: Fresh → Needs a Follow Up"
    assert (copied.subject_label, copied.kind, copied.actor) == ("Dana Cruz", "status", owner)
    assert (copied.office, copied.data) == (other.office, {"old": "fresh"})
    assert abs(copied.created_at - ago(8)) < datetime.timedelta(seconds=5)
    keeper_lines = TimelineEntry.objects.for_subject(keeper).values_list("body", flat=True)
    assert f"🔀 Merged from L-{other.pk}" in keeper_lines
    assert (
        TimelineEntry.objects.for_subject(other)
        .filter(body=f"🔀 Merged into L-{keeper.pk}")
        .exists()
    )
    audit = AuditEvent.objects.get(kind="lead.archived")
    assert audit.metadata == {"lead_id": other.pk, "merged_into": keeper.pk}
    assert audit.actor == owner
    assert DomainEvent.objects.filter(name="lead.archived", payload__lead=other.pk).exists()
    assert duplicate_groups() == []


def test_merging_a_lead_from_another_group_changes_nothing(owner):
    keeper = lead(1, "+13055550001")
    lead(2, "+13055550001")
    stranger = lead(3, "+13055550002")

    with pytest.raises(DomainError, match="is not a duplicate"):
        merge_duplicates(actor=owner, keeper=keeper, others=[stranger])

    stranger.refresh_from_db()
    assert not stranger.is_archived


def test_owner_opens_the_modal_with_a_radio_per_lead_defaulting_to_the_newest(owner_client):
    old = lead(9, "+13055550001", first_name="Old")
    new = lead(1, "+13055550001", first_name="New")

    response = owner_client.get(URL, headers=HTMX)

    assertContains(response, 'class="modal__head"')
    assertNotContains(response, "<html")
    assertContains(response, f'name="keep_0" value="{new.pk}" id="keep-0-{new.pk}" checked')
    assertContains(response, f'name="keep_0" value="{old.pk}" id="keep-0-{old.pk}">')
    assertContains(response, f'name="group" value="{new.pk},{old.pk}"')
    assertContains(response, "(305) 555-0001")
    assertContains(response, "Resolve all")


def test_without_htmx_the_modal_comes_in_a_full_page(owner_client):
    response = owner_client.get(URL)

    assertContains(response, "<html")
    assertContains(response, "No duplicates")


def test_resolve_applies_only_the_clicked_group(owner_client):
    a_old, a_new = lead(9, "+13055550001"), lead(8, "+13055550001")
    b_old, b_new = lead(7, "+13055550002"), lead(6, "+13055550002")

    response = owner_client.post(
        RESOLVE_URL,
        {
            "group": [f"{b_new.pk},{b_old.pk}", f"{a_new.pk},{a_old.pk}"],
            "keep_0": b_old.pk,
            "keep_1": a_new.pk,
            "resolve": "0",
        },
        headers=HTMX,
    )

    assertContains(response, f"Merged 1 lead into L-{b_old.pk}.")
    assert set(Lead.objects.filter(is_archived=True)) == {b_new}
    assert [ids(group) for group in response.context["groups"]] == [[a_new.pk, a_old.pk]]


def test_resolve_all_applies_every_group(owner_client):
    a_old, a_new = lead(9, "+13055550001"), lead(8, "+13055550001")
    b_old, b_new = lead(7, "+13055550002"), lead(6, "+13055550002")

    response = owner_client.post(
        RESOLVE_URL,
        {
            "group": [f"{b_new.pk},{b_old.pk}", f"{a_new.pk},{a_old.pk}"],
            "keep_0": b_new.pk,
            "keep_1": a_old.pk,
            "resolve": "all",
        },
        headers=HTMX,
    )

    assertContains(response, "Merged 2 leads into")
    assertContains(response, "No duplicates")
    assert set(Lead.objects.filter(is_archived=True)) == {b_old, a_new}


@pytest.mark.parametrize(
    "data",
    [
        {"group": "{a},{b}", "keep_0": "{c}", "resolve": "0"},  # keeper outside the group
        {"group": "{a},{c}", "keep_0": "{a}", "resolve": "0"},  # lead outside the group
        {"group": "{a},{b}", "keep_0": "oops", "resolve": "0"},
        {"group": "{a},{b}", "resolve": "0"},
        {"group": "{a},{b}", "keep_0": "{a}", "resolve": "7"},
        {"group": "{a},x", "keep_0": "{a}", "resolve": "all"},
    ],
)
def test_a_bad_pick_shows_an_error_and_changes_nothing(owner_client, data):
    a, b = lead(2, "+13055550001"), lead(1, "+13055550001")
    c = lead(3, "+13055550002")
    values = {key: value.format(a=a.pk, b=b.pk, c=c.pk) for key, value in data.items()}

    response = owner_client.post(RESOLVE_URL, values, headers=HTMX)

    assert response.status_code == 200
    assertContains(response, "alert--error")
    assert not Lead.objects.filter(is_archived=True).exists()
    assert [ids(group) for group in response.context["groups"]] == [[b.pk, a.pk]]


def test_resolve_all_is_all_or_nothing(owner_client):
    a_old, a_new = lead(9, "+13055550001"), lead(8, "+13055550001")
    b_old, b_new = lead(7, "+13055550002"), lead(6, "+13055550002")
    a_new.is_archived = True  # archived by someone else since the modal opened
    a_new.save()

    response = owner_client.post(
        RESOLVE_URL,
        {
            "group": [f"{b_new.pk},{b_old.pk}", f"{a_new.pk},{a_old.pk}"],
            "keep_0": b_new.pk,
            "keep_1": a_old.pk,
            "resolve": "all",
        },
        headers=HTMX,
    )

    assertContains(response, "already archived")
    assert list(Lead.objects.filter(is_archived=True)) == [a_new]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER])
def test_only_the_owner_may_clean_up_duplicates(client, role):
    a, b = lead(2, "+13055550001"), lead(1, "+13055550001")
    client.force_login(UserFactory(role=role, has_all_offices=True))

    assert client.get(URL, headers=HTMX).status_code == 403
    response = client.post(RESOLVE_URL, {"group": f"{b.pk},{a.pk}", "keep_0": b.pk, "resolve": "0"})
    assert response.status_code == 403
    assert not Lead.objects.filter(is_archived=True).exists()


def test_the_modal_query_count_is_flat_in_the_number_of_groups(
    owner_client, django_assert_max_num_queries
):
    for n in range(2):
        lead(n + 1, f"+1305555{n:04d}"), lead(n + 1, f"+1305555{n:04d}")
    owner_client.get(URL, headers=HTMX)  # warm-up: session and user caches
    with django_assert_max_num_queries(3):
        owner_client.get(URL, headers=HTMX)

    for n in range(2, 12):
        lead(n + 1, f"+1305555{n:04d}", f"fb-{n}"), lead(n + 1, f"+1305555{n:04d}", f"fb-{n}")
    with django_assert_max_num_queries(3):
        response = owner_client.get(URL, headers=HTMX)
    assert len(response.context["groups"]) == 12


def test_the_standalone_page_resolves_into_itself_and_shows_the_result(owner_client):
    old, new = lead(9, "+13055550001"), lead(8, "+13055550001")
    page = owner_client.get(URL)
    assertContains(page, '<div class="modal dup-page" id="dup-page">')
    assertContains(page, 'hx-target="#dup-page"')
    assertContains(page, 'name="on_page" value="1"')

    # What htmx posts from the page's form: the hidden on_page field rides along.
    data = {"group": f"{new.pk},{old.pk}", "keep_0": new.pk, "resolve": "0", "on_page": "1"}
    response = owner_client.post(RESOLVE_URL, data, headers=HTMX)

    assertContains(response, f"Merged 1 lead into L-{new.pk}.")
    assertContains(response, 'hx-target="#dup-page"')
    assertNotContains(response, "#modal-body")
    assertContains(response, "Back to leads")
    assertNotContains(response, 'data-close="modal"')


def test_the_modal_still_resolves_into_the_modal(owner_client):
    old, new = lead(9, "+13055550001"), lead(8, "+13055550001")
    assertContains(owner_client.get(URL, headers=HTMX), 'hx-target="#modal-body"')
    data = {"group": f"{new.pk},{old.pk}", "keep_0": new.pk, "resolve": "0"}
    response = owner_client.post(RESOLVE_URL, data, headers=HTMX)
    assertContains(response, 'hx-target="#modal-body"')
    assertNotContains(response, "on_page")
