import os

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from contractors import geocoding
from crm.accounts.models import Role
from tests import fake_google as fakes
from tests.factories import OfficeFactory, UserFactory

# Property-based tests (the public endpoints' fuzzing): a short run in `make test`, a long
# one in `make fuzz`. Examples share the test's database, so tests compare counts per
# example; the function-scoped fixtures are meant to be shared.
_FUZZ_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    "database": None,
}
hypothesis_settings.register_profile("default", max_examples=60, **_FUZZ_COMMON)
hypothesis_settings.register_profile("fuzz", max_examples=3000, **_FUZZ_COMMON)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


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
