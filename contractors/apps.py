from django.apps import AppConfig


class ContractorsConfig(AppConfig):
    name = "contractors"
    verbose_name = "Contractors and service areas"

    def load_demo(self, owner) -> None:
        from contractors import demo

        demo.seed_job_settings(owner)
        demo.seed_areas_and_contractors(owner)
        demo.seed_partner_login(owner)
