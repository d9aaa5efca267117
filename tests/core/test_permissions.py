"""The whole role x capability matrix, written out from the spec, denials included."""

import pytest

from crm import permissions
from crm.accounts.models import Role
from tests.factories import OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db

OWN, ADM, FIN, AGT, VWR, PTR = "owner", "admin", "finance_admin", "agent", "viewer", "partner"
# Spec: Login & roles → Page access by role, Topbar, Users & permissions (+ the issues' choices).
EXPECTED = {
    "leads.view": {OWN, ADM, FIN, AGT, VWR, PTR},
    "leads.edit": {OWN, ADM, FIN, AGT},
    "jobs.view": {OWN, ADM, FIN, AGT, VWR, PTR},
    "jobs.create": {OWN, ADM, FIN, AGT},
    "finance.view": {OWN, FIN, VWR},
    "finance.edit": {OWN, FIN},
    "contractors.view": {OWN, ADM, FIN, AGT, VWR},
    "contractors.edit": {OWN, FIN},
    "service_areas.view": {OWN, ADM, FIN, AGT, VWR},
    "service_areas.edit": {OWN, FIN},
    "help.view": {OWN, ADM, FIN, AGT, VWR, PTR},
    "contractors.zones": {OWN, ADM, FIN},
    "leads.create": {OWN, ADM, FIN, AGT},
    "leads.choose_office": {OWN, ADM, FIN},
    "leads.claim_on_create": {AGT},
    "leads.import": {OWN, ADM, FIN},
    "leads.archive": {OWN, ADM, FIN},
    "leads.delete": {OWN},
    "leads.duplicates": {OWN},
    "jobs.edit": {OWN, ADM, FIN, AGT},
    "jobs.tag": {OWN, ADM, FIN},
    "jobs.import": {OWN, ADM, FIN},
    "jobs.archive": {OWN, ADM, FIN},
    "jobs.delete": {OWN},
    "jobs.contractor_details": {OWN, ADM, FIN, AGT, VWR},
    "jobs.all_partners": {OWN, ADM, FIN, AGT, VWR},
    "controlpanel.access": {OWN},
    "timeline.view": {OWN, ADM, FIN, VWR},
    "audit.view": {OWN},
    "users.view": {OWN, ADM, FIN, AGT, VWR},
    "users.manage": {OWN},
    "webhooks.manage": {OWN},
    "webhooks.replay": {OWN},
    "automations.manage": {OWN},
    # Issue 18 (Messaging): the panel for every staff role, replies for writers.
    "sms.view": {OWN, ADM, FIN, AGT, VWR},
    "sms.reply": {OWN, ADM, FIN, AGT},
    "sms.manage": {OWN},
    "sms.optouts": {OWN, ADM, FIN},
    "tasks.view": {OWN, ADM, FIN, AGT, VWR},
    "tasks.create": {OWN, ADM, FIN, AGT},
    "tasks.edit": {OWN, ADM, FIN, AGT},
    "tasks.complete": {OWN, ADM, FIN, AGT},
    "tasks.view_all": {OWN, ADM, FIN},
    "tasks.recurring": {OWN},
    "reports.view": {OWN, ADM, FIN, AGT, VWR},
    "reports.email": {OWN},
    "assistant.use": {OWN, ADM, FIN, AGT, VWR},
    "assistant.manage": {OWN},
    "assistant.replay": {OWN},
}


def test_the_matrix_covers_exactly_the_expected_capabilities():
    assert {capability.name for capability in permissions.CAPABILITIES} == set(EXPECTED)


@pytest.mark.parametrize("role", [role.value for role in Role])
@pytest.mark.parametrize("capability", sorted(EXPECTED))
def test_role_has_capability_only_where_the_spec_grants_it(role, capability):
    user = UserFactory(role=role, partner_name="GDQ" if role == PTR else "")
    assert permissions.can(user, capability) is (role in EXPECTED[capability])


def test_inactive_users_can_do_nothing():
    user = UserFactory(role=Role.OWNER, is_active=False)
    assert not any(permissions.can(user, name) for name in EXPECTED)


def test_jobs_pages_are_closed_to_users_whose_offices_all_have_jobs_off():
    florida = OfficeFactory(name="Joes Doors FL", is_jobs_enabled=False)
    agent = UserFactory(role=Role.AGENT, offices=[florida])
    assert not permissions.can(agent, "jobs.view")
    assert not permissions.can(agent, "contractors.view")
    assert not permissions.can(agent, "service_areas.view")
    assert permissions.can(agent, "leads.view")


def test_one_jobs_enabled_office_is_enough():
    florida = OfficeFactory(name="Joes Doors FL", is_jobs_enabled=False)
    garage = OfficeFactory(name="Garage", is_jobs_enabled=True)
    agent = UserFactory(role=Role.AGENT, offices=[florida, garage])
    assert permissions.can(agent, "jobs.view")


def test_unknown_capabilities_are_a_programming_error():
    with pytest.raises(KeyError):
        permissions.can(UserFactory(), "leads.fly")
