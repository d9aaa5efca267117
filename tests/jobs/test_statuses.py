"""The spec's status table: what each status needs, and the event (with what was entered)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from crm.accounts.models import Role
from crm.errors import DomainError
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent, TimelineEntry
from jobs.models import Job, Status
from jobs.services import change_status, reschedule_follow_up
from tests.factories import CancelReasonFactory, JobFactory, UserFactory

pytestmark = pytest.mark.django_db

FOLLOW_UP = datetime.datetime(2026, 5, 6, 14, 0, tzinfo=datetime.UTC)  # 10 AM in Miami


@pytest.fixture
def job(sliding, gdq):
    return JobFactory(office=sliding, source=gdq, first_name="Mike", last_name="Patel")


def status_event() -> dict:
    return DomainEvent.objects.filter(name="job.status_changed").latest("id").payload


# status, the fields it needs, what its event carries of them
TABLE = [
    (Status.IN_PROGRESS, {}, {}),
    (
        Status.DEPOSIT,
        {
            "note": "Glass ordered",
            "expected_completion": datetime.date(2026, 5, 9),
            "deposit_amount": Decimal("150"),
        },
        {"note": "Glass ordered", "expected_completion": "2026-05-09", "deposit_amount": "150.00"},
    ),
    (
        Status.PENDING,
        {"note": "Client away", "follow_up_at": FOLLOW_UP},
        {"note": "Client away", "follow_up_at": "2026-05-06T14:00:00+00:00"},
    ),
    (
        Status.DONE,
        {"closing_total": Decimal("900"), "parts_total": Decimal("120.50")},
        {"closing_total": "900.00", "parts_total": "120.50"},
    ),
    (
        Status.CANCELLED,
        {"cancel_reason": "Client no-show"},
        {"cancel_reason": "Client no-show"},
    ),
]


@pytest.mark.parametrize(("status", "fields", "entered"), TABLE)
def test_each_status_with_its_fields_fires_its_event(agent, job, status, fields, entered):
    if "cancel_reason" in fields:
        fields = {"cancel_reason": CancelReasonFactory(label=fields["cancel_reason"])}

    change_status(job=job, actor=agent, status=status, **fields)

    job.refresh_from_db()
    assert job.status == status
    for field, value in fields.items():
        assert getattr(job, "status_note" if field == "note" else field) == value
    payload = status_event()
    assert payload == {
        "job": job.pk,
        "snapshot": payload["snapshot"],
        "old": "submitted",
        "new": status,
        "reopened": False,
        **entered,
    }
    assert payload["snapshot"]["Status"] == Status(status).label
    assert AuditEvent.objects.get(kind="job.status_changed").metadata["new"] == status


@pytest.mark.parametrize(
    ("status", "fields", "message"),
    [
        (Status.DEPOSIT, {"expected_completion": datetime.date(2026, 5, 9)}, "needs a note"),
        (
            Status.DEPOSIT,
            {"note": "n", "deposit_amount": Decimal("150")},
            "expected completion date",
        ),
        (
            Status.DEPOSIT,
            {"note": "n", "expected_completion": datetime.date(2026, 5, 9)},
            "Enter the deposit amount",
        ),
        (
            Status.DEPOSIT,
            {
                "note": "n",
                "expected_completion": datetime.date(2026, 5, 9),
                "deposit_amount": Decimal("0"),
            },
            "must be more than \\$0",
        ),
        (Status.PENDING, {"follow_up_at": FOLLOW_UP}, "Pending needs a note"),
        (Status.PENDING, {"note": "n"}, "follow-up date and time"),
        (Status.DONE, {"closing_total": Decimal("900")}, "Enter the parts total"),
        (Status.DONE, {"parts_total": Decimal("1")}, "Enter the closing total"),
        (
            Status.DONE,
            {"closing_total": Decimal("-1"), "parts_total": Decimal("0")},
            "must be at least",
        ),
        (Status.CANCELLED, {"note": "no show"}, "cancellation reason"),
    ],
)
def test_a_status_without_its_required_fields_changes_nothing(agent, job, status, fields, message):
    with pytest.raises(DomainError, match=message):
        change_status(job=job, actor=agent, status=status, **fields)
    job.refresh_from_db()
    assert job.status == Status.SUBMITTED
    assert not DomainEvent.objects.filter(name="job.status_changed").exists()


def test_the_timeline_line_carries_what_was_entered(agent, job):
    change_status(
        job=job,
        actor=agent,
        status=Status.DEPOSIT,
        note="Glass ordered",
        expected_completion=datetime.date(2026, 5, 9),
        deposit_amount=Decimal("1500"),
    )
    change_status(job=job, actor=agent, status=Status.PENDING, note="Away", follow_up_at=FOLLOW_UP)
    lines = list(
        TimelineEntry.objects.for_subject(job).order_by("id").values_list("body", flat=True)
    )
    assert lines == [
        "Status: Submitted → Deposit · deposit $1,500.00 · expected completion May 9, 2026"
        " · note: Glass ordered",
        "Status: Deposit → Pending · follow-up May 6, 10:00 AM EDT · note: Away",
    ]


def test_money_is_kept_to_the_cent(agent, job):
    change_status(
        job=job,
        actor=agent,
        status=Status.DONE,
        closing_total=Decimal("899.995"),
        parts_total="120.5",
    )
    job.refresh_from_db()
    assert (job.closing_total, job.parts_total) == (Decimal("900.00"), Decimal("120.50"))


def test_re_opening_a_cancelled_job_says_it_was_reopened(agent, job):
    change_status(
        job=job, actor=agent, status=Status.CANCELLED, cancel_reason=CancelReasonFactory()
    )

    change_status(job=job, actor=agent, status=Status.SUBMITTED)

    job.refresh_from_db()
    assert job.status == Status.SUBMITTED and job.cancel_reason is None
    payload = status_event()
    assert payload == {
        "job": job.pk,
        "snapshot": payload["snapshot"],
        "old": "cancelled",
        "new": "submitted",
        "reopened": True,
    }
    assert (
        TimelineEntry.objects.for_subject(job).latest("id").body
        == "♻ Re-opened: Cancelled → Submitted"
    )


def test_moving_back_to_submitted_without_a_cancel_is_no_reopening(agent, job):
    change_status(job=job, actor=agent, status=Status.IN_PROGRESS)
    change_status(job=job, actor=agent, status=Status.SUBMITTED)
    assert status_event()["reopened"] is False
    assert "webhooks" not in status_event()


def test_the_same_status_again_is_refused(agent, job):
    with pytest.raises(DomainError, match="already Submitted"):
        change_status(job=job, actor=agent, status=Status.SUBMITTED)


def test_leaving_pending_drops_the_follow_up(agent, job):
    change_status(job=job, actor=agent, status=Status.PENDING, note="n", follow_up_at=FOLLOW_UP)
    change_status(job=job, actor=agent, status=Status.IN_PROGRESS)
    job.refresh_from_db()
    assert job.follow_up_at is None


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PARTNER])
def test_read_only_roles_cannot_change_a_status(job, sliding, role):
    user = UserFactory(role=role, offices=[sliding], partner_name="GDQ")
    with pytest.raises(PermissionDenied):
        change_status(job=job, actor=user, status=Status.IN_PROGRESS)


def test_an_agent_reschedules_a_pending_follow_up(agent, job):
    change_status(job=job, actor=agent, status=Status.PENDING, note="n", follow_up_at=FOLLOW_UP)

    later = FOLLOW_UP + datetime.timedelta(days=2, hours=4)
    reschedule_follow_up(job=job, actor=agent, follow_up_at=later)

    assert Job.objects.get(pk=job.pk).follow_up_at == later
    assert TimelineEntry.objects.for_subject(job).latest("id").body == (
        "⏰ Follow-up rescheduled: May 6, 10:00 AM EDT → May 8, 2:00 PM EDT"
    )
    assert DomainEvent.objects.filter(name="job.follow_up_rescheduled").exists()


def test_only_a_pending_job_has_a_follow_up_to_reschedule(agent, job):
    with pytest.raises(DomainError, match="Only a Pending job"):
        reschedule_follow_up(job=job, actor=agent, follow_up_at=FOLLOW_UP)
