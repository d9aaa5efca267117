"""Task actions (spec: Tasks panel, Recurring tasks): every write to tasks and templates.

Each action checks the actor's capability first, writes inside one transaction, records the
task on its lead's or job's timeline, emits its event, and busts the 📋 badge counts.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from crm import events, livesync
from crm.accounts.models import Office, Role, User
from crm.errors import DomainError
from crm.permissions import ADMINS, STAFF_WRITERS, OutOfScope, can, check
from crm.timeline.services import audit, record
from crm.todos import badges
from crm.todos.models import Task, TaskTemplate
from crm.todos.recurring import generate_recurring

__all__ = [
    "TaskError",
    "assignable_offices",
    "assignable_users",
    "badge_count",
    "complete_task",
    "create_task",
    "delete_task",
    "delete_template",
    "generate_recurring",
    "reopen_task",
    "save_template",
    "update_task",
]

# A safety net: a change of someone's offices (no task event) shows within five minutes.
BADGE_TTL = 300
EDITABLE = ("title", "description", "due_at", "assignee_user", "assignee_office")
TEMPLATE_FIELDS = (
    "title",
    "description",
    "cadence",
    "weekday",
    "day_of_month",
    "time_of_day",
    "assignee_user",
    "assignee_office",
    "active",
)


class TaskError(DomainError, ValueError):
    """A task rule refused the action; the message is shown to the user as it is."""


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.BUSINESS_TIME_ZONE)


def assignable_users(actor) -> models.QuerySet:
    """People `actor` may give a task to: active staff who can work tasks and share one of her
    offices ("all"-office users and the owner share every office); the owner may pick anyone."""
    staff = User.objects.filter(is_active=True, role__in=STAFF_WRITERS)
    if actor.sees_all_offices:
        return staff
    shares = (
        Q(pk=actor.pk)
        | Q(
            pk__in=User.offices.through.objects.filter(office_id__in=actor.office_ids).values(
                "user_id"
            )
        )
        | Q(has_all_offices=True)
        | Q(role=Role.OWNER)
    )
    return staff.filter(shares)


def assignable_offices(actor) -> models.QuerySet:
    """Offices `actor` may give a task to: her own (every office for the owner)."""
    return Office.objects.visible_to(actor)


def _snapshot(task: Task) -> dict:
    return {
        "id": task.pk,
        "title": task.title,
        "due_at": task.due_at,
        "assignee": task.assignee_label,
        "lead_id": task.lead_id,
        "job_id": task.job_id,
        "done_by": task.done_by.full_name if task.done_by_id else "",
    }


def _changed(task: Task) -> None:
    """After commit: open panels refresh (live sync) and every cached badge count is stale."""

    def bump() -> None:
        livesync.bump(office_id=task.office_id)
        badges.bust()

    transaction.on_commit(bump)


def _visible_task(actor, task_id: int, *, lock: bool = False) -> Task:
    tasks = Task.objects.visible_to(actor) if actor is not None else Task.objects.all()
    if lock:
        # Only the task's own row: the scope's joins stay unlocked.
        tasks = tasks.select_for_update(of=("self",))
    try:
        return tasks.get(pk=task_id)
    except Task.DoesNotExist:
        raise OutOfScope("That task is not in your offices.") from None


def _checked_fields(actor, fields: dict) -> dict:
    """The assignee and link rules of create and edit; returns the fields plus `office`."""
    if not fields.get("title", "").strip():
        raise TaskError("Give the task a title.")
    if fields.get("due_at") is None:
        raise TaskError("Give the task a due date and time.")
    user, office = fields.get("assignee_user"), fields.get("assignee_office")
    if (user is None) == (office is None):
        raise TaskError("Assign the task to one person or one office.")
    if user is not None and not assignable_users(actor).filter(pk=user.pk).exists():
        raise TaskError("Pick a person who shares one of your offices.")
    if office is not None and office.pk not in actor.office_ids:
        raise TaskError("Pick one of your offices.")
    parent = fields.get("lead") or fields.get("job")
    fields["office"] = office or (parent.office if parent is not None else None)
    return fields


def _may_edit(actor, task: Task) -> None:
    check(actor, "tasks.edit")
    task = _visible_task(actor, task.pk)
    if actor.role in ADMINS or actor.pk in (task.created_by_id, task.assignee_user_id):
        return
    # A refusal on the facts (her role may edit tasks, not this one): said in the editor.
    raise TaskError("Only its creator, its assignee and admins can change this task.")


@transaction.atomic
def create_task(
    actor,
    *,
    title: str,
    description: str = "",
    due_at: datetime.datetime,
    assignee_user=None,
    assignee_office=None,
    lead=None,
    job=None,
) -> Task:
    """Create a task for one person or one office, optionally linked to a lead or a job.

    Needs tasks.create; the person must share one of the actor's offices (the owner: anyone),
    the office be one of hers, and the lead or job be in her `visible_to` (else OutOfScope,
    nothing saved). Raises TaskError for a missing title or due, or a bad assignee. Records
    '📋 Task created: "…"' on the linked record's timeline; emits task.created.
    """
    check(actor, "tasks.create")
    if lead is not None and job is not None:
        raise TaskError("Link the task to a lead or a job, not both.")
    if lead is not None:
        lead = _visible_parent(actor, lead)
    if job is not None:
        job = _visible_parent(actor, job)
    fields = _checked_fields(
        actor,
        {
            "title": title.strip(),
            "description": description.strip(),
            "due_at": due_at,
            "assignee_user": assignee_user,
            "assignee_office": assignee_office,
            "lead": lead,
            "job": job,
        },
    )
    task = Task.objects.create(**fields, created_by=actor)
    _on_parent_timeline(task, actor, "📋 Task created")
    events.emit("task.created", office=task.office, actor=actor, task=_snapshot(task))
    _changed(task)
    return task


def _visible_parent(actor, record):
    """The lead or job re-read through the actor's scope (archived ones stay linkable):
    OutOfScope when she can't see it."""
    model = type(record)
    scope = model.objects.visible_to(actor, archived=record.is_archived)
    found = scope.filter(pk=record.pk).first()
    if found is None:
        raise OutOfScope("That record is not in your offices.")
    return found


