from django.db import migrations

from leads.models import BUILT_IN_SOURCES, new_webhook_token


def add_built_in_sources(apps, schema_editor):
    LeadSource = apps.get_model("leads", "LeadSource")
    for order, (key, label, color, steps) in enumerate(BUILT_IN_SOURCES):
        LeadSource.objects.get_or_create(
            key=key,
            defaults={
                "label": label,
                "color": color,
                "snooze_steps": steps,
                "sort_order": order,
                "webhook_token": new_webhook_token(),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_initial")]
    operations = [migrations.RunPython(add_built_in_sources, migrations.RunPython.noop)]
