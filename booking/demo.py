"""Demo embed for `make run`: /book/sliding, live, for the Sliding office, two services."""

from booking import services
from booking.models import DEFAULT_THANK_YOU, Embed
from crm.accounts.models import Office, User


def seed_embeds(owner: User) -> None:
    office = Office.objects.filter(name="Sliding").first()
    if office is None or Embed.objects.filter(slug="sliding").exists():
        return
    services.create_embed(
        actor=owner,
        name="Sliding — website",
        slug="sliding",
        office=office,
        time_zone="America/New_York",
        open_hour=8,
        close_hour=18,
        page_title="Book a sliding door repair",
        company_name="Sliding Door Pros",
        brand_color="#0f766e",
        logo="",
        services=[
            {"name": "Sliding door repair", "price": "149", "image": ""},
            {"name": "Screen door replacement", "price": "", "image": ""},
        ],
        callouts=[
            {
                "icon": "📞",
                "title": "We call to confirm",
                "body": "Within 15 minutes during business hours.",
            },
            {
                "icon": "🚐",
                "title": "A 2-hour arrival window",
                "body": "The technician texts you when on the way.",
            },
            {"icon": "💳", "title": "No payment now", "body": "You pay once the job is done."},
        ],
        confirmation=Embed.Confirmation.MESSAGE,
        thank_you_message=DEFAULT_THANK_YOU,
        redirect_url="",
        allowed_domains="",
        is_live=True,
    )
