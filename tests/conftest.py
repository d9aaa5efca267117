import pytest
from django.core.cache import cache

from crm.accounts.models import Role
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
