"""Shared cast for the finance tests: the Sliding office, a finance admin, GDQ (keeps 35%),
the house brand (keeps 100%), Mike (30% profit share) and a Done job with money on it."""

import datetime
from decimal import Decimal

import pytest

from crm.accounts.models import Role
from jobs.models import Status
from tests import fake_smtp as smtp_server
from tests.factories import (
    ContractorFactory,
    JobFactory,
    JobPartnerFactory,
    OfficeFactory,
    UserFactory,
)


@pytest.fixture
def sliding(db):
    return OfficeFactory(name="Sliding")


@pytest.fixture
def fiona(sliding):
    return UserFactory(
        role=Role.FINANCE_ADMIN, first_name="Fiona", last_name="Finch", offices=[sliding]
    )


@pytest.fixture
def gdq(db):
    return JobPartnerFactory(name="GDQ", keep_rate=Decimal("35"))


@pytest.fixture
def house(db):
    return JobPartnerFactory(name="BookBack Home", keep_rate=Decimal("100"))


@pytest.fixture
def mike(db):
    return ContractorFactory(
        name="Mike Hernandez", profit_share=30, report_email="mike@contractors.test"
    )


@pytest.fixture
def make_job(sliding, gdq, mike):
    """A job in Sliding for GDQ and Mike; Done with $900 closing, $120.50 parts and a 30%
    profit share unless told otherwise."""

    def make(**fields):
        defaults = {
            "office": sliding,
            "source": gdq,
            "contractor": mike,
            "status": Status.DONE,
            "closing_total": Decimal("900.00"),
            "parts_total": Decimal("120.50"),
            "profit_share": Decimal("30.00"),
            "first_name": "Emily",
            "last_name": "Harrison",
            "starts_at": datetime.datetime(2026, 5, 4, 13, 0, tzinfo=datetime.UTC),
        }
        return JobFactory(**{**defaults, **fields})

    return make


@pytest.fixture
def job(make_job):
    return make_job()


@pytest.fixture
def fake_smtp():
    """A local SMTP server; yields (port, inbox)."""
    controller, inbox = smtp_server.start()
    yield controller.port, inbox
    controller.stop()