@transaction.atomic
def update_task(actor, task: Task, **changes) -> Task:
    """Edit a task's title, description, due or assignee (its link never moves).

    Needs tasks.edit (PermissionDenied) and, for an agent, being its creator or assignee
    (admins: any task in scope; TaskError otherwise); OutOfScope for a task she can't see.
    Raises TaskError as create_task does.
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"update_task can't change {', '.join(sorted(unknown))}.")
    _may_edit(actor, task)
    task = Task.objects.select_for_update().get(pk=task.pk)
    fields = {name: getattr(task, name) for name in EDITABLE}
    fields.update(changes)
    fields["title"] = fields["title"].strip()
    fields["description"] = fields["description"].strip()
    fields = _checked_fields(actor, {**fields, "lead": task.lead, "job": task.job})
    for name in (*EDITABLE, "office"):
        setattr(task, name, fields[name])
    task.save(update_fields=[*EDITABLE, "office"])
    _changed(task)
    return task


@transaction.atomic
def delete_task(actor, task: Task) -> None:
    """Delete a task for good; the same people as update_task may."""
    _may_edit(actor, task)
    _changed(task)
    Task.objects.filter(pk=task.pk).delete()


def _on_parent_timeline(task: Task, actor, line: str) -> None:
    """'<line>: "<title>"' on the linked lead's or job's timeline, if any."""
    if task.parent is not None:
        body = f'{line}: "{task.title}"'
        record(task.parent, kind="sys", body=body, actor=actor, data={"task": task.pk})


def _mark(actor, task: Task, *, done_by, line: str, event: str) -> Task:
    """Done (by `done_by`) or open again (None): saved, on the parent's timeline, emitted."""
    task.done_at = timezone.now() if done_by is not None else None
    task.done_by = done_by
    task.save(update_fields=["done_at", "done_by"])
    _on_parent_timeline(task, actor, line)
    events.emit(event, office=task.office, actor=actor, task=_snapshot(task))
    _changed(task)
    return task


def _done_line(task: Task) -> str:
    when = task.done_at.astimezone(_zone())
    who = task.done_by.first_name if task.done_by_id else "someone"
    return f"Already done by {who} at {when:%-I:%M %p} ET"


@transaction.atomic
def complete_task(actor, task_id: int) -> Task:
    """Mark a task Done: needs tasks.complete and the task in the actor's scope.

    The row is locked, so of two people ticking an office task the first wins; the second
    gets TaskError("Already done by Dana at 10:04 AM ET") and nothing changes. Records
    '✅ Task completed: "…"' on the linked record's timeline; emits task.completed.
    """
    check(actor, "tasks.complete")
    task = _visible_task(actor, task_id, lock=True)
    if task.done_at is not None:
        raise TaskError(_done_line(task))
    return _mark(actor, task, done_by=actor, line="✅ Task completed", event="task.completed")


