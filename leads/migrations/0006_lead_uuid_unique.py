"""Lead.uuid, step 2: every row has one now, so it becomes unique and required (a separate
migration: Postgres alters the table in a transaction of its own, after the backfill)."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("leads", "0005_lead_uuid_backfill")]

    operations = [
        migrations.AlterField(
            model_name="lead",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
