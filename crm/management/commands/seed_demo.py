"""`manage.py seed_demo`: the demo data of `make run` (crm/demo.py), once."""

from django.core.management.base import BaseCommand

from crm import demo


class Command(BaseCommand):
    help = "Load the demo offices, users (password demo1234), leads, jobs and settings, once."

    def handle(self, *args, **options):
        if not demo.load():
            self.stdout.write("Demo data already loaded.")
            return
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded: sign in as owner@example.com / {demo.PASSWORD}")
        )
