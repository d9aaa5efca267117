# The 📦 Archived leads modal: its newest 200 rows in index order, no sort.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0007_dashboard_tiers_counters_search"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                condition=models.Q(("is_archived", True)),
                fields=["-archived_at", "-id"],
                name="lead_archived_idx",
            ),
        ),
    ]
