from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = "Finance"

    def ready(self) -> None:
        from finance import handlers  # noqa: F401  (registers the house-brand auto-K)

    def load_demo(self, owner) -> None:
        from finance import demo

        demo.seed_finance(owner)
