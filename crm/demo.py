"""Demo data for `make run`, loaded once: the core's offices and staff (one user per role,
password demo1234), then each app's own demo through its AppConfig's `load_demo(owner)`.

The core knows no domain: apps sit in INSTALLED_APPS after what they build on, and their
demos load in that order.
"""

from django.apps import apps
from django.db import transaction

from crm.accounts import services
from crm.accounts.models import Office, Role, User

PASSWORD = "demo1234"
OFFICES = [("Sliding", True), ("Garage", True), ("General", True), ("Joes Doors FL", False)]
STAFF = [
    # email, first, last, role, offices ("all" or names)
    ("admin@example.com", "Adam", "Admin", Role.ADMIN, ["Sliding", "Garage", "General"]),
    ("finance@example.com", "Fiona", "Finance", Role.FINANCE_ADMIN, "all"),
    ("agent@example.com", "Omri", "Agent", Role.AGENT, ["Sliding", "Garage"]),
    ("viewer@example.com", "Victor", "Viewer", Role.VIEWER, "all"),
    ("joe@example.com", "Joe", "Florida", Role.AGENT, ["Joes Doors FL"]),
]


@transaction.atomic
def load() -> bool:
    """Load everything; False (and nothing changed) when the demo owner already exists."""
    if User.objects.filter(email="owner@example.com").exists():
        return False
    owner = User.objects.create_user(
        "owner@example.com", PASSWORD, first_name="Olivia", last_name="Owner", role=Role.OWNER
    )
    for name, jobs_on in OFFICES:
        if not Office.objects.filter(name=name).exists():
            services.add_office(actor=owner, name=name, is_jobs_enabled=jobs_on)
    for email, first, last, role, offices in STAFF:
        services.create_user(
            actor=owner,
            email=email,
            first_name=first,
            last_name=last,
            role=role,
            offices=Office.objects.filter(name__in=offices) if offices != "all" else [],
            has_all_offices=offices == "all",
            password=PASSWORD,
        )
    for config in apps.get_app_configs():
        if hasattr(config, "load_demo"):
            config.load_demo(owner)
    return True
