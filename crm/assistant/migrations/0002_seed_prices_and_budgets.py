from decimal import Decimal

from django.db import migrations

# Anthropic's published prices, USD per million tokens: input, output, cache write
# (5-minute), cache read.
PRICES = {
    "claude-sonnet-4-6": ("3", "15", "3.75", "0.30"),
    "claude-haiku-4-5": ("1", "5", "1.25", "0.10"),
    "claude-opus-4-7": ("5", "25", "6.25", "0.50"),
}
ROLES = ("viewer", "agent", "admin", "finance_admin", "owner")


def seed(apps, schema_editor):
    ModelPrice = apps.get_model("assistant", "ModelPrice")
    RoleBudget = apps.get_model("assistant", "RoleBudget")
    for model, (given, returned, cache_write, cache_read) in PRICES.items():
        ModelPrice.objects.get_or_create(
            model=model,
            defaults={
                "input_per_mtok": Decimal(given),
                "output_per_mtok": Decimal(returned),
                "cache_write_per_mtok": Decimal(cache_write),
                "cache_read_per_mtok": Decimal(cache_read),
            },
        )
    for role in ROLES:
        RoleBudget.objects.get_or_create(role=role, defaults={"daily_cap": Decimal("2.00")})


class Migration(migrations.Migration):
    dependencies = [("assistant", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
