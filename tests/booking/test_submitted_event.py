"""`booking.submitted`: a widget submission says which widget, which slot and which UTMs
made its lead (beside the lead's own `lead.created`)."""

import pytest

from booking import services, slots
from crm.models import DomainEvent

pytestmark = pytest.mark.django_db


def test_a_submission_emits_its_widget_slot_and_utms(embed, tuesday_morning):
    window = slots.find_window("2025-01-15T10", open_hour=8, close_hour=18, zone=embed.zone)
    lead = services.submit_booking(
        embed=embed,
        submission_key="key-1",
        service=None,
        window=window,
        first_name="Ann",
        phone="+13055550142",
        utm={"utm_source": "google", "utm_campaign": "spring", "colour": "red"},
    )

    event = DomainEvent.objects.get(name="booking.submitted")
    assert event.payload == {
        "lead": lead.pk,
        "embed": embed.pk,
        "slot": {"start": window.start.isoformat(), "end": window.end.isoformat()},
        "utm": {"utm_source": "google", "utm_campaign": "spring"},
    }
    assert event.office_id == embed.office_id
    assert DomainEvent.objects.filter(name="lead.created").count() == 1


def test_a_double_submit_emits_once(embed, tuesday_morning):
    window = slots.find_window("2025-01-15T10", open_hour=8, close_hour=18, zone=embed.zone)
    kwargs = {
        "embed": embed,
        "submission_key": "same-key",
        "service": None,
        "window": window,
        "first_name": "Ann",
        "phone": "+13055550142",
    }
    services.submit_booking(**kwargs)
    services.submit_booking(**kwargs)
    assert DomainEvent.objects.filter(name="booking.submitted").count() == 1