@transaction.atomic
def reopen_task(actor, task_id: int) -> Task:
    """Re-open a Done task (same people as complete_task); an open task stays as it is.
    Records '↩️ Task re-opened: "…"' on the linked record's timeline; emits task.reopened."""
    check(actor, "tasks.complete")
    task = _visible_task(actor, task_id, lock=True)
    if task.done_at is None:
        return task
    return _mark(actor, task, done_by=None, line="↩️ Task re-opened", event="task.reopened")


def end_of_today() -> datetime.datetime:
    """The coming midnight in New York (the business day's end), as an aware datetime."""
    today = timezone.now().astimezone(_zone()).date()
    return datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min, _zone())


def badge_count(user) -> int:
    """The 📋 badge: the user's My Tasks that are open and due before the end of today in
    New York (overdue included). One query at most, cached per user and business day; every
    task change bumps the generation in the key, so the next read counts afresh."""
    if not can(user, "tasks.view"):
        return 0
    generation = badges.generation()
    end = end_of_today()
    key = f"todos:badge:{user.pk}:{generation}:{end.date().isoformat()}"
    count = cache.get(key)
    if count is None:
        count = Task.objects.my_tasks(user).open().filter(due_at__lt=end).count()
        cache.set(key, count, timeout=BADGE_TTL)
    return count


# --- Recurring templates (CP → General Settings → 🔁 Recurring Tasks) -------------------


def _template_rules(fields: dict) -> None:
    cadence = fields["cadence"]
    if not fields["title"].strip():
        raise TaskError("Give the task a title.")
    if cadence == TaskTemplate.Cadence.WEEKLY and fields["weekday"] not in range(7):
        raise TaskError("Pick the day of the week.")
    if cadence == TaskTemplate.Cadence.MONTHLY and fields["day_of_month"] not in range(1, 32):
        raise TaskError("Pick a day of the month from 1 to 31.")
    when = fields["time_of_day"]
    if when is None or when.minute % 15 or when.second or when.microsecond:
        raise TaskError("Pick a time of day in 15-minute steps.")
    if (fields["assignee_user"] is None) == (fields["assignee_office"] is None):
        raise TaskError("Assign the task to one person or one office.")
    if fields["assignee_user"] is not None and fields["assignee_user"].role not in STAFF_WRITERS:
        raise TaskError("Pick a person who can work tasks.")


@transaction.atomic
def save_template(actor, template: TaskTemplate | None, **fields) -> TaskTemplate:
    """Add (template None) or edit a recurring task template. Needs tasks.recurring (owner).
    Weekly needs a weekday, monthly a day of month (29–31 fire on a short month's last day);
    the time is in 15-minute steps; one assignee. Raises TaskError; audited."""
    check(actor, "tasks.recurring")
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise TypeError(f"save_template can't set {', '.join(sorted(unknown))}.")
    is_new = template is None
    template = (
        TaskTemplate() if is_new else TaskTemplate.objects.select_for_update().get(pk=template.pk)
    )
    values = {name: getattr(template, name) for name in TEMPLATE_FIELDS} | fields
    _template_rules(values)
    if values["cadence"] != TaskTemplate.Cadence.WEEKLY:
        values["weekday"] = None
    if values["cadence"] != TaskTemplate.Cadence.MONTHLY:
        values["day_of_month"] = None
    values["title"] = values["title"].strip()
    for name, value in values.items():
        setattr(template, name, value)
    template.save()
    if is_new:
        audit(
            "task_template.added",
            f'Recurring task "{template.title}" added ({template.get_cadence_display()}).',
            actor=actor,
            metadata={"template": template.pk},
        )
    else:
        audit(
            "task_template.changed",
            f'Recurring task "{template.title}" changed.',
            actor=actor,
            metadata={"template": template.pk, "fields": sorted(fields)},
        )
    return template


@transaction.atomic
def delete_template(actor, template: TaskTemplate) -> None:
    """Delete a template (owner); the tasks it generated stay as they are. Audited."""
    check(actor, "tasks.recurring")
    audit(
        "task_template.deleted",
        f'Recurring task "{template.title}" deleted.',
        actor=actor,
        metadata={"template": template.pk},
    )
    TaskTemplate.objects.filter(pk=template.pk).delete()
