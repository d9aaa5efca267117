"""CP → 🌐 Online Booking Tool: the owner's embed list and builder, every validation with its
message, and an audit row for every change."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from booking import services
from booking.models import Embed, EmbedImage
from crm.accounts.models import Role
from crm.models import DomainEvent
from crm.timeline.models import AuditEvent
from tests.booking.test_images import EVIL_SVG, GIF, PNG
from tests.factories import OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST = "/cp/online-booking"
NEW = "/cp/online-booking/new"
NON_OWNERS = [Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER, Role.PARTNER]


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def valid_post(office, /, **changes) -> dict:
    data = {
        "name": "Sliding — website",
        "slug": "sliding",
        "office": office.pk,
        "time_zone": "America/New_York",
        "open_hour": "8",
        "close_hour": "18",
        "page_title": "Book a repair",
        "company_name": "Sliding Door Pros",
        "brand_color": "#0F766E",
        "service_1_name": "Sliding door repair",
        "service_1_price": "$1,149.5",
        "service_2_name": "Screen replacement",
        "callout_1_icon": "📞",
        "callout_1_title": "We call to confirm",
        "callout_1_body": "Within minutes.",
        "confirmation": "message",
        "thank_you_message": "Thanks! We'll call you.",
        "redirect_url": "",
        "allowed_domains": "Example.com,  www.example.com/",
        "is_live": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- Creating ---------------------------------------------------------------------------


def test_the_cp_tile_leads_to_the_embed_list(owner_client):
    page = owner_client.get(reverse("controlpanel:index"))
    assertContains(page, "Online Booking Tool")
    assertContains(page, f'href="{LIST}"')


def test_owner_creates_an_embed_with_every_field(owner_client, office):
    logo = SimpleUploadedFile("logo.svg", EVIL_SVG, content_type="image/svg+xml")
    picture = SimpleUploadedFile("door.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20)
    response = owner_client.post(
        NEW, {**valid_post(office), "logo": logo, "service_1_image": picture}
    )
    assert response.status_code == 302 and response.url == LIST
    embed = Embed.objects.get()
    assert (embed.name, embed.slug, embed.office, embed.open_hour, embed.close_hour) == (
        "Sliding — website",
        "sliding",
        office,
        8,
        18,
    )
    assert (embed.page_title, embed.company_name, embed.brand_color) == (
        "Book a repair",
        "Sliding Door Pros",
        "#0f766e",
    )
    assert embed.services[0]["name"] == "Sliding door repair"
    assert embed.services[0]["price"] == "1149.50"
    assert embed.services[1] == {"name": "Screen replacement", "price": "", "image": ""}
    assert EmbedImage.objects.get(digest=embed.services[0]["image"]).content_type == "image/jpeg"
    logo_row = EmbedImage.objects.get(digest=embed.logo)
    assert logo_row.data_url.startswith("data:image/svg+xml;base64,")
    assert embed.callouts == [
        {"icon": "📞", "title": "We call to confirm", "body": "Within minutes."}
    ]
    assert embed.allowed_domains == "example.com, www.example.com"
    assert embed.is_live and embed.thank_you_message == "Thanks! We'll call you."
    audit = AuditEvent.objects.get(kind="embed.created")
    assert audit.text == "Booking embed Sliding — website (/book/sliding) created"
    assert audit.office == office
    assert DomainEvent.objects.filter(name="embed.created").exists()


def test_the_list_shows_each_embed_with_its_actions(owner_client, make_embed):
    make_embed()
    make_embed(slug="garage", name="Garage", is_live=False)
    page = owner_client.get(LIST)
    assertContains(page, "<code>/book/sliding</code>")
    assertContains(page, "✓ Live")
    assertContains(page, "○ Paused")
    for label in ("📋 Embed code", "↗ Preview", "⎘ Duplicate", "Edit", "Delete"):
        assertContains(page, label)
    assertContains(page, 'href="http://testserver/book/sliding?test=1"')
    assertContains(page, "Delete the embed Garage?")


def test_the_list_costs_the_same_queries_for_one_or_many_embeds(
    owner_client, make_embed, django_assert_max_num_queries
):
    make_embed()
    owner_client.get(LIST)
    with django_assert_max_num_queries(8) as one:
        owner_client.get(LIST)
    for number in range(5):
        make_embed(slug=f"e{number}", name=f"E{number}", office=OfficeFactory())
    with django_assert_max_num_queries(len(one)) as many:
        owner_client.get(LIST)
    assert len(many) == len(one)


# --- Validation: one clear message per field -------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Give the embed an internal name"),
        ({"slug": ""}, "slug", "Pick the URL slug, like sliding."),
        ({"slug": "Sliding Doors!"}, "slug", "Use lowercase letters, numbers and dashes only"),
        ({"office": ""}, "office", "Pick the office its leads belong to."),
        ({"office": "999999"}, "office", "That office no longer exists."),
        ({"time_zone": "Europe/Paris"}, "time_zone", "Pick a US time zone from the list."),
        ({"open_hour": "25"}, "open_hour", "Pick an opening hour from the list."),
        ({"close_hour": "0"}, "close_hour", "Pick a closing hour from the list."),
        ({"open_hour": "9", "close_hour": "10"}, "close_hour", "Close at least 2 hours after"),
        ({"open_hour": "12", "close_hour": "8"}, "close_hour", "Close at least 2 hours after"),
        ({"brand_color": "teal"}, "brand_color", "Pick a colour like #2563eb."),
        ({"page_title": "x" * 81}, "page_title", "at most 80 characters"),
        ({"company_name": "x" * 81}, "company_name", "at most 80 characters"),
        ({"service_1_price": "cheap"}, "service_1_price", "Enter a price like 149 or 149.99"),
        ({"service_1_price": "-5"}, "service_1_price", "Enter a price from 0 to 99,999.99"),
        (
            {"service_3_price": "99"},
            "service_3_name",
            "Name this service, or clear its price and image.",
        ),
        (
            {"callout_2_body": "Text without a title"},
            "callout_2_title",
            "Give this callout a title, or clear its icon and text.",
        ),
        ({"callout_1_icon": "x" * 9}, "callout_1_icon", "at most 8 characters"),
        ({"confirmation": ""}, "confirmation", "Choose a thank-you message or a redirect."),
        ({"confirmation": "popup"}, "confirmation", "Select a valid choice"),
        (
            {"confirmation": "message", "thank_you_message": " "},
            "thank_you_message",
            "Write the thank-you message customers will see.",
        ),
        (
            {"confirmation": "redirect", "redirect_url": ""},
            "redirect_url",
            "Enter the full URL of your thank-you page",
        ),
        (
            {"confirmation": "redirect", "redirect_url": "not a url"},
            "redirect_url",
            "Enter a full URL, like https://example.com/thank-you.",
        ),
        (
            {"confirmation": "redirect", "redirect_url": "ftp://example.com/x"},
            "redirect_url",
            "Enter a full URL, like https://example.com/thank-you.",
        ),
        (
            {"allowed_domains": "example.com, not a domain!"},
            "allowed_domains",
            "not a domain! is not a domain.",
        ),
        (
            {"allowed_domains": "https://example.com/path"},
            "allowed_domains",
            "https://example.com/path is not a domain.",
        ),
    ],
)
def test_each_bad_field_gets_a_clear_message_and_nothing_is_saved(
    owner_client, office, changes, field, message
):
    page = owner_client.post(NEW, valid_post(office, **changes))
    assert page.status_code == 200
    form = page.context["form"]
    assert any(message in error for error in form.errors.get(field, [])), form.errors
    assertContains(page, "field--error")
    assert not Embed.objects.exists()
    assert not AuditEvent.objects.filter(kind__startswith="embed.").exists()


def test_a_taken_slug_is_refused_whatever_its_case(owner_client, office, make_embed):
    make_embed(slug="sliding")
    page = owner_client.post(NEW, valid_post(office, slug="SLIDING", name="Other"))
    assert (
        "/book/sliding is taken by another embed. Pick another slug."
        in (page.context["form"].errors["slug"])
    )
    assert Embed.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (PNG + b"\x00" * (200 * 1024), "The logo is larger than 200 KB"),
        (GIF, "The logo must be a PNG, JPG or SVG image."),
        (b"<!DOCTYPE svg><svg xmlns='http://www.w3.org/2000/svg'/>", "declares a DOCTYPE"),
    ],
    ids=["too-big", "gif", "doctype-svg"],
)
def test_logo_limits_are_shown_on_the_logo_field(owner_client, office, content, message):
    logo = SimpleUploadedFile("logo.png", content)
    page = owner_client.post(NEW, {**valid_post(office), "logo": logo})
    errors = page.context["form"].errors
    assert any(message in error for error in errors["logo"]), errors
    assertContains(page, "Files are not kept when the form has errors: choose them again.")
    assert not Embed.objects.exists() and not EmbedImage.objects.exists()


def test_a_service_image_has_the_same_limits(owner_client, office):
    image = SimpleUploadedFile("door.gif", GIF)
    page = owner_client.post(NEW, {**valid_post(office), "service_2_image": image})
    assert (
        "Service 2's image must be a PNG, JPG or SVG image."
        in (page.context["form"].errors["service_2_image"])
    )


def test_the_actions_enforce_the_rules_too(owner, office):
    from tests.booking.conftest import embed_fields

    with pytest.raises(services.EmbedError) as refused:
        services.create_embed(actor=owner, **embed_fields(office, open_hour=10, close_hour=11))
    assert refused.value.field == "close_hour"
    with pytest.raises(services.EmbedError, match="thank-you page"):
        services.create_embed(
            actor=owner, **embed_fields(office, confirmation="redirect", redirect_url="")
        )
    four = [{"name": f"S{n}", "price": None, "image": ""} for n in range(4)]
    with pytest.raises(services.EmbedError, match="At most 3 services"):
        services.create_embed(actor=owner, **embed_fields(office, services=four))


# --- Editing ----------------------------------------------------------------------------


def test_editing_saves_and_audits_the_changed_fields(owner_client, office, make_embed):
    embed = make_embed()
    page = owner_client.get(f"/cp/online-booking/{embed.pk}")
    assertContains(page, 'value="Sliding door repair"')
    assertContains(page, 'value="149.00"')
    post = valid_post(
        office,
        name="Sliding — site",
        service_1_price="149",
        service_2_name="Screen replacement",
        callout_1_body="Within minutes.",
        allowed_domains="",
        thank_you_message=embed.thank_you_message,
        brand_color="#0f766e",
        page_title="Book a repair",
        close_hour="20",
    )
    response = owner_client.post(f"/cp/online-booking/{embed.pk}", post)
    assert response.status_code == 302
    embed.refresh_from_db()
    assert (embed.name, embed.close_hour) == ("Sliding — site", 20)
    audit = AuditEvent.objects.get(kind="embed.updated")
    assert audit.metadata["changed"] == ["close_hour", "name"]


def test_confirmation_is_either_or_the_other_value_is_dropped(owner_client, office, make_embed):
    embed = make_embed()
    post = valid_post(office, confirmation="redirect", redirect_url="https://example.com/thanks")
    owner_client.post(f"/cp/online-booking/{embed.pk}", post)
    embed.refresh_from_db()
    assert (embed.confirmation, embed.redirect_url, embed.thank_you_message) == (
        "redirect",
        "https://example.com/thanks",
        "",
    )


def test_replacing_and_removing_images_drops_unused_ones(owner_client, office, make_embed):
    from booking.images import StoredImage

    old = StoredImage("image/png", "data:image/png;base64,iVBORw0KGgo=")
    embed = make_embed(logo=old)
    assert EmbedImage.objects.filter(digest=old.digest).exists()
    owner_client.post(f"/cp/online-booking/{embed.pk}", valid_post(office, remove_logo="on"))
    embed.refresh_from_db()
    assert embed.logo == ""
    assert not EmbedImage.objects.filter(digest=old.digest).exists()


def test_an_edit_keeps_the_images_it_is_not_given(owner_client, office, make_embed):
    from booking.images import StoredImage

    logo = StoredImage("image/png", "data:image/png;base64,iVBORw0KGgo=")
    embed = make_embed(logo=logo)
    owner_client.post(f"/cp/online-booking/{embed.pk}", valid_post(office, name="Renamed"))
    embed.refresh_from_db()
    assert embed.logo == logo.digest and embed.name == "Renamed"


# --- Row actions -----------------------------------------------------------------------


def test_live_and_paused_toggle_is_audited(owner_client, make_embed):
    embed = make_embed()
    owner_client.post(f"/cp/online-booking/{embed.pk}/live")  # ✓ Live pressed: pause
    embed.refresh_from_db()
    assert not embed.is_live
    row = owner_client.post(
        f"/cp/online-booking/{embed.pk}/live", {"is_live": "on"}, headers={"HX-Request": "true"}
    )
    assertContains(row, "✓ Live")
    embed.refresh_from_db()
    assert embed.is_live
    texts = list(
        AuditEvent.objects.filter(kind="embed.live_changed")
        .order_by("id")
        .values_list("text", flat=True)
    )
    assert texts == [
        "Booking embed Sliding — website is now paused",
        "Booking embed Sliding — website is now live",
    ]


def test_duplicate_makes_a_paused_copy_at_a_free_slug(owner_client, make_embed):
    from booking.images import StoredImage

    logo = StoredImage("image/png", "data:image/png;base64,iVBORw0KGgo=")
    embed = make_embed(logo=logo)
    owner_client.post(f"/cp/online-booking/{embed.pk}/duplicate")
    owner_client.post(f"/cp/online-booking/{embed.pk}/duplicate")
    first, second = Embed.objects.exclude(pk=embed.pk).order_by("id")
    assert (first.name, first.slug, first.is_live) == (
        "Sliding — website (copy)",
        "sliding-copy",
        False,
    )
    assert second.slug == "sliding-copy-2"
    assert first.services == embed.services and first.logo == embed.logo
    assert AuditEvent.objects.filter(kind="embed.duplicated").count() == 2
    # Deleting the original keeps the shared logo for the copies.
    owner_client.post(f"/cp/online-booking/{embed.pk}/delete")
    assert EmbedImage.objects.filter(digest=logo.digest).exists()


def test_delete_removes_the_embed_and_its_url(owner_client, client, make_embed):
    embed = make_embed()
    owner_client.post(f"/cp/online-booking/{embed.pk}/delete")
    assert not Embed.objects.exists()
    assert AuditEvent.objects.get(kind="embed.deleted").text == (
        "Booking embed Sliding — website (/book/sliding) deleted"
    )
    owner_client.logout()
    assert client.get("/book/sliding").status_code == 404


def test_the_embed_code_offers_the_link_and_the_iframe(owner_client, make_embed):
    embed = make_embed(allowed_domains="example.com")
    page = owner_client.get(f"/cp/online-booking/{embed.pk}/code", headers={"HX-Request": "true"})
    assertContains(
        page,
        "&lt;a href=&quot;http://testserver/book/sliding&quot; target=&quot;_blank&quot;&gt;"
        "Book an appointment&lt;/a&gt;",
    )
    assertContains(
        page,
        "&lt;iframe src=&quot;http://testserver/book/sliding?inline=1&quot; style=&quot;"
        "width:100%;max-width:540px;height:720px;border:none&quot; title=&quot;Book an "
        "appointment&quot;&gt;&lt;/iframe&gt;",
    )
    assertContains(page, 'data-copy-from="code-link"')
    assertContains(page, 'data-copy-from="code-iframe"')
    assertContains(page, "Only example.com may frame this embed.")
    assertNotContains(page, "<html")
    assertContains(owner_client.get(f"/cp/online-booking/{embed.pk}/code"), "<html")


def test_a_paused_embed_preview_link_carries_a_signed_preview(owner_client, client, make_embed):
    make_embed(is_live=False)
    page = owner_client.get(LIST).content.decode()
    preview = page.split('href="http://testserver/book/sliding?test=1&amp;preview=')[1].split('"')[
        0
    ]
    owner_client.logout()
    assertContains(client.get(f"/book/sliding?test=1&preview={preview}"), "Test mode")


# --- Access ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", NON_OWNERS)
@pytest.mark.parametrize(
    "path", [LIST, NEW, "/cp/online-booking/{pk}", "/cp/online-booking/{pk}/code"]
)
def test_only_the_owner_opens_the_builder(client, make_embed, role, path):
    embed = make_embed()
    client.force_login(UserFactory(role=role, partner_name="GDQ", has_all_offices=True))
    assert client.get(path.format(pk=embed.pk)).status_code == 403


@pytest.mark.parametrize("role", NON_OWNERS)
@pytest.mark.parametrize("action", ["live", "duplicate", "delete"])
def test_only_the_owner_changes_embeds(client, make_embed, role, action):
    embed = make_embed()
    client.force_login(UserFactory(role=role, partner_name="GDQ", has_all_offices=True))
    assert client.post(f"/cp/online-booking/{embed.pk}/{action}").status_code == 403
    assert Embed.objects.get().is_live and Embed.objects.count() == 1


def test_visitors_are_sent_to_sign_in(client, make_embed):
    embed = make_embed()
    response = client.get(f"/cp/online-booking/{embed.pk}")
    assert response.status_code == 302 and response.url.startswith("/login?next=")
