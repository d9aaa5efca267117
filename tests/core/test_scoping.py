import pytest

from crm.accounts.models import Role
from crm.timeline.models import TimelineEntry, TimelineQuerySet
from tests.factories import OfficeFactory, TimelineEntryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries():
    sliding, garage, general = (
        OfficeFactory(name=name) for name in ("Sliding", "Garage", "General")
    )
    return {
        "sliding": TimelineEntryFactory(office=sliding, data={"partner": "GDQ"}),
        "garage": TimelineEntryFactory(office=garage, data={"partner": "Raful"}),
        "general": TimelineEntryFactory(office=general),
        "offices": (sliding, garage, general),
    }


def visible(user, queryset=None):
    queryset = queryset if queryset is not None else TimelineEntry.objects
    return set(queryset.visible_to(user))


def test_owner_sees_every_office(entries):
    owner = UserFactory(role=Role.OWNER)
    assert visible(owner) == {entries["sliding"], entries["garage"], entries["general"]}


def test_all_offices_users_see_every_office(entries):
    viewer = UserFactory(role=Role.VIEWER, has_all_offices=True)
    assert visible(viewer) == {entries["sliding"], entries["garage"], entries["general"]}


def test_other_users_see_only_their_offices(entries):
    sliding, garage, _ = entries["offices"]
    admin = UserFactory(role=Role.ADMIN, offices=[sliding, garage])
    assert visible(admin) == {entries["sliding"], entries["garage"]}


def test_inactive_users_see_nothing(entries):
    assert visible(UserFactory(role=Role.OWNER, is_active=False)) == set()


def test_partners_see_only_records_tied_to_their_partner_name(entries):
    class PartnerTagged(TimelineQuerySet):
        partner_field = "data__partner"

    partner = UserFactory(role=Role.PARTNER, partner_name="GDQ", has_all_offices=True)
    assert visible(partner, PartnerTagged(model=TimelineEntry)) == {entries["sliding"]}


def test_partners_see_nothing_on_models_without_a_partner_field(entries):
    partner = UserFactory(role=Role.PARTNER, partner_name="GDQ")
    assert visible(partner) == set()
