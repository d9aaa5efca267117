"""Online booking embeds (CP → 🌐 Online Booking Tool) and what their widget needs to stay
safe: images kept apart from the hot row, and one row per accepted submission."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils import timezone

DEFAULT_BRAND_COLOR = "#2563eb"
DEFAULT_THANK_YOU = "We received your request and will call you shortly to confirm."


class EmbedQuerySet(models.QuerySet):
    def live(self) -> "EmbedQuerySet":
        return self.filter(is_live=True)


class Embed(models.Model):
    """One booking widget: served at /book/<slug>, every submission tagged `office`.

    `services` holds up to 3 `{"name", "price", "image"}` (price a decimal string or "",
    image an EmbedImage digest or ""); `callouts` up to 3 `{"icon", "title", "body"}`.
    Images live in EmbedImage, so the widget reads a small row on every request.
    """

    class Confirmation(models.TextChoices):
        MESSAGE = "message", "Show a thank-you message"
        REDIRECT = "redirect", "Redirect to a thank-you page"

    name = models.CharField("Internal name", max_length=80)
    slug = models.SlugField("URL slug", max_length=60, unique=True)
    office = models.ForeignKey(
        "accounts.Office", on_delete=models.PROTECT, related_name="booking_embeds"
    )
    time_zone = models.CharField(max_length=40, default=settings.BUSINESS_TIME_ZONE)
    open_hour = models.PositiveSmallIntegerField(default=8)
    close_hour = models.PositiveSmallIntegerField(default=18)
    page_title = models.CharField(max_length=80, blank=True)
    company_name = models.CharField(max_length=80, blank=True)
    brand_color = models.CharField(max_length=7, default=DEFAULT_BRAND_COLOR)
    logo = models.CharField(max_length=64, blank=True)  # an EmbedImage digest
    services = models.JSONField(default=list, blank=True)
    callouts = models.JSONField(default=list, blank=True)
    confirmation = models.CharField(
        max_length=10, choices=Confirmation.choices, default=Confirmation.MESSAGE
    )
    thank_you_message = models.TextField(blank=True)
    redirect_url = models.URLField(max_length=500, blank=True)
    allowed_domains = models.TextField(
        blank=True, help_text="Comma-separated hosts that may frame the widget; empty = any."
    )
    is_live = models.BooleanField("Live", default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = EmbedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone or settings.BUSINESS_TIME_ZONE)

    @property
    def domains(self) -> list[str]:
        return [item.strip() for item in self.allowed_domains.split(",") if item.strip()]

    @property
    def redirects(self) -> bool:
        return self.confirmation == self.Confirmation.REDIRECT

    def image_digests(self) -> set[str]:
        digests = {self.logo} | {service.get("image", "") for service in self.services}
        return {digest for digest in digests if digest}


class EmbedImage(models.Model):
    """A logo or service picture as a base64 data URL, stored once per content (sha256).

    Served at /book/img/<digest> with a year of caching: the content never changes.
    """

    digest = models.CharField(max_length=64, primary_key=True)
    content_type = models.CharField(max_length=40)
    data_url = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.content_type} {self.digest[:12]}"


class Booking(models.Model):
    """One accepted submission. The unique `key` comes from the widget's signed form token:
    a double submit of the same form finds it taken and makes no second lead."""

    embed = models.ForeignKey(Embed, on_delete=models.CASCADE, related_name="bookings")
    key = models.CharField(max_length=40, unique=True)
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Booking {self.key} via {self.embed_id}"
