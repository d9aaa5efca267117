from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Online booking"

    def ready(self) -> None:
        from booking import signals  # noqa: F401  (drops cached embeds on change)

    def load_demo(self, owner) -> None:
        from booking import demo

        demo.seed_embeds(owner)
