from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class JobType(models.Model):
    """Values for the New Job and Contractor dropdowns (CP → Job Types)."""

    label = models.CharField(max_length=80, unique=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "label"]

    def __str__(self) -> str:
        return self.label


class JobPartner(models.Model):
    """An operational partner (GDQ, Nehoray...). Keep rate = the share the partner keeps;
    a house brand keeps 100% (CP → Job Partners; the jobs issue adds the rest)."""

    name = models.CharField(max_length=80)
    keep_rate = models.DecimalField(
        "Keep rate %", max_digits=5, decimal_places=2, default=0, validators=PERCENT
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="job_partner_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class ServiceArea(models.Model):
    """A pin (50-mile radius) that contractors opt into."""

    label = models.CharField(max_length=80)
    zip_code = models.CharField("Main ZIP", max_length=5)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, blank=True)
    lat = models.FloatField()
    lng = models.FloatField()
    area_code = models.CharField("Main area code", max_length=3, blank=True)
    office_address = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["label"]
        constraints = [models.UniqueConstraint(Lower("label"), name="service_area_label_unique_ci")]

    def __str__(self) -> str:
        return self.label


class Contractor(models.Model):
    name = models.CharField(max_length=120)
    report_email = models.EmailField("Email (reports)", blank=True)
    contact_name = models.CharField("Contact person", max_length=120, blank=True)
    contact_phone = models.CharField("Phone", max_length=20, blank=True)
    contact2_name = models.CharField("2nd contact person", max_length=120, blank=True)
    contact2_phone = models.CharField("2nd phone", max_length=20, blank=True)
    notes = models.TextField(blank=True)
    job_types = models.ManyToManyField(JobType, related_name="contractors")
    service_areas = models.ManyToManyField(ServiceArea, blank=True, related_name="contractors")
    profit_share = models.DecimalField(
        "Profit share %", max_digits=5, decimal_places=2, default=0, validators=PERCENT
    )
    secondary_profit_share = models.DecimalField(
        "Secondary %", max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    secondary_zip_codes = models.JSONField("ZIP codes for secondary", default=list, blank=True)
    secondary_partners = models.JSONField("Job partners for secondary", default=list, blank=True)
    is_active = models.BooleanField("Active", default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="contractor_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class PriorityZone(models.Model):
    """A drawn polygon with the order dispatch should try contractors in, per job type."""

    name = models.CharField(max_length=80)
    job_type = models.ForeignKey(JobType, on_delete=models.CASCADE, related_name="priority_zones")
    polygon = models.JSONField(help_text="[[lat, lng], ...] vertices, in drawing order.")
    # The polygon's bounding box, kept by `save` (bulk writes must call `fit_bounds`): dispatch
    # asks the index for the few zones whose box holds the job's point and ray-casts only those.
    min_lat = models.FloatField()
    max_lat = models.FloatField()
    min_lng = models.FloatField()
    max_lng = models.FloatField()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(
                fields=["job_type", "min_lat", "max_lat", "min_lng", "max_lng"],
                name="priority_zone_type_bbox",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def fit_bounds(self) -> None:
        """Set the bounding box from the polygon ([[lat, lng], ...])."""
        lats = [float(lat) for lat, _ in self.polygon]
        lngs = [float(lng) for _, lng in self.polygon]
        self.min_lat, self.max_lat = min(lats), max(lats)
        self.min_lng, self.max_lng = min(lngs), max(lngs)

    def save(self, *args, **kwargs):
        self.fit_bounds()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "polygon" in update_fields:
            kwargs["update_fields"] = {*update_fields, "min_lat", "max_lat", "min_lng", "max_lng"}
        super().save(*args, **kwargs)


class PriorityZoneContractor(models.Model):
    zone = models.ForeignKey(PriorityZone, on_delete=models.CASCADE, related_name="entries")
    contractor = models.ForeignKey(Contractor, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "contractor"], name="zone_contractor_once")
        ]

    def __str__(self) -> str:
        return f"{self.zone} #{self.position}: {self.contractor}"
