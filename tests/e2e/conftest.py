"""Real Chromium (Debian's) through Playwright, against pytest-django's live server."""

import os
from pathlib import Path

import pytest

from crm.accounts.models import Role
from tests.factories import (
    PASSWORD,
    ContractorFactory,
    JobPartnerFactory,
    JobTypeFactory,
    OfficeFactory,
    ServiceAreaFactory,
    UserFactory,
)

CHROMIUM = Path("/usr/lib/chromium/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"E2E tests must run in CI, but {CHROMIUM} is missing.")
    skip = pytest.mark.skip(
        reason="Debian's chromium is not installed (apt-get install -y chromium)"
    )
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": FLAGS}


@pytest.fixture
def people(transactional_db):
    """One user per role across the demo offices."""
    sliding = OfficeFactory(name="Sliding")
    garage = OfficeFactory(name="Garage")
    OfficeFactory(name="Joes Doors FL", is_jobs_enabled=False)
    return {
        Role.OWNER: UserFactory(email="owner@example.com", first_name="Olivia", role=Role.OWNER),
        Role.ADMIN: UserFactory(
            email="admin@example.com", first_name="Adam", role=Role.ADMIN, offices=[sliding]
        ),
        Role.FINANCE_ADMIN: UserFactory(
            email="finance@example.com",
            first_name="Fiona",
            role=Role.FINANCE_ADMIN,
            has_all_offices=True,
        ),
        Role.AGENT: UserFactory(
            email="agent@example.com", first_name="Omri", role=Role.AGENT, offices=[garage]
        ),
        Role.VIEWER: UserFactory(
            email="viewer@example.com", first_name="Victor", role=Role.VIEWER, offices=[sliding]
        ),
        Role.PARTNER: UserFactory(
            email="partner@example.com", first_name="Pat", role=Role.PARTNER, partner_name="GDQ"
        ),
    }


@pytest.fixture
def sign_in(page, live_server):
    def sign_in_as(email: str):
        page.goto(f"{live_server.url}/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login" not in url)
        return page

    return sign_in_as


@pytest.fixture
def google_maps(page, transactional_db):
    """A Google key in CP → Google Places API, and Google's Maps JS faked at its URL by
    fake_google_maps.js (drawn as plain DOM). Returns the script URLs the page asked for."""
    from crm.controlpanel.models import AppSettings

    settings = AppSettings.load()
    settings.google_places_api_key = "AIza-test-key"
    settings.save()
    fake = (Path(__file__).parent / "fake_google_maps.js").read_text()
    asked = []

    def serve(route):
        asked.append(route.request.url)
        route.fulfill(body=fake, content_type="text/javascript")

    page.route("https://maps.googleapis.com/**", serve)
    return asked


@pytest.fixture
def dispatch(people):
    """A Garage Door contractor covering Miami, and the GDQ job partner."""
    garage_door = JobTypeFactory(label="Garage Door")
    JobPartnerFactory(name="GDQ")
    miami = ServiceAreaFactory(label="Miami", zip_code="33101", lat=25.7751, lng=-80.1947)
    ContractorFactory(name="Mike Hernandez", job_types=[garage_door], service_areas=[miami])
    return miami
