"""Forms of the booking app: the embed builder (CP) and the widget's Your Info step.

Shape and type here (slug format, money, image type and size, phone to E.164); the rules
an embed must meet are `services.embed_problems`, shown here on their field and enforced
again by the actions.
"""

import re
from decimal import Decimal, InvalidOperation

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError

from booking import services
from booking.images import StoredImage, read_upload
from booking.models import DEFAULT_BRAND_COLOR, DEFAULT_THANK_YOU, Embed
from crm import phones
from crm.accounts.models import Office
from crm.timezones import STATE_ZONES
from leads.models import Lead

HOURS = [(hour, f"{hour % 12 or 12}:00 {'AM' if hour < 12 else 'PM'}") for hour in range(24)]
OPEN_HOURS = HOURS
CLOSE_HOURS = [*HOURS[1:], (24, "12:00 AM (midnight)")]
TIME_ZONES = sorted(set(STATE_ZONES.values()))
SLOTS = range(1, services.MAX_SERVICES + 1)
MAX_PRICE = Decimal("100000")
NAME_MAX_LENGTH = Lead._meta.get_field("first_name").max_length


def _parse_price(text: str) -> Decimal | None:
    text = re.sub(r"[\s$,]", "", text or "")
    if not text:
        return None
    try:
        price = Decimal(text)
    except InvalidOperation:
        raise ValidationError("Enter a price like 149 or 149.99, or leave it blank.") from None
    if not price.is_finite() or price < 0 or price >= MAX_PRICE:
        raise ValidationError("Enter a price from 0 to 99,999.99, or leave it blank.")
    return price.quantize(Decimal("0.01"))


