import warnings

import pytest
from django.core.cache.backends.base import CacheKeyWarning, memcache_key_warnings
from django.urls import reverse

from crm import events, livesync
from crm.accounts.models import Role
from tests.factories import OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db
LAST_CHANGE = reverse("live_sync")


def signed_in(client, user):
    client.force_login(user)
    client.get(reverse("accounts:directory"))  # a page load stores the user's live-sync scope
    return client


def stamp(client) -> int:
    return client.get(LAST_CHANGE).json()["stamp"]


def change_in(office, capture):
    with capture(execute=True):
        events.emit("office.settings_changed", office=office, is_jobs_enabled=True)


def test_last_change_costs_zero_database_queries(client, django_assert_num_queries):
    signed_in(client, UserFactory(role=Role.AGENT))
    with django_assert_num_queries(0):
        response = client.get(LAST_CHANGE)
    assert response.status_code == 200
    assert response.json() == {"stamp": 0}


def test_users_see_changes_in_their_offices_only(client, django_capture_on_commit_callbacks):
    sliding, garage = OfficeFactory(name="Sliding"), OfficeFactory(name="Garage")
    signed_in(client, UserFactory(role=Role.AGENT, offices=[sliding]))
    change_in(garage, django_capture_on_commit_callbacks)
    assert stamp(client) == 0
    change_in(sliding, django_capture_on_commit_callbacks)
    assert stamp(client) > 0


def test_owners_see_every_change(client, owner, django_capture_on_commit_callbacks):
    signed_in(client, owner)
    change_in(OfficeFactory(), django_capture_on_commit_callbacks)
    assert stamp(client) > 0


def test_partners_see_changes_tied_to_their_partner_name(
    client, django_capture_on_commit_callbacks
):
    signed_in(client, UserFactory(role=Role.PARTNER, partner_name="GDQ"))
    with django_capture_on_commit_callbacks(execute=True):
        events.emit("job.deleted", office=OfficeFactory(), partner_name="Raful", job_id=1)
    assert stamp(client) == 0
    with django_capture_on_commit_callbacks(execute=True):
        events.emit("job.deleted", office=OfficeFactory(), partner_name="GDQ", job_id=1)
    assert stamp(client) > 0


def test_a_partner_name_with_spaces_and_mixed_case_shares_one_cache_safe_key(
    client, django_capture_on_commit_callbacks
):
    partner = UserFactory(role=Role.PARTNER, partner_name="Garage Door Quotes")
    signed_in(client, partner)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        with django_capture_on_commit_callbacks(execute=True):
            events.emit(
                "job.deleted",
                office=OfficeFactory(),
                partner_name=" garage DOOR quotes ",
                job_id=1,
            )
    assert stamp(client) > 0
    keys = livesync.scope_keys(partner)
    assert livesync.partner_key(" garage DOOR quotes ") in keys
    assert [warning for key in keys for warning in memcache_key_warnings(key)] == []


def test_a_new_office_assignment_reaches_polling_on_the_next_page_load(
    client, owner, django_capture_on_commit_callbacks
):
    sliding, garage = OfficeFactory(name="Sliding"), OfficeFactory(name="Garage")
    agent = UserFactory(role=Role.AGENT, offices=[sliding])
    signed_in(client, agent)
    agent.offices.add(garage)
    client.get(reverse("accounts:directory"))
    change_in(garage, django_capture_on_commit_callbacks)
    assert stamp(client) > 0


def test_every_signed_in_page_polls_last_change(client):
    signed_in(client, UserFactory())
    page = client.get(reverse("accounts:directory")).content.decode()
    assert f'data-live-sync-url="{LAST_CHANGE}"' in page
    assert "js/livesync.js" in page
