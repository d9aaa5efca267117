from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        from leads.services import ingest
        from messaging import numbers

        # Step 2 of a webhook lead's office: its tracking source on CP → CTM Numbers.
        ingest.register_tracking_source_lookup(numbers.office_for_tracking_source)

    def load_demo(self, owner) -> None:
        from messaging import demo

        demo.seed_messaging()
