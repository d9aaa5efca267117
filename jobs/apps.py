from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Jobs"

    def ready(self) -> None:
        from jobs import signals  # noqa: F401  (registers the cache invalidation)

    def load_demo(self, owner) -> None:
        from jobs import demo

        demo.seed_job_settings(owner)
        demo.seed_jobs(owner)
