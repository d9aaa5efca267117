"""Shared cast for the jobs tests: the Sliding office, its staff, a Repair type, the GDQ
partner and a Miami service area with a contractor who covers it."""

import datetime

import pytest

from crm.accounts.models import Role
from tests.factories import (
    ContractorFactory,
    JobPartnerFactory,
    JobTypeFactory,
    OfficeFactory,
    ServiceAreaFactory,
    UserFactory,
)

MIAMI_AREA = {"label": "Miami", "zip_code": "33101", "area_code": "305"}


@pytest.fixture
def sliding(db):
    return OfficeFactory(name="Sliding")


@pytest.fixture
def agent(sliding):
    return UserFactory(role=Role.AGENT, first_name="Dana", offices=[sliding])


@pytest.fixture
def admin(sliding):
    return UserFactory(role=Role.ADMIN, first_name="Ada", offices=[sliding])


@pytest.fixture
def repair(db):
    return JobTypeFactory(label="Repair")


@pytest.fixture
def gdq(db):
    return JobPartnerFactory(name="GDQ")


@pytest.fixture
def miami(db):
    return ServiceAreaFactory(**MIAMI_AREA, office_address="1 Brickell Ave, Miami, FL")


@pytest.fixture
def mike(repair, miami):
    """Covers Miami, handles Repair, 30% (35% for GDQ jobs)."""
    return ContractorFactory(
        name="Mike Hernandez",
        job_types=[repair],
        service_areas=[miami],
        profit_share=30,
        secondary_profit_share=35,
        secondary_partners=["gdq"],
    )


@pytest.fixture
def starts_at():
    return datetime.datetime(2026, 5, 2, 13, 0, tzinfo=datetime.UTC)  # 9 AM in Miami


@pytest.fixture
def new_job(sliding, repair, gdq, starts_at):
    """Fields of a valid New Job form (add or override per test)."""

    def fields(**overrides):
        return {
            "office": sliding,
            "first_name": "Emily",
            "last_name": "Harrison",
            "phone": "(305) 555-0142",
            "street": "100 Biscayne Blvd",
            "zip_code": "33132",
            "job_type": repair,
            "source": gdq,
            "starts_at": starts_at,
            **overrides,
        }

    return fields
