"""Job.uuid, step 1: a nullable column, then a uuid4 for every existing row, in batches
(one UPDATE per row: each needs its own value; batches keep memory flat on big tables)."""

import uuid

from django.db import migrations, models

BATCH = 2000


def fill(apps, schema_editor):
    Model = apps.get_model("jobs", "job")
    while True:
        ids = list(Model.objects.filter(uuid__isnull=True).values_list("pk", flat=True)[:BATCH])
        if not ids:
            return
        Model.objects.bulk_update(
            [Model(pk=pk, uuid=uuid.uuid4()) for pk in ids], ["uuid"], batch_size=BATCH
        )


class Migration(migrations.Migration):
    dependencies = [("jobs", "0004_job_type_related_jobs")]

    operations = [
        migrations.AddField(
            model_name="job", name="uuid", field=models.UUIDField(null=True, editable=False)
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
