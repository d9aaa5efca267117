from django.apps import AppConfig


class CrmConfig(AppConfig):
    """The shared core: the domain-event outbox lives here."""

    name = "crm"
    verbose_name = "BookBack core"
