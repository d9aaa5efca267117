from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = "Leads"

    def ready(self) -> None:
        from django.contrib.postgres.lookups import TrigramSimilar
        from django.db.models import CharField

        from leads import choices  # noqa: F401  (its signals forget the cached sources)

        # The dashboard search's "%" (pg_trgm) on names; django.contrib.postgres is not an
        # installed app, so its lookups are registered here (used on Postgres only).
        CharField.register_lookup(TrigramSimilar)

    def load_demo(self, owner) -> None:
        from leads import demo

        demo.seed_calling_hours()
        demo.seed_leads()
