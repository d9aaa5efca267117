"""The 📊 Jobs tab counts jobs created in a period: an index on jobs_job.created_at, so a
month's jobs are read by range instead of scanning the table.

Raw SQL in this app because the reports read it and the jobs app's migrations belong to
that app; when jobs next migrates, this can move into Job.Meta.indexes under the same
name (IF NOT EXISTS keeps both orders safe)."""

from django.db import migrations

INDEX = "report_job_created_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_email_settings_and_deliveries"),
        ("jobs", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON jobs_job (created_at)",
            f"DROP INDEX IF EXISTS {INDEX}",
        )
    ]
