from decimal import Decimal

from django.db import migrations

from crm.assistant.client import PUBLISHED_PRICES
from crm.assistant.pricing import published

ROLES = ("viewer", "agent", "admin", "finance_admin", "owner")


def seed(apps, schema_editor):
    ModelPrice = apps.get_model("assistant", "ModelPrice")
    RoleBudget = apps.get_model("assistant", "RoleBudget")
    for model in PUBLISHED_PRICES:
        ModelPrice.objects.get_or_create(model=model, defaults=published(model))
    for role in ROLES:
        RoleBudget.objects.get_or_create(role=role, defaults={"daily_cap": Decimal("2.00")})


class Migration(migrations.Migration):
    dependencies = [("assistant", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
