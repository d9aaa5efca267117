"""Finance lines of a job's timeline become staff-only (partner logins have no Finance
access), and the profit share leaves the text of contractor lines for their data, so the
job panel shows it only to those who may see it."""

import re

from django.db import migrations, models

FINANCE_PREFIXES = (
    "💰",
    "✓ Contractor paid",
    "↺ Contractor paid",
    "✓ Partner paid",
    "↺ Partner paid",
    "💸 Finance-cancelled",
    "↺ Finance-cancel undone",
)
SHARE = re.compile(r" · profit share (?P<share>[\d.]+)%")


def split_entries(apps, schema_editor):
    TimelineEntry = apps.get_model("timeline", "TimelineEntry")
    jobs = TimelineEntry.objects.filter(subject_type="job")
    for prefix in FINANCE_PREFIXES:
        jobs.filter(body__startswith=prefix).update(staff_only=True)
    for entry in jobs.filter(body__contains=" · profit share ", staff_only=False).iterator():
        match = SHARE.search(entry.body)
        if match is None:
            continue
        entry.body = SHARE.sub("", entry.body, count=1)
        entry.data = {**entry.data, "profit_share": match["share"]}
        entry.save(update_fields=["body", "data"])


class Migration(migrations.Migration):
    dependencies = [("timeline", "0005_input_safety_audit_kinds")]

    operations = [
        migrations.AddField(
            model_name="timelineentry",
            name="staff_only",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(split_entries, migrations.RunPython.noop),
    ]
