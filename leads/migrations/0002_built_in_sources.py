from django.db import migrations

from leads.models import add_built_in_sources


def create_sources(apps, schema_editor):
    add_built_in_sources(apps.get_model("leads", "LeadSource"))


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_initial")]
    operations = [migrations.RunPython(create_sources, migrations.RunPython.noop)]
