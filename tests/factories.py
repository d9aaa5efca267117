import datetime

import factory
from django.utils import timezone

from contractors.models import JobPartner
from crm.accounts.models import Office, Role, User

PASSWORD = "correct-horse-battery"


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Office {n}")
    is_jobs_enabled = True


class UserFactory(factory.django.DjangoModelFactory):
    """A staff user in one new office (pass `offices=[...]` to choose, or has_all_offices)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.AGENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _create(cls, model_class, *args, partner_name: str = "", **kwargs):
        """`partner_name="GDQ"` ties a partner login to that Job Partner (made if missing)."""
        if partner_name:
            known = JobPartner.objects.filter(name__iexact=partner_name).first()
            kwargs["partner"] = known or JobPartnerFactory(name=partner_name)
        return super()._create(model_class, *args, **kwargs)

    @factory.post_generation
    def offices(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is not None:
            self.offices.set(extracted)
        elif self.role not in (Role.OWNER, Role.PARTNER) and not self.has_all_offices:
            self.offices.set([OfficeFactory()])
        self.save()


class TimelineEntryFactory(factory.django.DjangoModelFactory):
    """A timeline line about a lead (leads arrive with their own app; the feed needs none)."""

    class Meta:
        model = "timeline.TimelineEntry"

    subject_type = "lead"
    subject_id = factory.Sequence(lambda n: n + 1)
    subject_label = factory.Faker("name")
    kind = "status"
    office = factory.SubFactory(OfficeFactory)
    body = "Status: Fresh → Not Yet Scheduled"


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "timeline.AuditEvent"

    kind = "office.added"
    text = factory.Sequence(lambda n: f"Office {n} added")


def lead_source(key: str = "facebook"):
    """A built-in source. The data migration creates them, but transactional tests
    (e2e) flush every table afterwards, so put them back when they are gone."""
    from leads.models import LeadSource, add_built_in_sources

    if not LeadSource.objects.exists():
        add_built_in_sources(LeadSource)
    return LeadSource.objects.get(key=key)


class LeadFactory(factory.django.DjangoModelFactory):
    """A Fresh Facebook lead in a new office; pass office=, source=, status=... to shape it."""

    class Meta:
        model = "leads.Lead"

    office = factory.SubFactory(OfficeFactory)
    source = factory.LazyFunction(lead_source)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    phone = factory.Sequence(lambda n: f"+1305555{n % 10000:04d}")
    phone_last10 = factory.LazyAttribute(lambda lead: lead.phone[-10:])
    email = factory.LazyAttribute(lambda lead: f"{lead.first_name.lower()}@example.net")
    zip_code = "33101"
    city = "Miami"
    state = "FL"
    timezone = "America/New_York"
    metro = "Miami, FL"


class JobTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contractors.JobType"
        django_get_or_create = ("label",)

    label = factory.Sequence(lambda n: f"Job type {n}")


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    """Miami by default; pass label/zip_code/lat/lng for elsewhere."""

    class Meta:
        model = "contractors.ServiceArea"

    label = factory.Sequence(lambda n: f"Area {n}")
    zip_code = "33101"
    city = "Miami"
    state = "FL"
    lat = 25.7791
    lng = -80.1978


class ContractorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contractors.Contractor"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Contractor {n} LLC")
    contact_name = factory.Faker("name")
    profit_share = 30

    @factory.post_generation
    def job_types(self, create, extracted, **kwargs):
        if create and extracted:
            self.job_types.set(extracted)

    @factory.post_generation
    def service_areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.service_areas.set(extracted)


class JobPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "contractors.JobPartner"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Partner {n}")


class CancelReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "jobs.CancelReason"
        django_get_or_create = ("label",)

    label = factory.Sequence(lambda n: f"Reason {n}")


class JobTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "jobs.JobTag"
        django_get_or_create = ("label",)

    label = factory.Sequence(lambda n: f"Tag {n}")
    color = "#0ea5e9"


def _job_start() -> datetime.datetime:
    return timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=1)


class JobFactory(factory.django.DjangoModelFactory):
    """A Submitted job tomorrow in Miami, numbered past the real counter's range; pass
    office=, status=, contractor=, starts_at=... to shape it. Real creates go through
    `jobs.services.create_job`, which numbers from the counter."""

    class Meta:
        model = "jobs.Job"

    number = factory.Sequence(lambda n: 900_000 + n)
    office = factory.SubFactory(OfficeFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    phone = factory.Sequence(lambda n: f"+1305555{n % 10000:04d}")
    phone_last10 = factory.LazyAttribute(lambda job: job.phone[-10:])
    street = "100 Biscayne Blvd"
    city = "Miami"
    state = "FL"
    zip_code = "33132"
    lat = 25.7783
    lng = -80.1888
    timezone = "America/New_York"
    job_type = factory.SubFactory(JobTypeFactory)
    source = factory.SubFactory(JobPartnerFactory)
    starts_at = factory.LazyFunction(_job_start)
    ends_at = factory.LazyAttribute(lambda job: job.starts_at + datetime.timedelta(hours=2))
