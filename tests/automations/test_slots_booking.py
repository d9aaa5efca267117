"""The booking widget's doors for New Lead (spec: "New Lead … online booking"; "never
booking test mode"): a real booking fires New Lead, the CP's ↗ Preview in test mode
(`test=1`) makes no lead, so nothing fires."""

import pytest

from automations.webhooks import routing
from automations.webhooks.models import Delivery, Endpoint, Slot
from crm.models import DomainEvent
from tests.booking.conftest import embed, make_embed, tuesday_morning  # noqa: F401
from tests.booking.test_submit import INFO_STEP, book, info_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_lead_url(db):
    return Endpoint.objects.create(slot=Slot.NEW_LEAD, is_main=True, url="http://127.0.0.1:9/l")


def route_all() -> None:
    for event in DomainEvent.objects.all():
        routing.make_deliveries(event)


def test_an_online_booking_fires_new_lead(client, embed, tuesday_morning, new_lead_url):  # noqa: F811
    book(client, info_form(client))
    route_all()
    delivery = Delivery.objects.get()
    assert (delivery.slot, delivery.endpoint) == (Slot.NEW_LEAD, new_lead_url)
    assert '"FirstName": "Maria"' in delivery.body


def test_a_test_mode_booking_fires_nothing(client, embed, tuesday_morning, new_lead_url):  # noqa: F811
    page = book(client, info_form(client, INFO_STEP + "&test=1"))
    assert b"Test mode: nothing was saved." in page.content
    route_all()
    assert not Delivery.objects.exists()
