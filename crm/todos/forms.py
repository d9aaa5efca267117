"""The task editor and the recurring template form: shape and type here, rules in services.

Due dates are typed on the business clock (America/New_York) and stored as the instant.
"""

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings

from crm.permissions import OutOfScope
from crm.todos import services
from crm.todos.models import Task, TaskTemplate

PICKER_FORMAT = "%Y-%m-%dT%H:%M"
ASSIGN_CHOICES = [("user", "User"), ("office", "Office")]
WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
TIMES = [
    (f"{hour:02d}:{minute:02d}", datetime.time(hour, minute).strftime("%-I:%M %p"))
    for hour in range(24)
    for minute in (0, 15, 30, 45)
]


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.BUSINESS_TIME_ZONE)


class AssigneeForm(forms.Form):
    """Assign To: a person (`assignee_user`) or an office (`assignee_office`), by the radio."""

    assign_to = forms.ChoiceField(
        choices=ASSIGN_CHOICES, widget=forms.RadioSelect, initial="user", label="Assign To"
    )
    assignee_user = forms.ModelChoiceField(queryset=None, required=False, label="User")
    assignee_office = forms.ModelChoiceField(queryset=None, required=False, label="Office")

    def clean(self):
        data = super().clean()
        if data.get("assign_to") == "office":
            data["assignee_user"] = None
            if data.get("assignee_office") is None:
                self.add_error("assignee_office", "Pick an office.")
        else:
            data["assignee_office"] = None
            if data.get("assignee_user") is None:
                self.add_error("assignee_user", "Pick a person.")
        return data

    def assignee_initial(self, instance) -> dict:
        if instance is None:
            return {}
        return {
            "assign_to": "office" if instance.assignee_office_id else "user",
            "assignee_user": instance.assignee_user_id,
            "assignee_office": instance.assignee_office_id,
        }


class TaskForm(AssigneeForm):
    title = forms.CharField(
        max_length=200,
        error_messages={"required": "Give the task a title."},
    )
    description = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    due_at = forms.DateTimeField(
        label="Due Date & Time",
        input_formats=[PICKER_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=PICKER_FORMAT),
        error_messages={
            "required": "Enter a date and time like 2026-05-01 14:30.",
            "invalid": "Enter a date and time like 2026-05-01 14:30.",
        },
    )
    lead = forms.IntegerField(required=False, widget=forms.HiddenInput)
    job = forms.IntegerField(required=False, widget=forms.HiddenInput)

    field_order = ["title", "description", "due_at", "assign_to", "assignee_user"]

    def __init__(self, actor, data=None, instance: Task | None = None, lead=None, job=None):
        self.actor, self.instance = actor, instance
        initial = self.assignee_initial(instance) or {"assignee_user": actor.pk}
        if instance is not None:
            initial |= {
                "title": instance.title,
                "description": instance.description,
                "due_at": f"{instance.due_at.astimezone(_zone()):{PICKER_FORMAT}}",
            }
            lead, job = instance.lead, instance.job
        initial |= {"lead": getattr(lead, "pk", None), "job": getattr(job, "pk", None)}
        super().__init__(data, initial=initial)
        self.link = lead or job
        self.fields["assignee_user"].queryset = services.assignable_users(actor)
        self.fields["assignee_office"].queryset = services.assignable_offices(actor)

    def clean_due_at(self):
        """The picker shows New York time; store the instant."""
        value = self.cleaned_data["due_at"]
        return value.replace(tzinfo=None).replace(tzinfo=_zone())

    def _linked(self, name: str):
        """The lead or job named by the hidden id; services check the actor may see it,
        an id that names nothing is out of scope too (404)."""
        record_id = self.cleaned_data.get(name)
        if not record_id:
            return None
        model = Task._meta.get_field(name).related_model
        record = model._default_manager.filter(pk=record_id).first()
        if record is None:
            raise OutOfScope("That record is not in your offices.")
        return record

    def save(self) -> Task:
        """Create or edit through the services (their TaskError becomes the caller's
        form error, see `save_or_error`)."""
        data = self.cleaned_data
        fields = {
            "title": data["title"],
            "description": data["description"],
            "due_at": data["due_at"],
            "assignee_user": data["assignee_user"],
            "assignee_office": data["assignee_office"],
        }
        if self.instance is not None:
            return services.update_task(self.actor, self.instance, **fields)
        return services.create_task(
            self.actor, **fields, lead=self._linked("lead"), job=self._linked("job")
        )

    def save_or_error(self) -> Task | None:
        """`save()`, or None with the action's refusal added as a form error."""
        try:
            return self.save()
        except services.TaskError as exc:
            self.add_error(None, exc.message)
            return None


class TaskTemplateForm(AssigneeForm):
    title = forms.CharField(max_length=200, error_messages={"required": "Give the task a title."})
    description = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    cadence = forms.ChoiceField(choices=TaskTemplate.Cadence.choices, widget=forms.RadioSelect)
    weekday = forms.TypedChoiceField(
        choices=WEEKDAYS, coerce=int, required=False, label="Day of week", empty_value=None
    )
    day_of_month = forms.TypedChoiceField(
        choices=[(day, str(day)) for day in range(1, 32)],
        coerce=int,
        required=False,
        label="Day of month",
        empty_value=None,
        help_text="29–31 fire on the last day of shorter months.",
    )
    time_of_day = forms.TypedChoiceField(
        choices=TIMES,
        coerce=lambda value: datetime.time.fromisoformat(value),
        label="Time of day (ET)",
        initial="08:00",
    )
    active = forms.BooleanField(required=False, initial=True, help_text="Off pauses it.")

    field_order = ["title", "description", "cadence", "weekday", "day_of_month", "time_of_day"]

    def __init__(self, actor, data=None, instance: TaskTemplate | None = None):
        self.actor, self.instance = actor, instance
        initial = self.assignee_initial(instance)
        if instance is not None:
            initial |= {
                "title": instance.title,
                "description": instance.description,
                "cadence": instance.cadence,
                "weekday": instance.weekday,
                "day_of_month": instance.day_of_month,
                "time_of_day": f"{instance.time_of_day:%H:%M}",
                "active": instance.active,
            }
        super().__init__(data, initial=initial)
        self.fields["assignee_user"].queryset = services.assignable_users(actor)
        self.fields["assignee_office"].queryset = services.assignable_offices(actor)

    def clean(self):
        data = super().clean()
        cadence = data.get("cadence")
        if cadence == TaskTemplate.Cadence.WEEKLY and data.get("weekday") is None:
            self.add_error("weekday", "Pick the day of the week.")
        if cadence == TaskTemplate.Cadence.MONTHLY and data.get("day_of_month") is None:
            self.add_error("day_of_month", "Pick the day of the month.")
        return data

    def save(self) -> TaskTemplate:
        fields = {name: self.cleaned_data[name] for name in services.TEMPLATE_FIELDS}
        return services.save_template(self.actor, self.instance, **fields)
