"""Who sees which jobs: office scope, the per-office Jobs toggle, partner sandboxing."""

import pytest

from crm.accounts.models import Role
from jobs.models import Job
from tests.factories import JobFactory, JobPartnerFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices():
    return OfficeFactory(name="Sliding"), OfficeFactory(name="Garage")


def visible(user) -> set:
    return set(Job.objects.visible_to(user))


def test_staff_see_the_jobs_of_their_offices_and_owners_see_all(offices):
    sliding, garage = offices
    here, there = JobFactory(office=sliding), JobFactory(office=garage)
    assert visible(UserFactory(role=Role.AGENT, offices=[sliding])) == {here}
    assert visible(UserFactory(role=Role.OWNER)) == {here, there}
    assert visible(UserFactory(role=Role.VIEWER, has_all_offices=True)) == {here, there}


def test_a_jobs_off_office_s_jobs_vanish_everywhere_and_come_back(offices):
    sliding, _ = offices
    florida = OfficeFactory(name="Joes Doors FL", is_jobs_enabled=False)
    gdq = JobPartnerFactory(name="GDQ")
    kept, hidden = JobFactory(office=sliding, source=gdq), JobFactory(office=florida, source=gdq)

    def viewers():  # fresh users: a user's office list is read once
        return [
            UserFactory(role=Role.OWNER),
            UserFactory(role=Role.ADMIN, offices=[sliding, florida]),
            UserFactory(role=Role.PARTNER, partner_name="GDQ"),
        ]

    for user in viewers():
        assert visible(user) == {kept}, user.role
    florida.is_jobs_enabled = True
    florida.save()
    for user in viewers():
        assert visible(user) == {kept, hidden}, user.role


def test_partners_see_only_their_partner_s_jobs_whatever_the_case(offices):
    sliding, garage = offices
    gdq, raful = JobPartnerFactory(name="GDQ Leads"), JobPartnerFactory(name="Raful")
    theirs = {JobFactory(office=sliding, source=gdq), JobFactory(office=garage, source=gdq)}
    JobFactory(office=sliding, source=raful)
    assert visible(UserFactory(role=Role.PARTNER, partner_name="gdq leads")) == theirs
    assert visible(UserFactory(role=Role.PARTNER, partner_name="")) == set()


def test_archived_jobs_are_seen_only_when_asked_for(offices):
    sliding, _ = offices
    live, archived = JobFactory(office=sliding), JobFactory(office=sliding, is_archived=True)
    owner = UserFactory(role=Role.OWNER)
    assert visible(owner) == {live}
    assert set(Job.objects.visible_to(owner, archived=True)) == {archived}


def test_signed_out_and_inactive_users_see_nothing(offices):
    from django.contrib.auth.models import AnonymousUser

    JobFactory(office=offices[0])
    assert visible(AnonymousUser()) == set()
    assert visible(UserFactory(role=Role.OWNER, is_active=False)) == set()


def test_the_scope_is_one_query(offices, django_assert_num_queries):
    sliding, _ = offices
    JobFactory.create_batch(3, office=sliding)
    agent = UserFactory(role=Role.AGENT, offices=[sliding])
    assert agent.has_jobs_feature  # the page guard reads the office list first; it is cached
    with django_assert_num_queries(1):
        assert len(list(Job.objects.visible_to(agent))) == 3
