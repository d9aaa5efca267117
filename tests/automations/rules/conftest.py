"""Shared cast for the automation engine tests: Garage with a CTM number (texts go to a
local fake CTM server) and a mail account (a local fake SMTP server), Sliding with
neither, an agent in both, Mike the contractor (phone and report email)."""

import datetime
import itertools

import pytest

from crm.accounts.models import Role
from messaging.models import Line, OfficeSmsSender
from tests import fake_smtp
from tests.factories import (
    ContractorFactory,
    JobFactory,
    JobPartnerFactory,
    JobTypeFactory,
    OfficeFactory,
    ServiceAreaFactory,
    UserFactory,
)
from tests.messaging.conftest import ctm  # noqa: F401  (the fake CTM fixture)

PASSWORD = "app-pass-1234"
TOMORROW_2PM = datetime.datetime(2026, 4, 30, 18, 0, tzinfo=datetime.UTC)  # 2 PM in Miami


@pytest.fixture
def sms(ctm):  # noqa: F811  (the fixture imported above)
    """The fake CTM server, each text given its own provider id."""
    ids = itertools.count(1)
    ctm.answers[("POST", "/sms")] = lambda query: (
        200,
        {"status": "processing", "id": f"SMS{next(ids):020d}"},
    )
    return ctm


def texts_to(api, phone: str) -> int:
    """How many texts the fake CTM server was asked to send to `phone`."""
    return sum(
        1
        for request in api.requests
        if request.path.endswith("/sms") and phone[-10:] in str(request.body)
    )


@pytest.fixture
def garage(db):
    office = OfficeFactory(name="Garage")
    line = Line.objects.create(phone="+13055550100", label="Garage main", office=office)
    OfficeSmsSender.objects.create(office=office, line=line)
    return office


@pytest.fixture
def sliding(db):
    return OfficeFactory(name="Sliding")


@pytest.fixture
def mailbox(monkeypatch, garage):
    """Garage's mail account at a local STARTTLS server with a login."""
    monkeypatch.setenv("SSL_CERT_FILE", fake_smtp.trusted_certificate())
    controller, inbox = fake_smtp.start(
        security="starttls", login=("desk@garage.example", PASSWORD)
    )
    garage.smtp_from_email, garage.smtp_from_name = "desk@garage.example", "Garage Doors"
    garage.smtp_host, garage.smtp_port = "127.0.0.1", controller.port
    garage.smtp_security, garage.smtp_password = "starttls", PASSWORD
    garage.save()
    yield inbox
    controller.stop()


@pytest.fixture
def agent(garage, sliding):
    return UserFactory(role=Role.AGENT, first_name="Dana", offices=[garage, sliding])


@pytest.fixture
def repair(db):
    return JobTypeFactory(label="Repair")


@pytest.fixture
def miami(db):
    return ServiceAreaFactory(
        label="Miami", zip_code="33101", area_code="305", office_address="1 Brickell Ave"
    )


@pytest.fixture
def mike(repair, miami):
    """Covers Miami and handles Repair: the New Job form may assign him."""
    return ContractorFactory(
        name="Mike Hernandez",
        contact_phone="+13055550177",
        report_email="mike@example.com",
        job_types=[repair],
        service_areas=[miami],
    )


@pytest.fixture
def new_job(garage, repair, gdq):
    """Fields of a valid New Job form in Garage (override per test)."""

    def fields(**overrides):
        return {
            "office": garage,
            "first_name": "Emily",
            "last_name": "Harrison",
            "phone": "(305) 555-0142",
            "street": "100 Biscayne Blvd",
            "zip_code": "33132",
            "job_type": repair,
            "source": gdq,
            "starts_at": TOMORROW_2PM,
            **overrides,
        }

    return fields


@pytest.fixture
def gdq(db):
    return JobPartnerFactory(name="GDQ")


@pytest.fixture
def garage_job(garage, mike, repair, gdq):
    def make(**fields):
        values = {
            "office": garage,
            "contractor": mike,
            "job_type": repair,
            "source": gdq,
            "first_name": "Emily",
            "last_name": "Harrison",
            "phone": "+13055550142",
            "email": "emily@example.com",
            "starts_at": TOMORROW_2PM,
            "ends_at": TOMORROW_2PM + datetime.timedelta(hours=2),
        }
        return JobFactory(**{**values, **fields})

    return make