class EmbedForm(forms.Form):
    """Create (`EmbedForm(data, files)`) or edit (`embed=`) an embed; `embed_fields()` is what
    the actions take."""

    name = forms.CharField(
        label="Internal name",
        max_length=80,
        help_text="What the embed is called in the CP; customers never see it.",
        error_messages={"required": "Give the embed an internal name, like Sliding — website."},
    )
    slug = forms.SlugField(
        label="URL slug",
        max_length=60,
        help_text="The path piece: sliding → /book/sliding. Unique.",
        error_messages={
            "required": "Pick the URL slug, like sliding.",
            "invalid": "Use lowercase letters, numbers and dashes only, like sliding-doors.",
        },
    )
    office = forms.ModelChoiceField(
        queryset=Office.objects.all(),
        empty_label="Pick an office",
        help_text="Every submission lands as a lead of this office.",
        error_messages={
            "required": "Pick the office its leads belong to.",
            "invalid_choice": "That office no longer exists. Pick another.",
        },
    )
    time_zone = forms.ChoiceField(
        choices=[(zone, zone.replace("_", " ")) for zone in TIME_ZONES],
        help_text="The office's local clock: time windows are offered in it.",
        error_messages={"invalid_choice": "Pick a US time zone from the list."},
    )
    open_hour = forms.TypedChoiceField(
        choices=OPEN_HOURS,
        coerce=int,
        error_messages={"invalid_choice": "Pick an opening hour from the list."},
    )
    close_hour = forms.TypedChoiceField(
        choices=CLOSE_HOURS,
        coerce=int,
        help_text="At least 2 hours after opening.",
        error_messages={"invalid_choice": "Pick a closing hour from the list."},
    )
    page_title = forms.CharField(
        max_length=80,
        required=False,
        help_text='Replaces the "BOOK ONLINE" header (full-page mode only).',
    )
    company_name = forms.CharField(
        max_length=80, required=False, help_text="Shown in the form header."
    )
    brand_color = forms.CharField(
        label="Brand colour",
        max_length=7,
        initial=DEFAULT_BRAND_COLOR,
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text="Buttons, step indicator and accents.",
    )
    logo = forms.FileField(
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/svg+xml"}),
        help_text="PNG, JPG or SVG up to 200 KB.",
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)
    confirmation = forms.ChoiceField(
        label="Confirmation mode",
        choices=Embed.Confirmation.choices,
        initial=Embed.Confirmation.MESSAGE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a thank-you message or a redirect."},
    )
    thank_you_message = forms.CharField(
        required=False,
        max_length=1000,
        initial=DEFAULT_THANK_YOU,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    redirect_url = forms.URLField(
        label="Redirect URL",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Your thank-you page. The whole page goes there, iframe or not.",
        error_messages={"invalid": "Enter a full URL, like https://example.com/thank-you."},
    )
    allowed_domains = forms.CharField(
        label="Domain whitelist",
        required=False,
        max_length=2000,
        help_text="Comma-separated sites that may embed this widget. Empty = any site.",
        widget=forms.TextInput(attrs={"placeholder": "example.com, www.example.com"}),
    )
    is_live = forms.BooleanField(label="Live", required=False, initial=True)

    def __init__(self, *args, embed: Embed | None = None, **kwargs):
        self.embed = embed
        if embed is not None and "initial" not in kwargs:
            kwargs["initial"] = _initial(embed)
        super().__init__(*args, **kwargs)
        for slot in SLOTS:
            self.fields[f"service_{slot}_name"] = forms.CharField(
                label=f"Service {slot}", max_length=80, required=False
            )
            self.fields[f"service_{slot}_price"] = forms.CharField(
                label="Price (optional)", max_length=20, required=False
            )
            self.fields[f"service_{slot}_image"] = forms.FileField(
                label="Image (optional)",
                required=False,
                widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/svg+xml"}),
            )
            self.fields[f"service_{slot}_remove_image"] = forms.BooleanField(
                label="Remove the image", required=False
            )
        for slot in range(1, services.MAX_CALLOUTS + 1):
            self.fields[f"callout_{slot}_icon"] = forms.CharField(
                label="Icon", max_length=8, required=False
            )
            self.fields[f"callout_{slot}_title"] = forms.CharField(
                label=f"Callout {slot} title", max_length=80, required=False
            )
            self.fields[f"callout_{slot}_body"] = forms.CharField(
                label="Text",
                max_length=300,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.images: dict[str, StoredImage] = {}

    # Rows the template loops over.
    def service_rows(self) -> list[dict]:
        current = self.embed.services if self.embed else []
        return [
            {
                "slot": slot,
                "name": self[f"service_{slot}_name"],
                "price": self[f"service_{slot}_price"],
                "image": self[f"service_{slot}_image"],
                "remove_image": self[f"service_{slot}_remove_image"],
                "current_image": current[slot - 1].get("image", "") if slot <= len(current) else "",
            }
            for slot in SLOTS
        ]

    def callout_rows(self) -> list[dict]:
        return [
            {
                "slot": slot,
                "icon": self[f"callout_{slot}_icon"],
                "title": self[f"callout_{slot}_title"],
                "body": self[f"callout_{slot}_body"],
            }
            for slot in range(1, services.MAX_CALLOUTS + 1)
        ]

    def clean_slug(self) -> str:
        return self.cleaned_data["slug"].lower()

    def clean_brand_color(self) -> str:
        color = self.cleaned_data["brand_color"].strip().lower()
        if not services.COLOR_PATTERN.fullmatch(color):
            raise ValidationError("Pick a colour like #2563eb.")
        return color

    def clean_redirect_url(self) -> str:
        url = self.cleaned_data["redirect_url"]
        if url and not url.lower().startswith(("https://", "http://")):
            raise ValidationError("Enter a full URL, like https://example.com/thank-you.")
        return url

    def _image(self, field: str, label: str) -> None:
        upload = self.cleaned_data.get(field)
        if not upload:
            return
        try:
            self.images[field] = read_upload(upload, label=label)
        except ValidationError as error:
            self.add_error(field, error)

    def clean(self):
        data = super().clean()
        self._image("logo", "The logo")
        for slot in SLOTS:
            self._image(f"service_{slot}_image", f"Service {slot}'s image")
            name_field = f"service_{slot}_name"
            price_field = f"service_{slot}_price"
            try:
                data[price_field] = _parse_price(data.get(price_field, ""))
            except ValidationError as error:
                self.add_error(price_field, error)
            has_extra = data.get(price_field) is not None or self.images.get(
                f"service_{slot}_image"
            )
            if has_extra and not (data.get(name_field) or "").strip():
                self.add_error(name_field, "Name this service, or clear its price and image.")
        for slot in range(1, services.MAX_CALLOUTS + 1):
            title = (data.get(f"callout_{slot}_title") or "").strip()
            others = (data.get(f"callout_{slot}_icon") or "") + (
                data.get(f"callout_{slot}_body") or ""
            )
            if others.strip() and not title:
                self.add_error(
                    f"callout_{slot}_title",
                    "Give this callout a title, or clear its icon and text.",
                )
        if not self.errors:
            problems = services.problems_in(self.embed_fields(), embed=self.embed)
            for field, message in problems.items():
                self.add_error(field if field in self.fields else None, message)
        if self.errors and any(self.files.values()):
            self.add_error(None, "Files are not kept when the form has errors: choose them again.")
        return data

    def embed_fields(self) -> dict:
        """The actions' keyword arguments: images as new uploads (StoredImage), the digest
        they keep, or "" (none)."""
        data = self.cleaned_data
        current_services = self.embed.services if self.embed else []
        rows = []
        for slot in SLOTS:
            name = (data.get(f"service_{slot}_name") or "").strip()
            if not name:
                continue
            kept = (
                current_services[slot - 1].get("image", "") if slot <= len(current_services) else ""
            )
            image = self.images.get(f"service_{slot}_image") or (
                "" if data.get(f"service_{slot}_remove_image") else kept
            )
            rows.append({"name": name, "price": data.get(f"service_{slot}_price"), "image": image})
        callouts = [
            {
                "icon": (data.get(f"callout_{slot}_icon") or "").strip(),
                "title": data[f"callout_{slot}_title"].strip(),
                "body": (data.get(f"callout_{slot}_body") or "").strip(),
            }
            for slot in range(1, services.MAX_CALLOUTS + 1)
            if (data.get(f"callout_{slot}_title") or "").strip()
        ]
        logo = self.images.get("logo") or (
            "" if data.get("remove_logo") else (self.embed.logo if self.embed else "")
        )
        return {
            "name": data["name"].strip(),
            "slug": data["slug"],
            "office": data["office"],
            "time_zone": data["time_zone"],
            "open_hour": data["open_hour"],
            "close_hour": data["close_hour"],
            "page_title": data["page_title"].strip(),
            "company_name": data["company_name"].strip(),
            "brand_color": data["brand_color"],
            "logo": logo,
            "services": rows,
            "callouts": callouts,
            "confirmation": data["confirmation"],
            "thank_you_message": data["thank_you_message"].strip(),
            "redirect_url": data["redirect_url"],
            "allowed_domains": data["allowed_domains"],
            "is_live": data["is_live"],
        }


def _initial(embed: Embed) -> dict:
    # The builder's plain fields are the ones the save action writes, office aside (a pk here).
    names = [name for name in services.FIELDS if name != "office"] + ["allowed_domains"]
    initial = {name: getattr(embed, name) for name in names}
    initial["office"] = embed.office_id
    for slot, service in enumerate(embed.services, start=1):
        initial[f"service_{slot}_name"] = service.get("name", "")
        initial[f"service_{slot}_price"] = service.get("price", "")
    for slot, callout in enumerate(embed.callouts, start=1):
        for key in ("icon", "title", "body"):
            initial[f"callout_{slot}_{key}"] = callout.get(key, "")
    return initial


# --- The widget -----------------------------------------------------------------------


class BookingInfoForm(forms.Form):
    """Your Info: first name and a US phone required; the rest optional."""

    # As long as the lead's name columns: create_lead would cut a longer name unsaid.
    first_name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        error_messages={
            "required": "Enter your first name.",
            "max_length": "Enter a first name of at most %(limit_value)d characters "
            "(this one has %(show_value)d).",
        },
    )
    last_name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        required=False,
        error_messages={
            "max_length": "Enter a last name of at most %(limit_value)d characters "
            "(this one has %(show_value)d).",
        },
    )
    phone = forms.CharField(
        max_length=30,
        error_messages={"required": "Enter your phone number so we can confirm the time."},
    )
    email = forms.EmailField(
        required=False,
        max_length=254,
        error_messages={"invalid": "Enter an email address like name@example.com."},
    )
    address = forms.CharField(max_length=300, required=False)
    zip_code = forms.CharField(max_length=10, required=False)  # set by Places autocomplete

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "bk-%s")
        super().__init__(*args, **kwargs)

    def clean_first_name(self) -> str:
        name = " ".join(self.cleaned_data["first_name"].split())
        if not name:
            raise ValidationError("Enter your first name.")
        return name

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"]
        try:
            phone = phones.normalize_phone(raw)
        except ValueError:
            raise ValidationError("Enter a valid US phone number, like (305) 555-0142.") from None
        if not phonenumbers.is_valid_number_for_region(phonenumbers.parse(phone), "US"):
            raise ValidationError("Enter a US phone number, like (305) 555-0142.")
        return phone

    def clean_zip_code(self) -> str:
        text = self.cleaned_data["zip_code"].strip()
        return text[:5] if re.fullmatch(r"\d{5}(-\d{4})?", text) else ""
