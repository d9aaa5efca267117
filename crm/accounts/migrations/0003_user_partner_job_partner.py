"""User.partner_name (free text) becomes User.partner, a foreign key to the Job Partner.

Each name is matched to a Job Partner whatever its case or spaces; a name no Job Partner
carries gets one (keep rate 0), so no partner login loses what it sees.
"""

from django.db import migrations, models
import django.db.models.deletion


def link_partners(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    JobPartner = apps.get_model("contractors", "JobPartner")
    for user in User.objects.exclude(partner_name=""):
        name = " ".join(user.partner_name.split())
        partner = JobPartner.objects.filter(name__iexact=name).first()
        if partner is None:
            partner = JobPartner.objects.create(name=name)
        user.partner = partner
        user.save(update_fields=["partner"])


def unlink_partners(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.filter(partner__isnull=False).select_related("partner"):
        user.partner_name = user.partner.name
        user.save(update_fields=["partner_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_login_code_emailed_at"),
        ("contractors", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="partner",
            field=models.ForeignKey(
                blank=True,
                help_text="Partner logins see only the leads and jobs of this job partner.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="logins",
                to="contractors.jobpartner",
            ),
        ),
        migrations.RunPython(link_partners, unlink_partners),
        migrations.RemoveField(model_name="user", name="partner_name"),
    ]
