from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction

from crm import prefetch
from crm.assistant.client import DEFAULT_MODEL, MODELS
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
    anthropic_api_key = EncryptedTextField(
        "Anthropic API key",
        blank=True,
        help_text="AI Assistant and the AI agents. Without it the assistant is off.",
    )
    assistant_model = models.CharField(
        "AI Assistant model",
        max_length=40,
        default=DEFAULT_MODEL,
        choices=list(MODELS.items()),
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

    @classmethod
    def google_browser_key(cls) -> str:
        """The stored Google Places key, from the shared cache: every page with a map or
        an address field reads it. Only this key is cached, never the row: it is the
        browser key, written into those pages anyway, so the cache holds nothing a
        browser doesn't. Saving the row forgets it."""
        key = cls.browser_key_cache_key()
        value = prefetch.get(key)
        if value is None:
            value = str(cls.load().google_places_api_key)  # unreadable: "" (and audited)
            prefetch.set(key, value, timeout=60 * 60)
        return value

    @staticmethod
    def browser_key_cache_key() -> str:
        # Per database: processes sharing one cache but not one database (test workers).
        return f"controlpanel:google-browser-key:{connection.settings_dict['NAME']}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        key = self.browser_key_cache_key()
        cache.delete(key)
        transaction.on_commit(lambda: cache.delete(key))  # no stale re-fill

    @property
    def secret_notice(self) -> str:
        return notice(self.google_places_api_key, "Google Places API key")

    @property
    def anthropic_key_notice(self) -> str:
        return notice(self.anthropic_api_key, "Anthropic API key")
