"""{% new_task_button record %}: the lead panel's 📋 and the job detail's "📋 + Task" open the
task editor linked to the record, for those who may create tasks (the view checks again)."""

from django import template

from crm import permissions

register = template.Library()


@register.inclusion_tag("todos/_partials/new_task_button.html", takes_context=True)
def new_task_button(context, record, label: str = "") -> dict:
    """`record` is a lead or a job; `label` makes it a text button ("📋 + Task")."""
    user = getattr(context.get("request"), "user", None)
    return {
        "show": permissions.can(user, "tasks.create"),
        "kind": record._meta.model_name,
        "record": record,
        "label": label,
    }
