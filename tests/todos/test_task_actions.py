"""Create, edit, delete, Done and re-open per role (spec: Tasks panel → Permissions), the
parent's timeline lines, and what happens to tasks when their lead or job goes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from crm.models import DomainEvent
from crm.permissions import OutOfScope
from crm.timeline.models import TimelineEntry
from crm.todos import services
from crm.todos.models import Task
from jobs.services.archiving import archive_job, delete_job
from leads.services.working import archive_lead, delete_lead
from tests.factories import JobFactory, LeadFactory

pytestmark = pytest.mark.django_db
SOON = datetime.timedelta(hours=1)


def new_task(actor, **fields) -> Task:
    values = {"title": "Call Mrs. Diaz back", "due_at": timezone.now() + SOON}
    return services.create_task(actor, **values | fields)


def timeline(record) -> list[str]:
    return list(
        TimelineEntry.objects.filter(subject_type=record._meta.model_name, subject_id=record.pk)
        .order_by("pk")
        .values_list("body", flat=True)
    )


# --- Create -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "admin", "finance", "agent"])
def test_every_non_viewer_creates_a_task_for_her_office(people, garage, role):
    actor = people[role]
    task = new_task(actor, assignee_office=garage)
    assert (task.created_by, task.assignee_office, task.office) == (actor, garage, garage)
    event = DomainEvent.objects.get(name="task.created")
    assert event.payload["task"]["title"] == "Call Mrs. Diaz back"
    assert event.payload["task"]["assignee"] == "🏢 Garage"


@pytest.mark.parametrize("role", ["viewer", "partner"])
def test_viewers_and_partners_cannot_create(people, garage, role):
    with pytest.raises(PermissionDenied):
        new_task(people[role], assignee_office=garage)
    assert not Task.objects.exists()


def test_an_agent_assigns_a_teammate_but_not_someone_outside_her_offices(people):
    task = new_task(people["agent"], assignee_user=people["teammate"])
    assert task.assignee_user == people["teammate"]
    assert task.office is None
    with pytest.raises(services.TaskError, match="shares one of your offices"):
        new_task(people["agent"], assignee_user=people["sliding_agent"])
    with pytest.raises(services.TaskError, match="shares one of your offices"):
        new_task(people["agent"], assignee_user=people["viewer"])
    assert Task.objects.count() == 1


def test_the_owner_assigns_anyone(people):
    task = new_task(people["owner"], assignee_user=people["sliding_agent"])
    assert task.assignee_user == people["sliding_agent"]


def test_an_agent_cannot_give_a_task_to_another_office(people, sliding):
    with pytest.raises(services.TaskError, match="one of your offices"):
        new_task(people["agent"], assignee_office=sliding)
    assert not Task.objects.exists()


def test_a_task_needs_exactly_one_assignee(people, garage):
    with pytest.raises(services.TaskError, match="one person or one office"):
        new_task(people["agent"])
    with pytest.raises(services.TaskError, match="one person or one office"):
        new_task(people["agent"], assignee_user=people["agent"], assignee_office=garage)


def test_a_blank_title_is_refused(people):
    with pytest.raises(services.TaskError, match="Give the task a title."):
        new_task(people["agent"], title="   ", assignee_user=people["agent"])


# --- Links and the parent's timeline --------------------------------------------------


def test_a_task_on_a_lead_writes_the_leads_timeline_and_takes_its_office(people, garage):
    lead = LeadFactory(office=garage)
    task = new_task(people["agent"], assignee_user=people["agent"], lead=lead)
    assert task.office == garage
    assert task.link == ("lead", f"L-{lead.pk}", f"/leads/{lead.pk}")
    assert timeline(lead) == ['📋 Task created: "Call Mrs. Diaz back"']
    services.complete_task(people["agent"], task.pk)
    assert timeline(lead)[-1] == '✅ Task completed: "Call Mrs. Diaz back"'


def test_a_task_on_a_job_writes_the_jobs_timeline(people, garage):
    job = JobFactory(office=garage)
    task = new_task(people["agent"], assignee_office=garage, job=job)
    assert task.link == ("job", job.display_id, f"/jobs/{job.pk}")
    services.complete_task(people["teammate"], task.pk)
    assert timeline(job) == [
        '📋 Task created: "Call Mrs. Diaz back"',
        '✅ Task completed: "Call Mrs. Diaz back"',
    ]


@pytest.mark.parametrize("factory", [LeadFactory, JobFactory])
def test_linking_a_record_in_another_office_is_out_of_scope_and_saves_nothing(
    people, sliding, factory
):
    record = factory(office=sliding)
    name = record._meta.model_name
    with pytest.raises(OutOfScope):
        new_task(people["agent"], assignee_user=people["agent"], **{name: record})
    assert not Task.objects.exists()
    assert timeline(record) == []
    assert not DomainEvent.objects.filter(name="task.created").exists()


def test_a_task_links_a_lead_or_a_job_not_both(people, garage):
    with pytest.raises(services.TaskError, match="not both"):
        new_task(
            people["agent"],
            assignee_user=people["agent"],
            lead=LeadFactory(office=garage),
            job=JobFactory(office=garage),
        )


def test_deleting_the_lead_deletes_its_tasks_archiving_keeps_them(people, garage):
    lead = LeadFactory(office=garage)
    kept = new_task(people["agent"], assignee_user=people["agent"])
    linked = new_task(people["agent"], assignee_user=people["agent"], lead=lead)
    lead = archive_lead(lead=lead, actor=people["admin"])
    assert Task.objects.filter(pk=linked.pk).exists()
    delete_lead(lead=lead, actor=people["owner"])
    assert list(Task.objects.all()) == [kept]


def test_deleting_the_job_deletes_its_tasks_archiving_keeps_them(people, garage):
    job = JobFactory(office=garage)
    linked = new_task(people["agent"], assignee_office=garage, job=job)
    job = archive_job(job=job, actor=people["admin"])
    assert Task.objects.filter(pk=linked.pk).exists()
    delete_job(job=job, actor=people["owner"])
    assert not Task.objects.exists()


# --- Edit and delete ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["creator", "assignee", "admin", "finance", "owner"])
def test_the_creator_the_assignee_and_admins_edit_and_delete(people, who):
    task = new_task(people["agent"], assignee_user=people["teammate"])
    actor = {
        "creator": people["agent"],
        "assignee": people["teammate"],
        "admin": people["admin"],
        "finance": people["finance"],
        "owner": people["owner"],
    }[who]
    later = task.due_at + SOON
    task = services.update_task(actor, task, title="Call Mrs. Diaz about the quote", due_at=later)
    task.refresh_from_db()
    assert (task.title, task.due_at) == ("Call Mrs. Diaz about the quote", later)
    services.delete_task(actor, task)
    assert not Task.objects.exists()


def test_another_agent_of_the_office_may_finish_an_office_task_not_edit_or_delete_it(
    people, garage
):
    task = new_task(people["agent"], assignee_office=garage)
    other = people["teammate"]
    with pytest.raises(services.TaskError, match="creator, its assignee and admins"):
        services.update_task(other, task, title="Mine now")
    with pytest.raises(services.TaskError, match="creator, its assignee and admins"):
        services.delete_task(other, task)
    task.refresh_from_db()
    assert task.title == "Call Mrs. Diaz back"
    assert services.complete_task(other, task.pk).done_by == other


def test_a_persons_own_task_is_private_from_her_agent_teammates(people):
    task = new_task(people["agent"], assignee_user=people["agent"])
    with pytest.raises(OutOfScope):
        services.update_task(people["teammate"], task, title="Mine now")
    with pytest.raises(OutOfScope):
        services.complete_task(people["teammate"], task.pk)


@pytest.mark.parametrize("role", ["viewer", "partner"])
def test_viewers_and_partners_may_not_edit_or_delete(people, role):
    task = new_task(people["agent"], assignee_user=people["agent"])
    with pytest.raises(PermissionDenied):
        services.update_task(people[role], task, title="No")
    with pytest.raises(PermissionDenied):
        services.delete_task(people[role], task)
    assert Task.objects.get().title == "Call Mrs. Diaz back"


def test_an_admin_of_another_office_gets_404_for_a_task_she_cannot_see(people, garage):
    task = new_task(people["agent"], assignee_office=garage)
    with pytest.raises(OutOfScope):
        services.update_task(people["sliding_admin"], task, title="No")
    with pytest.raises(OutOfScope):
        services.delete_task(people["sliding_admin"], task)
    with pytest.raises(OutOfScope):
        services.complete_task(people["sliding_admin"], task.pk)
    assert Task.objects.get().done_at is None


def test_editing_moves_an_office_task_to_a_person(people, garage):
    task = new_task(people["agent"], assignee_office=garage)
    task = services.update_task(
        people["agent"], task, assignee_office=None, assignee_user=people["teammate"]
    )
    assert (task.assignee_user, task.assignee_office, task.office) == (
        people["teammate"],
        None,
        None,
    )


def test_editing_never_moves_the_link(people, garage):
    lead = LeadFactory(office=garage)
    task = new_task(people["agent"], assignee_user=people["agent"], lead=lead)
    with pytest.raises(TypeError):
        services.update_task(people["agent"], task, lead=None)


# --- Done and re-open -----------------------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "teammate", "admin", "finance", "owner"])
def test_any_non_viewer_who_sees_an_office_task_marks_it_done_and_reopens_it(people, garage, role):
    task = new_task(people["agent"], assignee_office=garage)
    done = services.complete_task(people[role], task.pk)
    assert (done.done_by, done.done_at is not None) == (people[role], True)
    reopened = services.reopen_task(people[role], task.pk)
    assert (reopened.done_by, reopened.done_at) == (None, None)
    names = list(DomainEvent.objects.order_by("pk").values_list("name", flat=True))
    assert names == ["task.created", "task.completed", "task.reopened"]


@pytest.mark.parametrize("role", ["viewer", "partner"])
def test_viewers_and_partners_cannot_mark_done(people, garage, role):
    task = new_task(people["agent"], assignee_office=garage)
    with pytest.raises(PermissionDenied):
        services.complete_task(people[role], task.pk)
    assert Task.objects.get().done_at is None


def test_an_agent_cannot_finish_another_offices_task(people, sliding):
    task = new_task(people["sliding_agent"], assignee_office=sliding)
    with pytest.raises(OutOfScope):
        services.complete_task(people["agent"], task.pk)


def test_a_second_done_says_who_finished_it_first_and_changes_nothing(people, garage):
    task = new_task(people["agent"], assignee_office=garage)
    ten_oh_four = datetime.datetime(2026, 5, 1, 14, 4, tzinfo=datetime.UTC)  # 10:04 AM EDT
    Task.objects.filter(pk=task.pk).update(done_at=ten_oh_four, done_by=people["agent"])
    with pytest.raises(services.TaskError) as refusal:
        services.complete_task(people["teammate"], task.pk)
    assert refusal.value.message == f"Already done by {people['agent'].first_name} at 10:04 AM ET"
    task.refresh_from_db()
    assert (task.done_by, task.done_at) == (people["agent"], ten_oh_four)
    assert not DomainEvent.objects.filter(name="task.completed").exists()


def test_reopening_an_open_task_changes_nothing(people, garage):
    task = new_task(people["agent"], assignee_office=garage)
    assert services.reopen_task(people["agent"], task.pk).done_at is None
    assert not DomainEvent.objects.filter(name="task.reopened").exists()
