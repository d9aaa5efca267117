"""Tasks (spec: Tasks panel, Recurring tasks): small to-dos for a user or an office,
optionally linked to a lead or a job, and the owner's recurring templates that generate them.

Times are stored UTC; people enter and read them on the business clock (America/New_York).
"""

import calendar

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from crm.accounts.models import Office, Role, User
from crm.permissions import can


def _my_offices(user) -> Q:
    """Tasks for one of `user`'s offices, without loading the office list: a semi-join on
    the User.offices through table (so the badge stays one query), every office task for
    owners and "all"-office users."""
    if user.sees_all_offices:
        return Q(assignee_office__isnull=False)
    through = User.offices.through.objects.filter(user_id=user.pk).values("office_id")
    return Q(assignee_office_id__in=through)


def _has_tasks(user) -> bool:
    return user.is_authenticated and user.is_active and user.role != Role.PARTNER


class Assigned:
    """Shared by tasks and templates: one person or one office does the work."""

    @property
    def assignee_label(self) -> str:
        if self.assignee_user_id:
            return f"👤 {self.assignee_user.full_name or self.assignee_user.email}"
        return f"🏢 {self.assignee_office.name}"


class TaskQuerySet(models.QuerySet):
    # "open" / "done" once narrowed by open() / done(): in_panel_order() then sorts the way
    # the partial indexes read.
    _done_state = ""

    def _clone(self):
        clone = super()._clone()
        clone._done_state = self._done_state
        return clone

    def visible_to(self, user) -> "TaskQuerySet":
        """The tasks `user` may read: none for partners and signed-out users, every task for
        owners and "all"-office users; else her own (assigned or created), her offices'
        office tasks and, for roles with the All tab, every task of her offices' people and
        records."""
        if not _has_tasks(user):
            return self.none()
        if user.sees_all_offices:
            return self.all()
        office_ids = user.office_ids
        scope = Q(assignee_user=user) | Q(created_by=user) | Q(assignee_office_id__in=office_ids)
        if can(user, "tasks.view_all"):
            colleagues = User.offices.through.objects.filter(office_id__in=office_ids)
            scope |= Q(assignee_user_id__in=colleagues.values("user_id"))
            scope |= Q(office_id__in=office_ids)
        return self.filter(scope)

    def my_tasks(self, user) -> "TaskQuerySet":
        """My Tasks: assigned to `user` or to one of her offices."""
        if not _has_tasks(user):
            return self.none()
        return self.filter(Q(assignee_user=user) | _my_offices(user))

    def my_office(self, user) -> "TaskQuerySet":
        """My Office: assigned to one of `user`'s offices (not to a person)."""
        if not _has_tasks(user):
            return self.none()
        return self.filter(_my_offices(user))

    def all_for(self, user) -> "TaskQuerySet":
        """The All tab (the caller checked tasks.view_all): an admin's stays inside her
        offices, the owner's is everything."""
        return self.visible_to(user)

    def open(self) -> "TaskQuerySet":
        clone = self.filter(done_at__isnull=True)
        clone._done_state = "open"
        return clone

    def done(self) -> "TaskQuerySet":
        clone = self.filter(done_at__isnull=False)
        clone._done_state = "done"
        return clone

    def in_panel_order(self) -> "TaskQuerySet":
        """Open tasks by due (overdue ones come first on their own), then done ones,
        latest done first. After open() or done() the sort is just that half's, so the
        database reads a page off a partial index instead of sorting every match."""
        order = {
            "open": ("due_at", "id"),
            "done": ("-done_at", "-id"),
        }.get(self._done_state, (models.F("done_at").desc(nulls_first=True), "due_at", "id"))
        return self.order_by(*order).select_related(
            "assignee_user", "assignee_office", "lead", "job"
        )


class Task(Assigned, models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    due_at = models.DateTimeField()
    # Exactly one of the two assignees is set (task_one_assignee).
    assignee_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="assigned_tasks"
    )
    assignee_office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.CASCADE)
    # The scope office: the assignee office for office tasks; for a person's task the linked
    # lead's or job's office, else none. Set by the services, never by forms.
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Deleted with their record (the work no longer applies); archiving keeps them.
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    # No index of its own: only a user's deletion looks tasks up by it.
    done_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    # Generated tasks: their template (kept when the template goes) and occurrence.
    # Indexed by task_occurrence_uniq (template first): no index of its own.
    template = models.ForeignKey(
        "todos.TaskTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        db_index=False,
    )
    occurrence_key = models.CharField(max_length=12, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee_user__isnull=False, assignee_office__isnull=True)
                | Q(assignee_user__isnull=True, assignee_office__isnull=False),
                name="task_one_assignee",
            ),
            models.CheckConstraint(
                condition=Q(lead__isnull=True) | Q(job__isnull=True), name="task_one_link"
            ),
            models.UniqueConstraint(
                fields=["template", "occurrence_key"],
                condition=Q(template__isnull=False),
                name="task_occurrence_uniq",
            ),
        ]
        # The panel reads open tasks by due and done ones latest first, a page at a time:
        # ordered scans of these partial indexes stop after a page (tests/bench/test_tasks.py).
        # The per-assignee ones serve the badge's count and a quiet person's My Tasks.
        indexes = [
            models.Index(
                fields=["due_at", "id"], condition=Q(done_at__isnull=True), name="task_open_due"
            ),
            models.Index(
                fields=["done_at", "id"],
                condition=Q(done_at__isnull=False),
                name="task_done_latest",
            ),
            models.Index(
                fields=["assignee_user", "due_at"],
                condition=Q(done_at__isnull=True),
                name="task_user_open_due",
            ),
            models.Index(
                fields=["assignee_office", "due_at"],
                condition=Q(done_at__isnull=True),
                name="task_office_open_due",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_at < timezone.now()

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def link(self) -> tuple[str, str, str] | None:
        """("lead" | "job", its label, the URL of its detail panel), or None."""
        if self.lead_id:
            return ("lead", f"L-{self.lead_id}", reverse("leads:detail", args=[self.lead_id]))
        if self.job_id:
            return ("job", self.job.display_id, reverse("jobs:detail", args=[self.job_id]))
        return None

    @property
    def parent(self):
        """The linked lead or job (whose timeline records the task), or None."""
        return self.lead or self.job


class TaskTemplate(Assigned, models.Model):
    """An owner's recurring task: generates one ordinary task per occurrence (daily, weekly
    on `weekday`, monthly on `day_of_month`) once `time_of_day` has passed in New York."""

    class Cadence(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.DAILY)
    weekday = models.PositiveSmallIntegerField(null=True, blank=True)  # 0 = Monday (weekly)
    day_of_month = models.PositiveSmallIntegerField(null=True, blank=True)  # 1..31 (monthly)
    time_of_day = models.TimeField()  # 15-minute steps, New York clock
    assignee_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    assignee_office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    active = models.BooleanField("Active", default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee_user__isnull=False, assignee_office__isnull=True)
                | Q(assignee_user__isnull=True, assignee_office__isnull=False),
                name="task_template_one_assignee",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def schedule_label(self) -> str:
        """ "Daily at 8:00 AM ET", "Mondays at 9:30 AM ET", "Monthly on day 31 at 7:00 AM ET"."""
        at = f"at {self.time_of_day:%-I:%M %p} ET"
        if self.cadence == self.Cadence.WEEKLY:
            return f"{calendar.day_name[self.weekday]}s {at}"
        if self.cadence == self.Cadence.MONTHLY:
            return f"Monthly on day {self.day_of_month} {at}"
        return f"Daily {at}"
