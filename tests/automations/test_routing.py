"""Filtered fan-outs (spec: "Outbound webhooks → Filtered fan-outs"): job events filter on
Office, Partner, Job Type; lead events on Office, Source, Partner. OR within a dimension,
AND across, empty = any; disabled or gone endpoints get nothing; a fan-out lookup failure
never blocks the main URL."""

import logging

import pytest
from django.utils import timezone

from automations.webhooks import routing
from automations.webhooks.models import Delivery, Endpoint, Slot
from crm.models import DomainEvent
from jobs import services as jobs
from leads import services as leads
from tests.automations.test_slots import (  # noqa: F401  (the shared cast)
    admin,
    gdq,
    miami,
    mike,
    new_job,
    repair,
    sliding,
)
from tests.factories import JobPartnerFactory, JobTypeFactory, OfficeFactory, lead_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(sliding, gdq, repair):  # noqa: F811
    return {
        "Sliding": sliding,
        "Garage": OfficeFactory(name="Garage"),
        "GDQ": gdq,
        "Angi": JobPartnerFactory(name="Angi"),
        "Repair": repair,
        "Install": JobTypeFactory(label="Install"),
        "facebook": lead_source("facebook"),
        "google": lead_source("google"),
    }


def fanout(slot, cast, **filters) -> Endpoint:
    endpoint = Endpoint.objects.create(slot=slot, name="filtered", url="http://127.0.0.1:9/f")
    for dimension, names in filters.items():
        getattr(endpoint, dimension).set([cast[name] for name in names])
    return endpoint


def route_last(name: str) -> bool:
    """Route the newest `name` event; True when the filtered fan-out got a delivery."""
    event = DomainEvent.objects.filter(name=name).latest("pk")
    routing.make_deliveries(event)
    return Delivery.objects.filter(event_id=event.pk, endpoint__name="filtered").exists()


# A Sliding job from partner GDQ, type Repair.
JOB_MATRIX = [
    ({}, True),
    ({"offices": ["Sliding"]}, True),
    ({"offices": ["Garage"]}, False),
    ({"offices": ["Garage", "Sliding"]}, True),
    ({"partners": ["GDQ"]}, True),
    ({"partners": ["Angi"]}, False),
    ({"partners": ["Angi", "GDQ"]}, True),
    ({"job_types": ["Repair"]}, True),
    ({"job_types": ["Install"]}, False),
    ({"offices": ["Sliding"], "partners": ["GDQ"], "job_types": ["Repair"]}, True),
    ({"offices": ["Sliding"], "partners": ["GDQ"], "job_types": ["Install"]}, False),
    ({"offices": ["Garage"], "partners": ["GDQ"], "job_types": ["Repair"]}, False),
    ({"offices": ["Garage", "Sliding"], "job_types": ["Install", "Repair"]}, True),
    ({"lead_sources": ["google"]}, True),  # not a job dimension: ignored
]


@pytest.mark.parametrize(("filters", "fires"), JOB_MATRIX)
def test_job_fanout_filters(cast, admin, new_job, filters, fires):  # noqa: F811
    fanout(Slot.JOBS, cast, **filters)
    jobs.create_job(actor=admin, **new_job())
    assert route_last("job.created") is fires


# A Sliding Facebook lead whose partner is "gdq" (a Job Partner's name in other case).
LEAD_MATRIX = [
    ({}, True),
    ({"offices": ["Sliding"]}, True),
    ({"offices": ["Garage"]}, False),
    ({"lead_sources": ["facebook"]}, True),
    ({"lead_sources": ["google"]}, False),
    ({"lead_sources": ["google", "facebook"]}, True),
    ({"partners": ["GDQ"]}, True),
    ({"partners": ["Angi"]}, False),
    ({"offices": ["Sliding"], "lead_sources": ["facebook"], "partners": ["GDQ"]}, True),
    ({"offices": ["Sliding"], "lead_sources": ["google"], "partners": ["GDQ"]}, False),
    ({"job_types": ["Install"]}, True),  # not a lead dimension: ignored
]


def new_lead(office, partner_name="gdq"):
    return leads.create_lead(
        office=office,
        source=lead_source("facebook"),
        first_name="Rosa",
        phone="+13055550199",
        via="webhook",
        partner_name=partner_name,
    )


