"""CP → General Settings → 🔁 Recurring Tasks (owner): add, edit, pause, delete, audited."""

import datetime

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from crm.accounts.models import Role
from crm.timeline.models import AuditEvent
from crm.todos import services
from crm.todos.models import Task, TaskTemplate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DAILY = {
    "title": "Check overnight leads",
    "description": "Every lead that came in after 8 PM.",
    "cadence": "daily",
    "time_of_day": "08:00",
    "assign_to": "office",
    "active": "on",
}


def test_the_tile_sits_in_general_settings_for_the_owner(client, owner):
    client.force_login(owner)
    response = client.get(reverse("controlpanel:index"))
    assertContains(response, "Recurring Tasks")
    assertContains(response, reverse("todos:recurring"))


@pytest.mark.parametrize(
    "role", [Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER, Role.PARTNER]
)
def test_only_the_owner_opens_the_page(client, role, garage):
    client.force_login(UserFactory(role=role, offices=[garage]))
    assert client.get(reverse("todos:recurring")).status_code == 403
    assert client.post(reverse("todos:recurring_new"), DAILY).status_code == 403
    assert not TaskTemplate.objects.exists()


def test_the_owner_adds_a_daily_office_template(client, owner, garage):
    client.force_login(owner)
    response = client.post(
        reverse("todos:recurring_new"), DAILY | {"assignee_office": garage.pk}, follow=True
    )
    assertContains(response, "Daily at 8:00 AM ET")
    assertContains(response, "🏢 Garage")
    template = TaskTemplate.objects.get()
    assert template.time_of_day == datetime.time(8)
    assert template.active
    audit = AuditEvent.objects.get(kind="task_template.added")
    assert audit.actor == owner
    assert "Check overnight leads" in audit.text


def test_a_weekly_template_for_a_person_shows_its_weekday(client, owner, garage):
    finance = UserFactory(role=Role.FINANCE_ADMIN, first_name="Fiona", offices=[garage])
    client.force_login(owner)
    fields = DAILY | {
        "title": "Review unpaid contractors",
        "cadence": "weekly",
        "weekday": "0",
        "time_of_day": "09:30",
        "assign_to": "user",
        "assignee_user": finance.pk,
    }
    response = client.post(reverse("todos:recurring_new"), fields, follow=True)
    assertContains(response, "Mondays at 9:30 AM ET")
    assertContains(response, f"👤 {finance.full_name}")
    template = TaskTemplate.objects.get()
    assert (template.weekday, template.day_of_month, template.assignee_user) == (0, None, finance)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Give the task a title."),
        ({"cadence": "weekly"}, "Pick the day of the week."),
        ({"cadence": "monthly"}, "Pick the day of the month."),
        ({"time_of_day": "08:10"}, "Select a valid choice."),
        ({"assign_to": "office"}, "Pick an office."),
        ({"assign_to": "user"}, "Pick a person."),
    ],
)
def test_bad_input_is_refused_inline_and_saves_nothing(client, owner, fields, message):
    client.force_login(owner)
    response = client.post(reverse("todos:recurring_new"), DAILY | fields)
    assert response.status_code == 200
    assertContains(response, message)
    assert not TaskTemplate.objects.exists()
    assert not AuditEvent.objects.filter(kind="task_template.added").exists()


def test_the_owner_pauses_a_template_and_the_tick_skips_it(client, owner, garage):
    template = TaskTemplate.objects.create(
        title="Check overnight leads", time_of_day=datetime.time(8), assignee_office=garage
    )
    client.force_login(owner)
    fields = DAILY | {"assignee_office": garage.pk}
    del fields["active"]
    response = client.post(reverse("todos:recurring_edit", args=[template.pk]), fields, follow=True)
    assertContains(response, "⏸ Paused")
    template.refresh_from_db()
    assert not template.active
    assert AuditEvent.objects.filter(kind="task_template.changed").exists()
    assert services.generate_recurring() == 0


def test_the_edit_form_shows_the_templates_values(client, owner, garage):
    template = TaskTemplate.objects.create(
        title="Month end",
        cadence=TaskTemplate.Cadence.MONTHLY,
        day_of_month=31,
        time_of_day=datetime.time(17, 45),
        assignee_office=garage,
    )
    client.force_login(owner)
    response = client.get(reverse("todos:recurring_edit", args=[template.pk]))
    assertContains(response, 'value="Month end"')
    assertContains(response, '<option value="17:45" selected>5:45 PM</option>', html=True)
    assertContains(response, "Monthly on day 31 at 5:45 PM ET")


def test_deleting_a_template_keeps_its_tasks_and_is_audited(client, owner, garage):
    template = TaskTemplate.objects.create(
        title="Check overnight leads", time_of_day=datetime.time(8), assignee_office=garage
    )
    task = Task.objects.create(
        title=template.title,
        due_at=datetime.datetime(2026, 5, 1, 12, tzinfo=datetime.UTC),
        assignee_office=garage,
        office=garage,
        template=template,
        occurrence_key="2026-05-01",
    )
    client.force_login(owner)
    response = client.post(reverse("todos:recurring_delete", args=[template.pk]), follow=True)
    assertNotContains(response, "Daily at 8:00 AM ET")
    assertContains(response, "the tasks it made stay")
    assert not TaskTemplate.objects.exists()
    task.refresh_from_db()
    assert task.template is None
    assert AuditEvent.objects.filter(kind="task_template.deleted").exists()


def test_the_list_costs_the_same_queries_however_many_templates(
    client, owner, garage, django_assert_num_queries
):
    client.force_login(owner)
    client.get(reverse("todos:recurring"))

    def add(count):
        TaskTemplate.objects.bulk_create(
            TaskTemplate(title=f"T{n}", time_of_day=datetime.time(8), assignee_office=garage)
            for n in range(count)
        )

    add(2)
    with django_assert_num_queries(5) as few:
        client.get(reverse("todos:recurring"))
    add(30)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("todos:recurring"))
