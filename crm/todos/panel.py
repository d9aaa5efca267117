"""The 📋 Tasks panel's reading side: the tabs a person gets, a tab's rows, and how a due
time reads ("in 45 min" beside "Today 2:30 PM ET", red once it has passed).

Reads only: every row comes from the Task querysets (scoped there); writes are the
services'. Who may edit or delete a row is decided here only to hide buttons: the
services check again.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from crm import permissions
from crm.templatetags.clock import business_zone
from crm.todos.models import Task

TABS = {"mine": "My Tasks", "office": "My Office", "all": "All"}
OPEN_PAGE = 50  # open rows a page; "Show more" fetches the next
DONE_SHOWN = 20  # the "Done" section shows the latest ones


def whole_number(text: str) -> int:
    """A query string's id or offset: a number of at most 9 digits, else 0 (which names
    nothing): "²" or a 30-digit value must not reach int() or the database."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else 0


def tabs_for(user) -> dict[str, str]:
    """The tabs `user` sees: All only with tasks.view_all."""
    return {
        key: label
        for key, label in TABS.items()
        if key != "all" or permissions.can(user, "tasks.view_all")
    }


def tab_from(user, asked: str) -> str:
    """The tab asked for when the user has it, else My Tasks (the default)."""
    return asked if asked in tabs_for(user) else "mine"


def _tab_tasks(user, tab: str):
    if tab == "office":
        return Task.objects.my_office(user)
    if tab == "all":
        return Task.objects.all_for(user)
    return Task.objects.my_tasks(user)


def may_edit(user, task: Task) -> bool:
    """Edit / delete: the creator, the assigned person and admins (spec: Permissions)."""
    if not permissions.can(user, "tasks.edit"):
        return False
    return user.role in permissions.ADMINS or user.pk in (task.created_by_id, task.assignee_user_id)


def _span(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} d"


def moment_label(when: datetime.datetime, now: datetime.datetime) -> str:
    """ "Today 2:30 PM ET", "Tomorrow 9:00 AM ET", "Dec 5, 2:30 PM ET" on the business clock."""
    zone = business_zone()
    local, today = when.astimezone(zone), now.astimezone(zone).date()
    named = {
        today: "Today",
        today + datetime.timedelta(days=1): "Tomorrow",
        today - datetime.timedelta(days=1): "Yesterday",
    }
    day = named.get(local.date())
    if day is None:
        day = f"{local:%b %-d}," if local.year == today.year else f"{local:%b %-d, %Y},"
    return f"{day} {local:%-I:%M %p} ET"


def due_labels(due_at: datetime.datetime, now: datetime.datetime) -> tuple[str, str]:
    """("in 45 min" | "2 h overdue" | "due now", "Today 2:30 PM ET")."""
    minutes = int((due_at - now).total_seconds() // 60)
    if minutes in (0, -1):
        relative = "due now"
    elif minutes > 0:
        relative = f"in {_span(minutes)}"
    else:
        relative = f"{_span(-minutes)} overdue"
    return relative, moment_label(due_at, now)


@dataclass(frozen=True)
class TaskRow:
    task: Task
    due_relative: str
    due_absolute: str
    is_overdue: bool
    can_edit: bool
    done_label: str = ""
    error: str = ""


def _done_label(task: Task, now) -> str:
    who = task.done_by.first_name if task.done_by_id else "someone"
    return f"Done by {who} · {moment_label(task.done_at, now)}"


def _row(user, task: Task, now, errors: dict[int, str]) -> TaskRow:
    relative, absolute = due_labels(task.due_at, now)
    return TaskRow(
        task=task,
        due_relative=relative,
        due_absolute=absolute,
        is_overdue=task.done_at is None and task.due_at < now,
        can_edit=may_edit(user, task),
        done_label=_done_label(task, now) if task.done_at else "",
        error=errors.get(task.pk, ""),
    )


def open_rows(user, tab: str, *, offset: int = 0, errors=None) -> tuple[list[TaskRow], bool]:
    """One page of the tab's open tasks, overdue first then by due (one query), and
    whether more follow."""
    now = timezone.now()
    tasks = list(_tab_tasks(user, tab).open().in_panel_order()[offset : offset + OPEN_PAGE + 1])
    rows = [_row(user, task, now, errors or {}) for task in tasks[:OPEN_PAGE]]
    return rows, len(tasks) > OPEN_PAGE


def done_rows(user, tab: str, *, errors=None) -> list[TaskRow]:
    """The tab's latest done tasks, latest first (one query)."""
    now = timezone.now()
    tasks = _tab_tasks(user, tab).done().in_panel_order().select_related("done_by")
    tasks = tasks[:DONE_SHOWN]
    return [_row(user, task, now, errors or {}) for task in tasks]


def list_context(user, tab: str, *, errors=None) -> dict:
    """Everything templates/todos/_partials/rows.html draws: the tabs, the open page, and
    the Done section."""
    rows, has_more = open_rows(user, tab, errors=errors)
    return {
        "tab": tab,
        "tabs": tabs_for(user),
        "rows": rows,
        "has_more": has_more,
        "next_offset": OPEN_PAGE,
        "done": done_rows(user, tab, errors=errors),
        "can_complete": permissions.can(user, "tasks.complete"),
        "can_create": permissions.can(user, "tasks.create"),
    }


def linked_records(user, query) -> dict:
    """The lead or job a new task links to (?lead=<id> / ?job=<id>, or the editor's hidden
    ids): OutOfScope (404) unless `user` sees it, archived or not."""
    found = {}
    for name in ("lead", "job"):
        value = query.get(name) or ""
        if not value:
            continue
        model = Task._meta.get_field(name).related_model
        record = model._default_manager.filter(pk=whole_number(value)).first()
        if record is None:
            raise permissions.OutOfScope("That record is not in your offices.")
        permissions.check(user, "tasks.create", record)
        found[name] = record
    return found
