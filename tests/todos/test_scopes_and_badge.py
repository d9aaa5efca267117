"""Who sees which task (spec: Tasks panel → Three scopes, Office assignment), the 📋 badge
count and the first-Done-wins race."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from crm.todos import services
from crm.todos.models import Task

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def board(people, garage, sliding, make_task):
    """One task of each kind, by title."""
    agent, teammate = people["agent"], people["teammate"]
    rows = {
        "mine": make_task(assignee_user=agent, created_by=agent),
        "teammates": make_task(assignee_user=teammate, created_by=teammate),
        "for_teammate_by_me": make_task(assignee_user=teammate, created_by=agent),
        "garage": make_task(assignee_user=None, assignee_office=garage, office=garage),
        "sliding": make_task(assignee_user=None, assignee_office=sliding, office=sliding),
        "sliding_agents": make_task(assignee_user=people["sliding_agent"]),
        "finance_on_garage_lead": make_task(assignee_user=people["owner"], office=garage),
    }
    return {task.pk: name for name, task in rows.items()}


def names(board, tasks) -> set[str]:
    return {board[pk] for pk in tasks.values_list("pk", flat=True)}


def test_an_agents_my_tasks_are_hers_and_her_offices(people, board):
    mine = Task.objects.my_tasks(people["agent"])
    assert names(board, mine) == {"mine", "garage"}


def test_my_office_leaves_out_tasks_for_a_person(people, board):
    assert names(board, Task.objects.my_office(people["agent"])) == {"garage"}
    assert names(board, Task.objects.my_office(people["sliding_agent"])) == {"sliding"}


def test_an_agent_sees_her_own_her_offices_and_those_she_created(people, board):
    seen = names(board, Task.objects.visible_to(people["agent"]))
    assert seen == {"mine", "for_teammate_by_me", "garage"}


def test_an_admins_all_stays_inside_her_offices(people, board):
    seen = names(board, Task.objects.all_for(people["admin"]))
    assert seen == {
        "mine",
        "teammates",
        "for_teammate_by_me",
        "garage",
        "finance_on_garage_lead",
    }


def test_the_owners_all_is_everything(people, board):
    assert names(board, Task.objects.all_for(people["owner"])) == set(board.values())


def test_a_viewer_reads_her_offices_tasks(people, board):
    assert names(board, Task.objects.visible_to(people["viewer"])) == {"garage"}
    assert names(board, Task.objects.my_tasks(people["viewer"])) == {"garage"}


def test_partners_see_no_tasks(people, board):
    partner = people["partner"]
    assert not Task.objects.visible_to(partner).exists()
    assert not Task.objects.my_tasks(partner).exists()
    assert not Task.objects.my_office(partner).exists()
    assert services.badge_count(partner) == 0


def test_inactive_users_see_no_tasks(people, board):
    agent = people["agent"]
    agent.is_active = False
    assert not Task.objects.visible_to(agent).exists()
    assert not Task.objects.my_tasks(agent).exists()


def test_the_panel_order_puts_overdue_first_then_by_due_then_done_latest_first(
    people, garage, make_task
):
    now = datetime.datetime(2026, 5, 1, 16, tzinfo=datetime.UTC)
    agent = people["agent"]

    def task(title, hours, done_hours=None):
        done = now + datetime.timedelta(hours=done_hours) if done_hours is not None else None
        return make_task(
            title=title,
            assignee_user=agent,
            due_at=now + datetime.timedelta(hours=hours),
            done_at=done,
            done_by=agent if done else None,
        )

    task("later", 5)
    task("overdue", -3)
    task("soon", 1)
    task("done long ago", -9, done_hours=-8)
    task("done just now", 2, done_hours=-1)
    ordered = Task.objects.my_tasks(agent).in_panel_order()
    assert [row.title for row in ordered] == [
        "overdue",
        "soon",
        "later",
        "done just now",
        "done long ago",
    ]


# --- The badge -------------------------------------------------------------------------


def ny(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=NEW_YORK)


def test_the_badge_counts_open_my_tasks_due_before_midnight_in_new_york(
    people, garage, sliding, make_task
):
    agent = people["agent"]
    make_task(assignee_user=agent, due_at=ny(2026, 5, 1, 23, 59))  # today, late
    make_task(assignee_user=None, assignee_office=garage, due_at=ny(2026, 4, 30, 9))  # overdue
    make_task(assignee_user=agent, due_at=ny(2026, 5, 2, 0, 0))  # tomorrow
    make_task(assignee_user=agent, due_at=ny(2026, 4, 30, 9), done_at=ny(2026, 4, 30, 10))
    make_task(assignee_user=None, assignee_office=sliding, due_at=ny(2026, 4, 30, 9))
    # 11:30 PM in New York is already May 2 in UTC: still today's count.
    with time_machine.travel(ny(2026, 5, 1, 23, 30), tick=False):
        assert services.badge_count(agent) == 2
    with time_machine.travel(ny(2026, 5, 2, 0, 0), tick=False):
        assert services.badge_count(agent) == 3


def test_the_badge_is_one_query_then_cached_until_a_task_changes(
    people, garage, make_task, django_assert_num_queries, django_capture_on_commit_callbacks
):
    teammate = people["teammate"]
    make_task(assignee_user=teammate, due_at=timezone.now())
    with django_assert_num_queries(1):
        assert services.badge_count(teammate) == 1
    with django_assert_num_queries(0):
        assert services.badge_count(teammate) == 1
    with django_capture_on_commit_callbacks(execute=True):
        task = services.create_task(
            people["agent"],
            title="Check overnight leads",
            due_at=timezone.now(),
            assignee_office=garage,
        )
    assert services.badge_count(teammate) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_task(teammate, task.pk)
    assert services.badge_count(teammate) == 1


def test_a_viewer_has_a_badge_for_her_offices_tasks(people, garage, make_task):
    make_task(assignee_user=None, assignee_office=garage, due_at=timezone.now())
    assert services.badge_count(people["viewer"]) == 1


# --- First Done wins ----------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need Postgres")
@pytest.mark.django_db(transaction=True)
def test_two_people_ticking_an_office_task_at_once_the_first_wins(people, garage, make_task):
    task = make_task(assignee_user=None, assignee_office=garage, office=garage)
    barrier = threading.Barrier(2)
    outcomes = {}

    def tick(role):
        try:
            barrier.wait()
            services.complete_task(people[role], task.pk)
            outcomes[role] = "done"
        except services.TaskError as refusal:
            outcomes[role] = refusal.message
        finally:
            connection.close()

    threads = [threading.Thread(target=tick, args=(role,)) for role in ("agent", "teammate")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    task.refresh_from_db()
    winner = "agent" if task.done_by == people["agent"] else "teammate"
    loser = "teammate" if winner == "agent" else "agent"
    assert outcomes[winner] == "done"
    assert outcomes[loser].startswith(f"Already done by {people[winner].first_name} at ")
    assert outcomes[loser].endswith(" ET")
    assert task.done_at is not None
