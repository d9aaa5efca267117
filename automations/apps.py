from django.apps import AppConfig


class AutomationsConfig(AppConfig):
    """Hears domain events and acts outside the CRM: outbound webhooks (and, later,
    automation rules). No domain imports it (tests/core/test_import_rules.py)."""

    name = "automations"
    verbose_name = "Automations & Integrations"

    def ready(self) -> None:
        from automations.rules import handlers as rule_handlers  # noqa: F401  (registers)
        from automations.webhooks import handlers  # noqa: F401  (registers the webhook handler)

    def load_demo(self, owner) -> None:
        from automations.rules import demo as rules_demo
        from automations.webhooks import demo

        demo.seed(owner)
        rules_demo.seed(owner)
