"""`make run` loads the demo once: what a first look at the product relies on."""

import pytest
from django.core.management import call_command

from contractors.matching import closest_service_areas, covering_contractors, priority_contractors
from contractors.models import Contractor, JobType, ServiceArea
from crm.accounts.models import Role, User
from jobs.models import Job
from leads.models import Lead

pytestmark = pytest.mark.django_db


def test_the_demo_loads_people_leads_and_real_coverage_once():
    call_command("seed_demo")

    assert {user.role for user in User.objects.all()} == set(Role)
    assert Lead.objects.count() == 62
    assert ServiceArea.objects.count() == 20 and Contractor.objects.count() == 12
    garage = JobType.objects.get(label="Garage Door")
    (nearest, miles), *_ = closest_service_areas(25.7617, -80.1918)  # downtown Miami
    assert nearest.label == "Miami" and miles < 5
    assert "Mike Hernandez Garage Doors" in {c.name for c in covering_contractors(nearest, garage)}
    assert [c.name for c in priority_contractors(25.7617, -80.1918, garage)] == [
        "Mike Hernandez Garage Doors",
        "Homestead Door Repair",
        "Broward Door Pros",
    ]

    # The demo partner belongs to the GDQ Leads Job Partner and has leads and jobs to read.
    partner = User.objects.get(email="partner@example.com")
    assert partner.partner.name == "GDQ Leads"
    assert Lead.objects.visible_to(partner).count() > 0
    assert Job.objects.visible_to(partner).count() > 0
    assert not Job.objects.visible_to(partner).exclude(source=partner.partner).exists()

    call_command("seed_demo")  # a second run changes nothing
    assert Lead.objects.count() == 62 and Contractor.objects.count() == 12


def test_the_demo_has_sms_lines_threads_and_opt_outs():
    from messaging.models import Line, PossibleOptOut, Suppression, Thread
    from messaging.services import is_opted_out

    call_command("seed_demo")
    lines = Line.objects.exclude(label="Finance")
    assert lines.count() == 4 and len({line.office_id for line in lines}) == 4
    assert [line.is_toll_free for line in lines].count(True) == 1
    assert lines.filter(no_reply=True).count() == 1
    assert Thread.objects.count() == 40
    assert Thread.objects.filter(lead__isnull=False).count() > 20
    assert Thread.objects.filter(unresolved_count__gt=0).exists()
    suppressed = Suppression.objects.get()
    assert is_opted_out(suppressed.last10)
    assert PossibleOptOut.objects.filter(decision="").count() == 1
