"""Demo automation rules for `make run` (AutomationsConfig.load_demo): the spec's quick
example (Job Created · Office = Garage → SMS the assigned contractor), a client reminder 24
hours before the appointment with quiet hours, and an email rule for Sliding, which has no
SMTP account. The demo's jobs, created in the same transaction, fire them once it commits,
so the 📜 log shows ✓ sent (texts through the console provider), ○ skipped (a job nobody
was assigned) and ✗ failed ("SMTP not fully configured for office Sliding")."""

from automations.rules import services
from contractors.models import Contractor
from crm.accounts.models import Office

SPEC_EXAMPLE = (
    "Hi {{contractor.name}}, new job {{job.displayId}} on {{job.dateStart}} at "
    "{{job.timeStart}} — {{job.address}}. Client: {{client.fullName}} {{client.phone}}."
)
REMINDER = (
    "Hi {{client.firstName}}, a reminder from {{job.company}}: your {{job.jobType}} "
    "appointment is {{job.dateStart}} at {{job.timeStart}}. Reply STOP to opt out."
)


def seed(owner) -> None:
    # The contractors' demo leaves contact phones empty: give them one (555 numbers) so the
    # spec's example has someone to text.
    for number, contractor in enumerate(Contractor.objects.filter(contact_phone="").order_by("pk")):
        contractor.contact_phone = f"+1305555{200 + number:04d}"
        contractor.save(update_fields=["contact_phone"])
    garage, sliding = Office.objects.get(name="Garage"), Office.objects.get(name="Sliding")
    services.save_rule(
        actor=owner,
        name="Garage: text the contractor each new job",
        trigger="job_created",
        offices=[garage],
        recipient="contractor",
        channel="sms",
        body=SPEC_EXAMPLE,
    )
    services.save_rule(
        actor=owner,
        name="Client reminder 24 h before",
        trigger="before_job_start",
        offset_amount=24,
        offset_unit="hours",
        statuses=["submitted", "in_progress"],
        recipient="client",
        channel="sms",
        body=REMINDER,
        respect_quiet_hours=True,
    )
    services.save_rule(
        actor=owner,
        name="Sliding: email dispatch each new job",
        trigger="job_created",
        offices=[sliding],
        recipient="static",
        static_to="dispatch@example.com",
        channel="email",
        subject="New job {{job.displayId}} ({{job.jobType}})",
        body="{{job.displayId}} for {{client.fullName}} on {{job.dateStart}} at {{job.timeStart}}.",
    )
