"""FinanceSettings.outbound_ctm_number: typed text → a pick from CP → CTM Numbers.

A number already typed becomes its Line (made when CTM has not synced it yet), so the
setting survives; a value that is no phone number is dropped. The old column goes in 0003:
Postgres alters no table while this transaction's new foreign keys are still pending.
"""

import re

import django.db.models.deletion
from django.db import migrations, models


def _e164(raw: str) -> str:
    digits = re.sub(r"\D", "", raw or "")
    if len(digits) == 10:
        digits = "1" + digits
    return f"+{digits}" if len(digits) == 11 and digits.startswith("1") else ""


def typed_number_to_line(apps, schema_editor):
    FinanceSettings = apps.get_model("finance", "FinanceSettings")
    Line = apps.get_model("messaging", "Line")
    for row in FinanceSettings.objects.exclude(outbound_ctm_number=""):
        phone = _e164(row.outbound_ctm_number)
        if phone:
            row.outbound_line, _ = Line.objects.get_or_create(phone=phone)
            row.save(update_fields=["outbound_line"])


def line_to_typed_number(apps, schema_editor):
    FinanceSettings = apps.get_model("finance", "FinanceSettings")
    for row in FinanceSettings.objects.exclude(outbound_line=None).select_related("outbound_line"):
        row.outbound_ctm_number = row.outbound_line.phone
        row.save(update_fields=["outbound_ctm_number"])


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0001_initial"),
        ("messaging", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="financesettings",
            name="outbound_line",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="messaging.line",
                verbose_name="Outbound CTM number",
            ),
        ),
        migrations.RunPython(typed_number_to_line, line_to_typed_number),
    ]