@pytest.mark.parametrize(("filters", "fires"), LEAD_MATRIX)
def test_lead_fanout_filters(cast, filters, fires):
    fanout(Slot.NEW_LEAD, cast, **filters)
    new_lead(cast["Sliding"])
    assert route_last("lead.created") is fires


def test_a_source_filter_matches_the_source_not_its_label(cast):
    # Labels need not be unique: a second "Facebook" (another account's) must not match.
    cast["google"].label = cast["facebook"].label
    cast["google"].save()
    fanout(Slot.NEW_LEAD, cast, lead_sources=["google"])
    new_lead(cast["Sliding"])  # from the built-in Facebook source
    assert route_last("lead.created") is False
    cast["facebook"].label = "Facebook (renamed)"
    cast["facebook"].save()
    Endpoint.objects.filter(name="filtered").get().lead_sources.set([cast["facebook"]])
    assert route_last("lead.created") is True  # renamed after the event: still its source


def test_a_lead_without_a_partner_misses_a_partner_filter_but_not_an_unfiltered_one(cast):
    fanout(Slot.NEW_LEAD, cast, partners=["GDQ"])
    new_lead(cast["Sliding"], partner_name="")
    assert route_last("lead.created") is False


def test_the_cancelled_leads_fanouts_filter_the_same_way(cast, admin):  # noqa: F811
    fanout(Slot.CANCELLED_LEADS, cast, offices=["Garage"])
    keep = fanout(Slot.CANCELLED_LEADS, cast, lead_sources=["facebook"])
    lead = new_lead(cast["Sliding"])
    leads.change_status(lead=lead, actor=None, status="irrelevant", reason="Spam")
    event = DomainEvent.objects.get(name="lead.status_changed")
    routing.make_deliveries(event)
    assert list(Delivery.objects.values_list("endpoint", flat=True)) == [keep.pk]


@pytest.mark.parametrize("is_main", [True, False])
def test_disabled_or_gone_endpoints_get_nothing(cast, is_main):
    live = Endpoint.objects.create(slot=Slot.NEW_LEAD, is_main=is_main, url="http://127.0.0.1:9/a")
    Endpoint.objects.create(
        slot=Slot.NEW_LEAD, is_main=False, enabled=False, url="http://127.0.0.1:9/off"
    )
    Endpoint.objects.create(
        slot=Slot.NEW_LEAD, is_main=False, gone_at=timezone.now(), url="http://127.0.0.1:9/gone"
    )
    new_lead(cast["Sliding"])
    routing.make_deliveries(DomainEvent.objects.get(name="lead.created"))
    assert list(Delivery.objects.values_list("endpoint", flat=True)) == [live.pk]
    live.enabled = False
    live.save()
    new_lead(cast["Sliding"])
    assert (
        routing.make_deliveries(DomainEvent.objects.filter(name="lead.created").latest("pk")) == {}
    )


def test_a_fanout_lookup_failure_is_logged_and_never_blocks_the_main_url(cast, monkeypatch, caplog):
    main = Endpoint.objects.create(slot=Slot.NEW_LEAD, is_main=True, url="http://127.0.0.1:9/main")
    fanout(Slot.NEW_LEAD, cast)

    def broken(event, *, is_job):
        raise RuntimeError("fan-out table unreadable")

    monkeypatch.setattr(routing, "fanout_filter", broken)
    new_lead(cast["Sliding"])
    with caplog.at_level(logging.ERROR, logger="automations.webhooks.routing"):
        made = routing.make_deliveries(DomainEvent.objects.get(name="lead.created"))
    assert list(Delivery.objects.values_list("endpoint", flat=True)) == [main.pk]
    assert made == {Slot.NEW_LEAD: [Delivery.objects.get().pk]}
    assert "fan-out lookup failed" in caplog.text


def test_the_fanout_lookup_is_one_query_whatever_the_filters(cast, django_assert_num_queries):
    for filters in (
        {},
        {"offices": ["Sliding"]},
        {"partners": ["GDQ"], "lead_sources": ["google"]},
    ):
        fanout(Slot.NEW_LEAD, cast, **filters)
    new_lead(cast["Sliding"])
    event = DomainEvent.objects.get(name="lead.created")
    # The main URLs, then the matching fan-outs inside a savepoint (SAVEPOINT, RELEASE).
    with django_assert_num_queries(4):
        found = routing.endpoints_for(event, routing.slots_for(event))
    assert len(found) == 2
