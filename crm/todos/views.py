"""The 📋 Tasks panel: the left slide-in's tabs and rows, Done / re-open, the editor modal
(+ New, from a lead or a job, edit, delete) and the topbar count.

Thin views: reads through crm.todos.panel (the Task querysets scope them), writes through
crm.todos.services, which check the capability and the object rules themselves.
"""

import json

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from crm import permissions
from crm.htmx import toast_after_settle
from crm.todos import panel, services
from crm.todos.forms import TaskForm
from crm.todos.models import Task

# Every live partial reloads as on a live-sync tick: the topbar count, the open list.
REFRESH = {"bookback:changed": {}}


def _record_changed(task: Task) -> dict:
    """The linked lead's or job's detail panel, if it is the one open, reloads to show the
    task's timeline line (static/js/tasks_panel.js)."""
    if task.link is None:
        return {}
    kind, _, url = task.link
    record_id = task.lead_id if kind == "lead" else task.job_id
    return {"taskRecordChanged": {"kind": kind, "id": record_id, "url": url}}


def _tab(request) -> str:
    return panel.tab_from(request.user, request.GET.get("tab") or request.POST.get("tab", ""))


@permissions.require("tasks.view")
@require_GET
def task_panel(request):
    """The panel: tabs, the open rows, the Done section (a page of its own without htmx)."""
    context = panel.list_context(request.user, _tab(request))
    template = "todos/_partials/panel.html" if request.htmx else "todos/panel.html"
    return render(request, template, context)


@permissions.require("tasks.view")
@require_GET
def rows(request):
    """The list alone: a tab picked, a live-sync tick, or "Show more" (`offset`)."""
    tab = _tab(request)
    offset = panel.whole_number(request.GET.get("offset", ""))
    if offset:
        more, has_more = panel.open_rows(request.user, tab, offset=offset)
        context = {
            "tab": tab,
            "rows": more,
            "has_more": has_more,
            "next_offset": offset + panel.OPEN_PAGE,
            "can_complete": permissions.can(request.user, "tasks.complete"),
        }
        return render(request, "todos/_partials/more_rows.html", context)
    return render(request, "todos/_partials/rows.html", panel.list_context(request.user, tab))


@permissions.require("tasks.view")
@require_GET
def badge(request):
    """The 📋 button's count (crm.navigation badge): my open tasks due today or overdue."""
    count = services.badge_count(request.user)
    title = f"{count} task{'s' if count != 1 else ''} due today or overdue"
    return render(request, "_partials/nav_badge.html", {"count": count, "title": title})


def _mark(request, pk: int, action) -> HttpResponse:
    """Done / re-open one row; the list comes back either way, a refusal (someone was
    first) as the row's own error."""
    tab = _tab(request)
    errors, events = {}, {}
    try:
        task = action(request.user, pk)
    except services.TaskError as error:
        errors[pk] = str(error)
    else:
        # The topbar counts (the 📋 badge) reload now rather than at the next poll.
        events = {"bookback:panel-changed": {}, **_record_changed(task)}
    response = render(
        request, "todos/_partials/rows.html", panel.list_context(request.user, tab, errors=errors)
    )
    if events:
        response["HX-Trigger"] = json.dumps(events)
    return response


@permissions.require("tasks.complete")
@require_POST
def done(request, pk: int):
    return _mark(request, pk, services.complete_task)


@permissions.require("tasks.complete")
@require_POST
def reopen(request, pk: int):
    return _mark(request, pk, services.reopen_task)


def _saved(request, task: Task, toast: str) -> HttpResponse:
    """The editor is done: close it, toast, refresh the live partials. Without JS: the
    panel's page."""
    if not request.htmx:
        return redirect("todos:panel")
    response = HttpResponse(status=204)
    # closeModal last: it empties the modal, and an event fired on the form after that
    # would no longer reach the document.
    events = {**REFRESH, **_record_changed(task), "closeModal": {}}
    response["HX-Trigger"] = json.dumps(events)
    return toast_after_settle(response, toast, level="success")


def _task_form(request, **kwargs) -> TaskForm:
    form = TaskForm(request.user, request.POST or None, **kwargs)
    # Before validation: a bound field copies its help text when first read.
    form.fields["due_at"].help_text = "New York time (ET)."
    return form


def _editor(request, form, task=None) -> HttpResponse:
    context = {"form": form, "task": task, "can_delete": task is not None}
    return render(request, "todos/_partials/editor.html", context)


@permissions.require("tasks.create")
def new(request):
    """+ New (and 📋 on a lead, "📋 + Task" on a job: ?lead=<id> / ?job=<id> link it)."""
    linked = panel.linked_records(request.user, request.POST or request.GET)
    form = _task_form(request, **linked)
    if request.method == "POST" and form.is_valid():
        task = form.save_or_error()
        if task is not None:
            return _saved(request, task, f'Task "{task.title}" created.')
    return _editor(request, form)


def _editable(request, pk: int) -> Task:
    """A task in the user's scope (else 404) that she may change (else 403)."""
    task = get_object_or_404(Task.objects.visible_to(request.user).in_panel_order(), pk=pk)
    if not panel.may_edit(request.user, task):
        raise PermissionDenied
    return task


@permissions.require("tasks.edit")
def edit(request, pk: int):
    task = _editable(request, pk)
    form = _task_form(request, instance=task)
    if request.method == "POST" and form.is_valid():
        saved = form.save_or_error()
        if saved is not None:
            return _saved(request, saved, f'Task "{saved.title}" saved.')
    return _editor(request, form, task)


@permissions.require("tasks.edit")
@require_POST
def delete(request, pk: int):
    task = _editable(request, pk)
    services.delete_task(request.user, task)
    return _saved(request, task, f'Task "{task.title}" deleted.')
