"""Step 2 of a webhook lead's office: its tracking source matched on CP → CTM Numbers."""

import pytest

from crm.timeline.models import TimelineEntry
from leads.services.ingest import ingest_lead
from messaging.models import Line
from tests.factories import OfficeFactory, lead_source

pytestmark = pytest.mark.django_db
PAYLOAD = {"full_name": "Ann Lee", "phone": "3055550100"}


@pytest.fixture
def garage_line():
    garage = OfficeFactory(name="Garage")
    return Line.objects.create(
        phone="+17865550111", label="Garage ads", office=garage, tracking_source="BB_Garage"
    )


def _notes(lead):
    return list(TimelineEntry.objects.filter(subject_id=lead.pk, body__startswith="🏢"))


def test_a_matching_tracking_source_sets_the_office_and_says_so(garage_line):
    source = lead_source("facebook")
    source.default_office = OfficeFactory(name="Sliding")
    source.save()
    lead, _ = ingest_lead({**PAYLOAD, "bb_source": "bb_garage"}, source=source)
    assert lead.office == garage_line.office
    [note] = _notes(lead)
    assert note.body == (
        "🏢 Office auto-set to Garage — Tracking Source “bb_garage” is CTM number "
        "(786) 555-0111 Garage ads"
    )


def test_the_payload_office_wins_and_no_match_falls_back_to_the_default(garage_line):
    sliding = OfficeFactory(name="Sliding")
    lead, _ = ingest_lead(
        {**PAYLOAD, "office": "Sliding", "tracking_source": "bb_garage"}, source=lead_source()
    )
    assert lead.office == sliding and not _notes(lead)
    source = lead_source("yelp")
    source.default_office = sliding
    source.save()
    lead, _ = ingest_lead({**PAYLOAD, "ctm_source": "bb_garage_2"}, source=source)
    assert lead.office == sliding and not _notes(lead)


def test_a_line_without_an_office_matches_nothing():
    OfficeFactory(name="General")
    Line.objects.create(phone="+17865550112", tracking_source="orphan")
    lead, _ = ingest_lead({**PAYLOAD, "tracking_source": "orphan"}, source=lead_source())
    assert lead.office.name == "General" and not _notes(lead)
