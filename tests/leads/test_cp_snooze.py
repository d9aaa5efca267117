import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from crm.accounts.models import Role
from crm.errors import DomainError
from crm.timeline.models import AuditEvent
from leads.models import AGGRESSIVE, BOOKBACK, STANDARD, LeadSource
from leads.services import snooze
from tests.factories import UserFactory, lead_source

pytestmark = pytest.mark.django_db

SNOOZE = "/cp/snooze-sequences"
NON_OWNERS = [Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER, Role.PARTNER]


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def edit_url(key: str) -> str:
    return reverse("leads:cp_snooze_edit", args=[lead_source(key).pk])


def steps_of(key: str) -> list[int]:
    return lead_source(key).snooze_steps


# --- The list ------------------------------------------------------------------------


def test_the_list_has_one_row_per_source_with_count_span_and_steps(owner_client):
    page = owner_client.get(SNOOZE).content.decode()
    assert page.count(">Edit</a>") == LeadSource.objects.count()
    assert "22 steps over 17 days" in page  # Standard
    assert "14 steps over 28 days" in page  # Aggressive
    assert "14 steps over 2 days" in page  # BookBack AI
    aggressive = "5min · 10min · 20min · 30min · 1h · 2h · 3h · 12h · 1d · 1d · 1d · 2d · 2d · 20d"
    assert aggressive in page
    assert "15min · 15min · 15min · 15min · 15min · 15min · 15min · 8h" in page


def test_a_source_without_steps_says_the_next_contact_is_set_by_hand(owner_client):
    LeadSource.objects.filter(key="manual").update(snooze_steps=[])
    assertContains(owner_client.get(SNOOZE), "No steps: the next contact is set by hand.")


def test_snooze_list_query_count_is_flat(owner_client, django_assert_max_num_queries):
    owner_client.get(SNOOZE)  # the first load stores the live-sync scope in the session
    with django_assert_max_num_queries(3):
        owner_client.get(SNOOZE)
    for number in range(15):
        LeadSource.objects.create(key=f"extra{number}", label=f"Extra {number}", snooze_steps=[60])
    with django_assert_max_num_queries(3):
        owner_client.get(SNOOZE)


# --- The editor ----------------------------------------------------------------------


def test_the_editor_shows_each_step_in_its_largest_whole_unit(owner_client):
    page = owner_client.get(edit_url("yelp")).content.decode()
    assert page.count('name="amount"') == len(AGGRESSIVE) + 1  # + the add-step template
    assert 'value="5"' in page and 'value="20"' in page
    assert '<option value="d" selected>d</option>' in page
    assert "Sequence for" in page


def test_the_editor_converts_hours_and_days_to_minutes(owner_client, owner):
    response = owner_client.post(
        edit_url("yelp"), {"amount": ["2", "1", "45"], "unit": ["h", "d", "min"]}
    )
    assert response.status_code == 302
    assert steps_of("yelp") == [120, 1440, 45]
    event = AuditEvent.objects.get(kind="settings.changed")
    assert event.actor == owner
    assert event.text == "Snooze sequence for Yelp: 14 → 3 steps"
    assert event.metadata["old"] == AGGRESSIVE
    assert event.metadata["new"] == [120, 1440, 45]
    page = owner_client.get(SNOOZE).content.decode()
    assert "Snooze sequence for Yelp saved: 3 steps over 27 h." in page
    assert "2h · 1d · 45min" in page


def test_blank_steps_are_skipped(owner_client):
    owner_client.post(edit_url("yelp"), {"amount": ["30", "", "2"], "unit": ["min", "h", "d"]})
    assert steps_of("yelp") == [30, 2880]


def test_thirty_days_is_the_longest_step(owner_client):
    owner_client.post(edit_url("yelp"), {"amount": ["30"], "unit": ["d"]})
    assert steps_of("yelp") == [43200]


@pytest.mark.parametrize(
    ("amounts", "units", "message"),
    [
        (["0"], ["min"], "Each step must be between 1 minute and 30 days."),
        (["31"], ["d"], "Each step must be between 1 minute and 30 days."),
        (["43201"], ["min"], "Each step must be between 1 minute and 30 days."),
        (["-2"], ["h"], "Each step must be between 1 minute and 30 days."),
        (["1", "two"], ["h", "h"], "Step 2: enter a whole number."),
        (["1.5"], ["h"], "Step 1: enter a whole number."),
        (["3"], ["weeks"], "Step 1: pick min, h or d."),
        ([""], ["min"], "A sequence needs between 1 and 60 steps."),
        (["1"] * 61, ["h"] * 61, "A sequence needs between 1 and 60 steps."),
    ],
)
def test_a_bad_sequence_is_refused_and_changes_nothing(owner_client, amounts, units, message):
    response = owner_client.post(edit_url("yelp"), {"amount": amounts, "unit": units})
    assert response.status_code == 200
    assertContains(response, message)
    assert steps_of("yelp") == AGGRESSIVE
    assert not AuditEvent.objects.exists()


def test_a_refused_sequence_keeps_what_was_typed(owner_client):
    response = owner_client.post(edit_url("yelp"), {"amount": ["7", "0"], "unit": ["h", "min"]})
    page = response.content.decode()
    assert 'value="7"' in page and 'value="0"' in page


def test_saving_the_same_sequence_writes_no_audit_row(owner_client):
    owner_client.post(
        edit_url("bookback"), {"amount": ["15"] * 7 + ["8"] * 7, "unit": ["min"] * 7 + ["h"] * 7}
    )
    assert steps_of("bookback") == BOOKBACK
    assert not AuditEvent.objects.exists()


def test_a_preset_loads_into_the_editor_without_saving(owner_client):
    response = owner_client.get(edit_url("facebook") + "?preset=aggressive")
    page = response.content.decode()
    assert "Loaded the Aggressive preset. Save to apply it to Facebook Ads." in page
    assert page.count('name="amount"') == len(AGGRESSIVE) + 1
    assert steps_of("facebook") == STANDARD


def test_set_snooze_steps_refuses_what_is_not_whole_minutes(owner):
    with pytest.raises(DomainError, match="whole number of minutes"):
        snooze.set_snooze_steps(actor=owner, source=lead_source("yelp"), steps_minutes=[1.5])


# --- Access --------------------------------------------------------------------------


@pytest.mark.parametrize("role", NON_OWNERS)
def test_non_owners_get_403_on_every_snooze_url(client, role):
    client.force_login(UserFactory(role=role, partner_name="GDQ"))
    for url in (SNOOZE, edit_url("yelp")):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"amount": ["1"], "unit": ["min"]}).status_code == 403, url
    assert steps_of("yelp") == AGGRESSIVE
