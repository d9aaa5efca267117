"""Demo tasks for `make run`: a dozen tasks across the demo people and offices (overdue,
due today, later, some done, some on demo leads and jobs) and the two recurring templates
the issue names, made through the real actions so timelines and events are real."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from crm.accounts.models import Office, User
from crm.todos import services
from crm.todos.models import Task, TaskTemplate

# (title, creator, assignee: an email or an office name, day offset, hour (ET), link, done by)
# link: "lead" / "job" takes the next demo record of the assignee's office, when there is one.
PLAN = [
    ("Call Mrs. Diaz back about the quote", "agent", "agent", -1, 15, "lead", ""),
    ("Check overnight leads", "admin", "Garage", 0, 8, "", ""),
    ("Send the warranty PDF", "agent", "agent", 0, 11, "lead", "agent"),
    ("Confirm the tech for tomorrow", "admin", "Sliding", 0, 16, "job", ""),
    ("Chase the deposit", "finance", "finance", -2, 10, "job", ""),
    ("Re-quote the double door", "agent", "Garage", 0, 13, "lead", ""),
    ("Book the follow-up visit", "admin", "agent", 1, 9, "job", ""),
    ("Update the price sheet", "owner", "admin", 2, 12, "", ""),
    ("Reconcile last week's payouts", "owner", "finance", -1, 17, "", "finance"),
    ("Call back the Yelp lead", "joe", "joe", 0, 10, "lead", ""),
    ("Order the spare springs", "agent", "Sliding", -3, 14, "", "admin"),
    ("Review the cancelled jobs", "admin", "General", 3, 10, "", ""),
]
TEMPLATES = [
    {
        "title": "Check overnight leads",
        "description": "Every lead that came in after 8 PM: claim, call or snooze.",
        "cadence": TaskTemplate.Cadence.DAILY,
        "time_of_day": datetime.time(8),
        "office": "General",
    },
    {
        "title": "Review unpaid contractors",
        "description": "Finance → unpaid filter; mark what went out.",
        "cadence": TaskTemplate.Cadence.WEEKLY,
        "weekday": 0,
        "time_of_day": datetime.time(9),
        "user": "finance",
    },
]


def _user(key: str) -> User:
    return User.objects.get(email=f"{key}@example.com")


def _assignee(key: str) -> dict:
    office = Office.objects.filter(name=key).first()
    return {"assignee_office": office} if office else {"assignee_user": _user(key)}


def _records(kind: str, creator: User, office: Office | None):
    """The creator's demo leads or jobs (of the task's office if it has one), oldest first."""
    model = Task._meta.get_field(kind).related_model
    records = model.objects.visible_to(creator).order_by("pk")
    return records.filter(office=office) if office else records


def seed_tasks() -> None:
    zone = ZoneInfo(settings.BUSINESS_TIME_ZONE)
    today = timezone.now().astimezone(zone).date()
    used = set()
    for title, creator_key, assignee_key, days, hour, link, done_by in PLAN:
        creator = _user(creator_key)
        assignee = _assignee(assignee_key)
        fields = {}
        if link:
            records = _records(link, creator, assignee.get("assignee_office"))
            record = records.exclude(pk__in=[pk for kind, pk in used if kind == link]).first()
            if record is not None:
                used.add((link, record.pk))
                fields[link] = record
        due = datetime.datetime.combine(today + datetime.timedelta(days=days), datetime.time(hour))
        task = services.create_task(
            creator, title=title, due_at=due.replace(tzinfo=zone), **assignee, **fields
        )
        if done_by:
            services.complete_task(_user(done_by), task.pk)


def seed_templates(owner) -> None:
    for template in TEMPLATES:
        fields = {key: value for key, value in template.items() if key not in ("office", "user")}
        if "office" in template:
            fields["assignee_office"] = Office.objects.get(name=template["office"])
        else:
            fields["assignee_user"] = _user(template["user"])
        services.save_template(owner, None, **fields)
