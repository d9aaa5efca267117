"""CP → General Settings → 🔁 Recurring Tasks (owner): the templates with an add form on
top, the same form filled in to edit one, and delete. Thin: the form parses, the services
check, write and audit."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from crm import permissions
from crm.flash import flash_outcome
from crm.todos import services
from crm.todos.forms import TaskTemplateForm
from crm.todos.models import TaskTemplate

owner_only = permissions.require("tasks.recurring")


@owner_only
def recurring(request, pk: int | None = None):
    """GET: the templates and the form (blank, or template `pk` to edit). POST: save and
    go back to the list, or show the refusal on the form."""
    editing = get_object_or_404(TaskTemplate, pk=pk) if pk else None
    form = TaskTemplateForm(request.user, request.POST or None, instance=editing)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except services.TaskError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Saved.")
            return redirect("todos:recurring")
    rows = TaskTemplate.objects.select_related("assignee_user", "assignee_office")
    context = {"form": form, "rows": rows, "editing": editing}
    return render(request, "todos/cp_recurring.html", context)


@owner_only
@require_POST
def recurring_delete(request, pk: int):
    template = get_object_or_404(TaskTemplate, pk=pk)
    flash_outcome(
        request,
        lambda: services.delete_template(request.user, template),
        success=f'Recurring task "{template.title}" deleted; the tasks it made stay.',
    )
    # Deletes are posted by htmx (for hx-confirm) or by a plain form without JS.
    if request.htmx:
        return HttpResponseClientRedirect(reverse("todos:recurring"))
    return redirect("todos:recurring")
