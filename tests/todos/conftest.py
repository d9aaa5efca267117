"""Two offices (Garage, Sliding) and one person per role, as the Tasks chapters name them."""

import datetime

import factory
import pytest
from django.utils import timezone

from crm.accounts.models import Role
from crm.todos.models import Task
from tests.factories import OfficeFactory, UserFactory


class TaskFactory(factory.django.DjangoModelFactory):
    """An open task for a person, due in an hour; pass assignee_office= (and office=) for an
    office task. Real creates go through `crm.todos.services.create_task`."""

    class Meta:
        model = Task

    title = factory.Sequence(lambda n: f"Call back {n}")
    due_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=1))
    assignee_user = factory.SubFactory(UserFactory)


@pytest.fixture
def garage(db):
    return OfficeFactory(name="Garage")


@pytest.fixture
def sliding(db):
    return OfficeFactory(name="Sliding")


@pytest.fixture
def people(garage, sliding, owner):
    """owner, admin (Garage), finance (Garage), agent + teammate (Garage), viewer (Garage),
    sliding_agent and sliding_admin (Sliding), partner."""
    return {
        "owner": owner,
        "admin": UserFactory(role=Role.ADMIN, first_name="Adam", offices=[garage]),
        "finance": UserFactory(role=Role.FINANCE_ADMIN, first_name="Fiona", offices=[garage]),
        "agent": UserFactory(role=Role.AGENT, first_name="Dana", offices=[garage]),
        "teammate": UserFactory(role=Role.AGENT, first_name="Tom", offices=[garage]),
        "viewer": UserFactory(role=Role.VIEWER, first_name="Victor", offices=[garage]),
        "sliding_agent": UserFactory(role=Role.AGENT, first_name="Sam", offices=[sliding]),
        "sliding_admin": UserFactory(role=Role.ADMIN, first_name="Sara", offices=[sliding]),
        "partner": UserFactory(role=Role.PARTNER, first_name="Pat", partner_name="GDQ"),
    }


@pytest.fixture
def make_task(db):
    return TaskFactory
