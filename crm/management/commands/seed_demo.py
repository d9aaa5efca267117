"""Demo data for `make run`: the four offices, one user per role (password demo1234), the
demo leads with calling hours for every state, and demo jobs with their finance figures.

Runs once: a second call finds the owner and changes nothing.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from booking import demo as booking_demo
from contractors import demo as contractors_demo
from contractors.models import JobPartner
from crm.accounts import services
from crm.accounts.models import Office, Role, User
from finance import demo as finance_demo
from jobs import demo as jobs_demo
from leads import demo as leads_demo

PASSWORD = "demo1234"
OFFICES = [("Sliding", True), ("Garage", True), ("General", True), ("Joes Doors FL", False)]
USERS = [
    # email, first, last, role, offices ("all" or names), partner name
    ("owner@example.com", "Olivia", "Owner", Role.OWNER, "all", ""),
    ("admin@example.com", "Adam", "Admin", Role.ADMIN, ["Sliding", "Garage", "General"], ""),
    ("finance@example.com", "Fiona", "Finance", Role.FINANCE_ADMIN, "all", ""),
    ("agent@example.com", "Omri", "Agent", Role.AGENT, ["Sliding", "Garage"], ""),
    ("viewer@example.com", "Victor", "Viewer", Role.VIEWER, "all", ""),
    ("partner@example.com", "Pat", "Partner", Role.PARTNER, [], "GDQ Leads"),
    ("joe@example.com", "Joe", "Florida", Role.AGENT, ["Joes Doors FL"], ""),
]


class Command(BaseCommand):
    help = "Load the demo offices, users (password demo1234) and leads, once."

    @transaction.atomic
    def handle(self, *args, **options):
        if User.objects.filter(email="owner@example.com").exists():
            self.stdout.write("Demo data already loaded.")
            return
        owner = User.objects.create_user(
            "owner@example.com", PASSWORD, first_name="Olivia", last_name="Owner", role=Role.OWNER
        )
        for name, jobs_on in OFFICES:
            if not Office.objects.filter(name=name).exists():
                services.add_office(actor=owner, name=name, is_jobs_enabled=jobs_on)
        contractors_demo.seed_job_settings(owner)  # the Job Partners the partner login needs
        for email, first, last, role, offices, partner in USERS[1:]:
            services.create_user(
                actor=owner,
                email=email,
                first_name=first,
                last_name=last,
                role=role,
                offices=Office.objects.filter(name__in=offices) if offices != "all" else [],
                has_all_offices=offices == "all",
                partner=JobPartner.objects.get(name=partner) if partner else None,
                password=PASSWORD,
            )
        contractors_demo.seed_areas_and_contractors(owner)
        leads_demo.seed_calling_hours()
        leads_demo.seed_leads()
        jobs_demo.seed_job_settings(owner)
        jobs_demo.seed_jobs(owner)
        finance_demo.seed_finance(owner)
        booking_demo.seed_embeds(owner)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded: sign in as owner@example.com / {PASSWORD}")
        )
