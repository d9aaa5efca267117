import pytest
from django.core.cache import cache

from contractors import geocoding
from crm.accounts.models import Role
from tests import fake_google as fakes
from tests.factories import OfficeFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and live-sync stamps start from zero in every test."""
    cache.clear()
    yield


@pytest.fixture
def office(db):
    return OfficeFactory(name="Sliding")


@pytest.fixture
def owner(db):
    return UserFactory(role=Role.OWNER, first_name="Olivia")


@pytest.fixture
def make_user(db):
    return UserFactory


@pytest.fixture
def fake_google(settings, monkeypatch):
    """A local stand-in for Google's web services, with a key set; set `.answer`."""
    server = fakes.start()
    settings.GOOGLE_MAPS_API_KEY = "AIzaTestKey"
    monkeypatch.setattr(geocoding, "GOOGLE_BASE_URL", f"http://127.0.0.1:{server.server_port}")
    yield server
    server.shutdown()
    server.server_close()
