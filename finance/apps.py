from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = "Finance"

    def load_demo(self, owner) -> None:
        from finance import demo

        demo.seed_finance(owner)
