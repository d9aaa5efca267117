from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = "Leads"

    def load_demo(self, owner) -> None:
        from leads import demo

        demo.seed_calling_hours()
        demo.seed_leads()
