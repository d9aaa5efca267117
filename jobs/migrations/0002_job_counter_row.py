from django.db import migrations

FIRST_JOB_NUMBER = 3542


def create_counter(apps, schema_editor):
    apps.get_model("jobs", "JobCounter").objects.get_or_create(
        pk=1, defaults={"next_number": FIRST_JOB_NUMBER}
    )


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial")]

    operations = [migrations.RunPython(create_counter, migrations.RunPython.noop)]
