"""Who may do what on Finance, enforced in the actions and the read scope: owner and
finance_admin edit; viewer reads; admin, agent and partner get nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from crm.accounts.models import Role
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent, TimelineEntry
from finance import services
from finance.queries import finance_jobs
from jobs.models import Job, Status
from tests.factories import OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db

EDITORS = [Role.OWNER, Role.FINANCE_ADMIN]
REFUSED = [Role.ADMIN, Role.AGENT, Role.VIEWER, Role.PARTNER]


def user_with(role, office):
    if role == Role.PARTNER:
        return UserFactory(role=role, offices=[], partner_name="GDQ")
    return UserFactory(role=role, offices=[] if role == Role.OWNER else [office])


ACTIONS = {
    "edit money": lambda job, user: services.update_money(
        job=job, actor=user, field="closing_total", value="1000"
    ),
    "contractor paid": lambda job, user: services.set_contractor_paid(
        job=job, actor=user, paid=True
    ),
    "partner paid": lambda job, user: services.set_partner_paid(job=job, actor=user, paid=True),
    "finance-cancel": lambda job, user: services.finance_cancel(
        job=job, actor=user, reason="Chargeback"
    ),
}


@pytest.mark.parametrize("role", EDITORS)
@pytest.mark.parametrize("action", ACTIONS)
def test_owner_and_finance_admin_may_do_every_finance_action(sliding, job, role, action):
    ACTIONS[action](job, user_with(role, sliding))

    assert TimelineEntry.objects.for_subject(job).count() == 1


@pytest.mark.parametrize("role", REFUSED)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_other_role_is_refused_and_nothing_changes(sliding, job, role, action):
    before = Job.objects.values().get(pk=job.pk)

    with pytest.raises(PermissionDenied):
        ACTIONS[action](job, user_with(role, sliding))

    assert Job.objects.values().get(pk=job.pk) == before
    assert not TimelineEntry.objects.exists() and not AuditEvent.objects.exists()
    assert not DomainEvent.objects.exists()


@pytest.mark.parametrize("role", REFUSED)
def test_undoing_a_finance_cancel_is_refused_too(sliding, job, fiona, role):
    services.finance_cancel(job=job, actor=fiona, reason="Refund")

    with pytest.raises(PermissionDenied):
        services.undo_finance_cancel(job=job, actor=user_with(role, sliding))

    assert Job.objects.get(pk=job.pk).is_finance_cancelled


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        (Role.OWNER, True),
        (Role.FINANCE_ADMIN, True),
        (Role.VIEWER, True),  # read-only: the actions above refuse it
        (Role.ADMIN, False),
        (Role.AGENT, False),
        (Role.PARTNER, False),
    ],
)
def test_the_finance_list_is_open_to_owner_finance_admin_and_viewer(sliding, job, role, sees):
    jobs = finance_jobs(user_with(role, sliding))

    assert list(jobs) == ([job] if sees else [])


def test_the_finance_list_holds_live_deposit_and_done_jobs_of_the_users_offices(
    sliding, make_job, fiona
):
    done = make_job()
    deposit = make_job(status=Status.DEPOSIT, closing_total=None, parts_total=None)
    for status in (Status.SUBMITTED, Status.IN_PROGRESS, Status.PENDING, Status.CANCELLED):
        make_job(status=status)
    make_job(is_archived=True)
    make_job(office=OfficeFactory(name="Garage"))  # not Fiona's office
    make_job(office=OfficeFactory(name="Joes Doors FL", is_jobs_enabled=False))
    cancelled = make_job(finance_cancelled_at="2026-05-05T12:00:00Z", finance_cancel_reason="x")

    rows = {job.pk: job.payout for job in finance_jobs(fiona)}

    assert rows == {
        done.pk: Decimal("545.65"),
        deposit.pk: Decimal("0.00"),
        cancelled.pk: Decimal("545.65"),
    }


def test_the_finance_list_is_one_query_with_its_payouts(make_job, fiona, django_assert_num_queries):
    for _ in range(5):
        make_job()
    fiona = UserFactory._meta.model.objects.get(pk=fiona.pk)  # a fresh user: offices not cached

    with django_assert_num_queries(2):  # the user's offices, then the jobs
        assert len(list(finance_jobs(fiona))) == 5
