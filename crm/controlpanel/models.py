from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from crm.fields import EncryptedTextField
from crm.unreadable_secrets import notice, report_unreadable


class AppSettings(models.Model):
    """Owner-wide settings (CP → App Settings); one row, read with `AppSettings.load()`."""

    escalation_timer_minutes = models.PositiveIntegerField(
        "Escalation timer (minutes)",
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
        help_text="How long a Fresh lead can sit unclaimed before reports count it as escalated.",
    )
    google_places_api_key = EncryptedTextField(
        "Google Places API key",
        blank=True,
        help_text="Address autocomplete, ZIP geocoding and maps. Restrict it by HTTP referrer in "
        "Google Cloud Console.",
    )

    class Meta:
        verbose_name_plural = "app settings"

    def __str__(self) -> str:
        return "App settings"

    @classmethod
    def load(cls) -> "AppSettings":
        settings, _ = cls.objects.get_or_create(pk=1)
        report_unreadable(settings)
        return settings

    @property
    def secret_notice(self) -> str:
        return notice(self.google_places_api_key, "Google Places API key")
