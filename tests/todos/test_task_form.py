"""The task editor's form: inline errors, New York due times, the hidden lead / job link."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from crm.permissions import OutOfScope
from crm.todos.forms import TaskForm
from crm.todos.models import Task
from tests.factories import JobFactory, LeadFactory

pytestmark = pytest.mark.django_db
GOOD = {"title": "Call Mrs. Diaz back", "due_at": "2026-05-01T14:30", "assign_to": "user"}


def form_for(actor, **fields) -> TaskForm:
    return TaskForm(actor, GOOD | {"assignee_user": actor.pk} | fields)


def saved(form: TaskForm) -> Task:
    assert form.is_valid(), form.errors
    return form.save()


def test_the_due_is_read_on_the_new_york_clock(people):
    task = saved(form_for(people["agent"]))
    assert task.due_at == datetime.datetime(2026, 5, 1, 14, 30, tzinfo=ZoneInfo("America/New_York"))
    assert task.due_at == datetime.datetime(2026, 5, 1, 18, 30, tzinfo=datetime.UTC)


def test_a_missing_title_is_refused_inline(people):
    form = form_for(people["agent"], title="")
    assert not form.is_valid()
    assert form.errors["title"] == ["Give the task a title."]
    assert not Task.objects.exists()


@pytest.mark.parametrize("due", ["", "tomorrow", "2026-13-01T10:00", "2026-05-01 25:00"])
def test_a_malformed_due_is_refused_inline(people, due):
    form = form_for(people["agent"], due_at=due)
    assert not form.is_valid()
    assert form.errors["due_at"] == ["Enter a date and time like 2026-05-01 14:30."]


def test_office_assignment_needs_an_office_of_hers(people, garage, sliding):
    form = form_for(people["agent"], assign_to="office")
    assert not form.is_valid()
    assert form.errors["assignee_office"] == ["Pick an office."]
    form = form_for(people["agent"], assign_to="office", assignee_office=sliding.pk)
    assert not form.is_valid()
    assert "assignee_office" in form.errors
    form = form_for(people["agent"], assign_to="office", assignee_office=garage.pk)
    assert form.is_valid()
    task = form.save()
    assert (task.assignee_office, task.assignee_user) == (garage, None)


def test_the_people_offered_share_one_of_her_offices(people):
    offered = set(TaskForm(people["agent"]).fields["assignee_user"].queryset)
    assert people["agent"] in offered
    assert people["teammate"] in offered
    assert people["admin"] in offered
    assert people["owner"] in offered
    assert people["sliding_agent"] not in offered
    assert people["viewer"] not in offered
    assert people["partner"] not in offered


def test_a_hidden_lead_in_another_office_is_out_of_scope_and_saves_nothing(people, sliding):
    lead = LeadFactory(office=sliding)
    form = form_for(people["agent"], lead=lead.pk)
    assert form.is_valid()
    with pytest.raises(OutOfScope):
        form.save()
    assert not Task.objects.exists()


def test_a_hidden_id_naming_no_record_is_out_of_scope(people):
    form = form_for(people["agent"], job=987654)
    assert form.is_valid()
    with pytest.raises(OutOfScope):
        form.save()


def test_a_job_link_prefills_and_saves(people, garage):
    job = JobFactory(office=garage)
    blank = TaskForm(people["agent"], job=job)
    assert blank["job"].value() == job.pk
    assert blank.link == job
    task = saved(form_for(people["agent"], job=job.pk))
    assert task.job == job


def test_editing_shows_the_task_in_new_york_time_and_keeps_the_link(people, garage):
    lead = LeadFactory(office=garage)
    task = saved(form_for(people["agent"], lead=lead.pk))
    form = TaskForm(people["agent"], instance=task)
    assert form["due_at"].value() == "2026-05-01T14:30"
    assert form["lead"].value() == lead.pk
    fields = GOOD | {"title": "Call Mrs. Diaz about the quote", "assignee_user": people["agent"].pk}
    edited = saved(TaskForm(people["agent"], fields, instance=task))
    assert (edited.title, edited.lead) == ("Call Mrs. Diaz about the quote", lead)


def test_a_refusal_of_the_action_becomes_a_form_error(people, garage):
    task = saved(form_for(people["agent"], assign_to="office", assignee_office=garage.pk))
    fields = GOOD | {"title": "Renamed", "assign_to": "office", "assignee_office": garage.pk}
    form = TaskForm(people["teammate"], fields, instance=task)
    assert form.is_valid()
    assert form.save_or_error() is None
    assert form.non_field_errors() == [
        "Only its creator, its assignee and admins can change this task."
    ]
    assert Task.objects.get().title == "Call Mrs. Diaz back"
