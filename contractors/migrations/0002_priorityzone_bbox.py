"""Priority zones get their polygon's bounding box, indexed with the job type, so dispatch
asks Postgres for the few zones whose box holds the job's point instead of ray-casting every
zone of the type in Python. Existing rows are filled from their stored polygon."""

from django.db import migrations, models

BOUNDS = ("min_lat", "max_lat", "min_lng", "max_lng")


def fill_bounds(apps, schema_editor):
    PriorityZone = apps.get_model("contractors", "PriorityZone")
    zones = list(PriorityZone.objects.only("polygon"))
    for zone in zones:  # the historical model has no `fit_bounds`: same sums, inline
        lats = [float(lat) for lat, _ in zone.polygon]
        lngs = [float(lng) for _, lng in zone.polygon]
        zone.min_lat, zone.max_lat = min(lats), max(lats)
        zone.min_lng, zone.max_lng = min(lngs), max(lngs)
    PriorityZone.objects.bulk_update(zones, BOUNDS, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("contractors", "0001_initial")]

    operations = [
        *(
            migrations.AddField("priorityzone", name, models.FloatField(null=True))
            for name in BOUNDS
        ),
        migrations.RunPython(fill_bounds, migrations.RunPython.noop),
        *(migrations.AlterField("priorityzone", name, models.FloatField()) for name in BOUNDS),
        migrations.AddIndex(
            model_name="priorityzone",
            index=models.Index(
                fields=["job_type", "min_lat", "max_lat", "min_lng", "max_lng"],
                name="priority_zone_type_bbox",
            ),
        ),
    ]
