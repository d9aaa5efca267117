from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("finance", "0002_outbound_ctm_number_is_a_line")]

    operations = [
        migrations.RemoveField(model_name="financesettings", name="outbound_ctm_number"),
        migrations.RenameField(
            model_name="financesettings", old_name="outbound_line", new_name="outbound_ctm_number"
        ),
    ]
