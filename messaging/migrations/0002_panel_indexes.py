# The 📱 SMS panel's reads (messaging.panel_queries), at 5,000 threads / 500,000 messages
# (tests/bench/test_messaging_panel.py): the list newest first across every office (owners,
# "all" users) reads its page off an index instead of sorting every thread, and the search
# finds message bodies through a trigram index on UPPER(body), as `body__icontains` reads
# them on Postgres (a scan of every message otherwise: 230 ms → 20 ms). Kept out of the model
# state, as leads 0007 keeps its trigram indexes: one needs pg_trgm, and both serve the panel
# alone.

from django.db import migrations


def add_indexes(apps, schema_editor):
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS thread_recent_idx "
        "ON messaging_thread (last_message_at DESC, id DESC)"
    )
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite searches by substring
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS message_body_trgm_idx "
        "ON messaging_message USING gin ((UPPER(body)) gin_trgm_ops)"
    )


def drop_indexes(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS thread_recent_idx")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS message_body_trgm_idx")


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_indexes, drop_indexes)]
