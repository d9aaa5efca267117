"""Demo job types, partners, ~20 service areas (real ZIPs: South Florida and Atlanta) and
12 contractors with job types, areas and profit shares, and GDQ Leads' partner login.
Created through the actions."""

from decimal import Decimal

from contractors.models import JobPartner, JobType, ServiceArea
from contractors.services import settings as job_settings
from crm.accounts.models import Role
from crm.accounts.services import create_user
from crm.demo import PASSWORD

JOB_TYPES = ["Garage Door", "Sliding Door", "Patio Door", "HVAC"]
JOB_PARTNERS = [
    ("GDQ Leads", "35"),
    ("Nehoray Leads", "30"),
    ("Raful", "25"),
    ("BookBack Home (house brand)", "100"),
]
AREAS = [
    ("Miami", "33101", "305"),
    ("Miami Beach", "33139", "305"),
    ("Hialeah", "33010", "305"),
    ("Coral Gables", "33134", "305"),
    ("Homestead", "33030", "305"),
    ("Kendall", "33156", "305"),
    ("Fort Lauderdale", "33301", "954"),
    ("Hollywood", "33020", "954"),
    ("Pembroke Pines", "33024", "954"),
    ("Coral Springs", "33065", "954"),
    ("Boca Raton", "33432", "561"),
    ("Delray Beach", "33444", "561"),
    ("West Palm Beach", "33401", "561"),
    ("Jupiter", "33458", "561"),
    ("Atlanta", "30303", "404"),
    ("Marietta", "30060", "770"),
    ("Decatur", "30030", "404"),
    ("Sandy Springs", "30328", "404"),
    ("Alpharetta", "30009", "770"),
    ("Lawrenceville", "30043", "770"),
]
CONTRACTORS = [
    # name, contact, job types, area labels, primary %, secondary %,
    # secondary ZIPs, secondary partners
    (
        "Mike Hernandez Garage Doors",
        "Mike Hernandez",
        ["Garage Door"],
        ["Miami", "Hialeah", "Kendall"],
        "30",
        "35",
        ["33010"],
        ["GDQ Leads"],
    ),
    (
        "Sunshine Sliding Doors",
        "Ana Ruiz",
        ["Sliding Door", "Patio Door"],
        ["Miami", "Miami Beach", "Coral Gables"],
        "28",
        None,
        [],
        [],
    ),
    (
        "Broward Door Pros",
        "Tom Becker",
        ["Garage Door", "Sliding Door"],
        ["Fort Lauderdale", "Hollywood", "Pembroke Pines"],
        "32",
        "38",
        [],
        ["Nehoray Leads"],
    ),
    (
        "Palm Beach Overhead",
        "Sara Klein",
        ["Garage Door"],
        ["Boca Raton", "Delray Beach", "West Palm Beach"],
        "30",
        None,
        [],
        [],
    ),
    (
        "Jupiter Glass & Doors",
        "Luis Ortega",
        ["Sliding Door"],
        ["Jupiter", "West Palm Beach"],
        "27",
        None,
        [],
        [],
    ),
    (
        "Cool Breeze HVAC",
        "Dave Miller",
        ["HVAC"],
        ["Miami", "Fort Lauderdale", "Boca Raton"],
        "25",
        "30",
        ["33139"],
        [],
    ),
    (
        "Homestead Door Repair",
        "Rosa Gomez",
        ["Garage Door", "Patio Door"],
        ["Homestead", "Kendall"],
        "33",
        None,
        [],
        [],
    ),
    (
        "Coral Springs Garage Co",
        "Peter Olsen",
        ["Garage Door"],
        ["Coral Springs", "Pembroke Pines"],
        "31",
        None,
        [],
        [],
    ),
    (
        "Peach State Doors",
        "James Carter",
        ["Garage Door", "Sliding Door"],
        ["Atlanta", "Decatur", "Marietta"],
        "30",
        "35",
        ["30303"],
        [],
    ),
    (
        "North Fulton Overhead",
        "Grace Park",
        ["Garage Door"],
        ["Sandy Springs", "Alpharetta"],
        "29",
        None,
        [],
        [],
    ),
    (
        "Gwinnett Patio & Glass",
        "Omar Haddad",
        ["Patio Door", "Sliding Door"],
        ["Lawrenceville", "Decatur"],
        "27",
        None,
        [],
        [],
    ),
    (
        "ATL Comfort Air",
        "Linda Brooks",
        ["HVAC"],
        ["Atlanta", "Marietta", "Sandy Springs"],
        "24",
        None,
        [],
        [],
    ),
]


def seed_job_settings(actor) -> None:
    for order, label in enumerate(JOB_TYPES):
        if not JobType.objects.filter(label=label).exists():
            job_settings.save_job_type(actor=actor, label=label, sort_order=order)
    for name, keep_rate in JOB_PARTNERS:
        job_settings.save_job_partner(actor=actor, name=name, keep_rate=Decimal(keep_rate))


def seed_partner_login(actor) -> None:
    """partner@example.com signs in as GDQ Leads' staff (same demo password)."""
    create_user(
        actor=actor,
        email="partner@example.com",
        first_name="Pat",
        last_name="Partner",
        role=Role.PARTNER,
        partner=JobPartner.objects.get(name="GDQ Leads"),
        password=PASSWORD,
    )


def seed_areas_and_contractors(actor) -> None:
    from contractors.services.areas import add_service_area
    from contractors.services.contractors import save_contractor

    for label, zip_code, area_code in AREAS:
        if not ServiceArea.objects.filter(label=label).exists():
            add_service_area(actor=actor, label=label, zip_code=zip_code, area_code=area_code)
    types = {job_type.label: job_type for job_type in JobType.objects.all()}
    areas = {area.label: area for area in ServiceArea.objects.all()}
    for name, contact, kinds, area_labels, primary, secondary, zips, partners in CONTRACTORS:
        save_contractor(
            actor=actor,
            name=name,
            contact_name=contact,
            job_types=[types[kind] for kind in kinds],
            service_areas=[areas[label] for label in area_labels],
            profit_share=Decimal(primary),
            secondary_profit_share=Decimal(secondary) if secondary else None,
            secondary_zip_codes=zips,
            secondary_partners=partners,
        )
    seed_priority_zone(actor, garage=types["Garage Door"])


# Miami-Dade's core, drawn corner by corner as on the map: garage jobs try Mike first.
MIAMI_CORE = [[25.98, -80.45], [25.98, -80.12], [25.55, -80.12], [25.55, -80.45]]


def seed_priority_zone(actor, *, garage: JobType) -> None:
    from contractors.models import Contractor, PriorityZone
    from contractors.services.zones import save_zone

    if PriorityZone.objects.exists():
        return
    order = ["Mike Hernandez Garage Doors", "Homestead Door Repair", "Broward Door Pros"]
    ids = dict(Contractor.objects.filter(name__in=order).values_list("name", "id"))
    save_zone(
        actor=actor,
        name="Miami-Dade core",
        job_type=garage,
        polygon=MIAMI_CORE,
        contractor_ids=[ids[name] for name in order],
    )
