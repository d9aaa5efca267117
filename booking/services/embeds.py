"""The embed builder's actions (CP, owner): its rules, its images, and create / update /
live / duplicate / delete. Each change is audited and emitted (live sync refreshes open CP
pages)."""

import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from booking import widget_cache
from booking.images import StoredImage
from booking.models import Embed, EmbedImage
from crm import events
from crm.errors import DomainError
from crm.permissions import check
from crm.timeline.services import audit

MAX_SERVICES = 3
MAX_CALLOUTS = 3
COLOR_PATTERN = re.compile(r"#[0-9a-fA-F]{6}")
# A host that may frame the widget: example.com, *.example.com, localhost:8000, or an
# origin with its scheme (https://www.example.com).
DOMAIN_PATTERN = re.compile(
    r"(https?://)?(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
    r"(:\d{1,5})?"
)


class EmbedError(DomainError):
    """A builder rule refused the save; `field` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- Builder rules (the form shows them per field; the actions enforce them) ----------


def embed_problems(
    *,
    slug: str,
    open_hour: int,
    close_hour: int,
    confirmation: str,
    thank_you_message: str,
    redirect_url: str,
    brand_color: str,
    services: list[dict],
    callouts: list[dict],
    allowed_domains: str,
    embed: Embed | None = None,
) -> dict[str, str]:
    """{field: message} for every rule the values break; empty when they may be saved."""
    problems = {}
    taken = Embed.objects.filter(slug__iexact=slug)
    if embed is not None:
        taken = taken.exclude(pk=embed.pk)
    if slug and taken.exists():
        problems["slug"] = f"/book/{slug} is taken by another embed. Pick another slug."
    if not 0 <= open_hour <= 23:
        problems["open_hour"] = "The open hour is between 0 and 23."
    if not 1 <= close_hour <= 24:
        problems["close_hour"] = "The close hour is between 1 and 24."
    elif close_hour - open_hour < 2:
        problems["close_hour"] = (
            "Close at least 2 hours after opening: the widget offers 2-hour windows."
        )
    if not COLOR_PATTERN.fullmatch(brand_color or ""):
        problems["brand_color"] = "Pick a colour like #2563eb."
    if confirmation == Embed.Confirmation.MESSAGE and not thank_you_message.strip():
        problems["thank_you_message"] = "Write the thank-you message customers will see."
    if confirmation == Embed.Confirmation.REDIRECT and not redirect_url.strip():
        problems["redirect_url"] = "Enter the full URL of your thank-you page (https://…)."
    if confirmation not in Embed.Confirmation.values:
        problems["confirmation"] = "Choose a thank-you message or a redirect."
    if len(services) > MAX_SERVICES:
        problems["services"] = f"At most {MAX_SERVICES} services."
    if len(callouts) > MAX_CALLOUTS:
        problems["callouts"] = f"At most {MAX_CALLOUTS} callouts."
    _, bad = normalize_domains(allowed_domains)
    if bad:
        problems["allowed_domains"] = (
            f"{bad[0]} is not a domain. Use host names like example.com, *.example.com or "
            "https://www.example.com, separated by commas."
        )
    return problems


def normalize_domains(text: str) -> tuple[list[str], list[str]]:
    """(clean entries, bad entries) of a comma-separated whitelist."""
    clean, bad = [], []
    for raw in (text or "").split(","):
        entry = raw.strip().lower().rstrip("/")
        if not entry:
            continue
        if DOMAIN_PATTERN.fullmatch(entry):
            if entry not in clean:
                clean.append(entry)
        else:
            bad.append(raw.strip())
    return clean, bad


RULED_FIELDS = (
    "slug",
    "open_hour",
    "close_hour",
    "confirmation",
    "thank_you_message",
    "redirect_url",
    "brand_color",
    "services",
    "callouts",
    "allowed_domains",
)


def problems_in(fields: dict, *, embed: Embed | None = None) -> dict[str, str]:
    """`embed_problems` for the builder's values (EmbedForm.embed_fields())."""
    return embed_problems(embed=embed, **{key: fields[key] for key in RULED_FIELDS})


def _check(embed: Embed | None, fields: dict) -> None:
    problems = problems_in(fields, embed=embed)
    if problems:
        field, message = next(iter(problems.items()))
        raise EmbedError(message, field=field)


# --- Images ---------------------------------------------------------------------------


def _store(image: StoredImage | str) -> str:
    """A new upload becomes an EmbedImage row (once per content); a digest stays as it is."""
    if isinstance(image, StoredImage):
        EmbedImage.objects.get_or_create(
            digest=image.digest,
            defaults={"content_type": image.content_type, "data_url": image.data_url},
        )
        return image.digest
    return image or ""


def _prune_images(digests: set[str]) -> None:
    """Drop the images among `digests` that no embed uses any more."""
    if not digests:
        return
    used = set()
    for logo, services in Embed.objects.values_list("logo", "services"):
        used.add(logo)
        used.update(service.get("image", "") for service in services or [])
    EmbedImage.objects.filter(digest__in=digests - used).delete()


# --- Builder actions ------------------------------------------------------------------

FIELDS = (
    "name",
    "slug",
    "office",
    "time_zone",
    "open_hour",
    "close_hour",
    "page_title",
    "company_name",
    "brand_color",
    "confirmation",
    "thank_you_message",
    "redirect_url",
    "is_live",
)


def _apply(embed: Embed, fields: dict) -> None:
    """Copy the form's values onto `embed`, storing new images and keeping one confirmation."""
    for name in FIELDS:
        setattr(embed, name, fields[name])
    embed.slug = embed.slug.lower()
    embed.brand_color = embed.brand_color.lower()
    embed.logo = _store(fields["logo"])
    embed.services = [
        {
            "name": service["name"],
            "price": str(service["price"]) if service.get("price") is not None else "",
            "image": _store(service.get("image") or ""),
        }
        for service in fields["services"]
    ]
    embed.callouts = [dict(callout) for callout in fields["callouts"]]
    embed.allowed_domains = ", ".join(normalize_domains(fields["allowed_domains"])[0])
    # Mutually exclusive: only the chosen confirmation is kept.
    if embed.redirects:
        embed.thank_you_message = ""
    else:
        embed.redirect_url = ""


def _tracked(embed: Embed) -> dict:
    names = [name for name in FIELDS if name != "office"]
    names += ["office_id", "logo", "services", "callouts", "allowed_domains"]
    return {name.removesuffix("_id"): getattr(embed, name) for name in names}


def _about(embed: Embed, **extra) -> dict:
    """The audit row's office and metadata for a change to `embed`."""
    return {"office": embed.office, "metadata": {"embed_id": embed.pk, "slug": embed.slug, **extra}}


def _save(embed: Embed) -> None:
    embed.updated_at = timezone.now()
    try:
        with transaction.atomic():
            embed.save()
    except IntegrityError:  # two saves raced for one slug
        raise EmbedError(
            f"/book/{embed.slug} is taken by another embed. Pick another slug.", field="slug"
        ) from None


@transaction.atomic
def create_embed(*, actor, **fields) -> Embed:
    """Create an embed from the builder's values (see EmbedForm.embed_fields()).

    Raises EmbedError (with the field) for a taken slug, hours under 2 apart, a missing
    thank-you message or redirect URL, a bad colour or domain. Audited; emits
    `embed.created`.
    """
    check(actor, "controlpanel.access")
    _check(None, fields)
    embed = Embed()
    _apply(embed, fields)
    _save(embed)
    text = f"Booking embed {embed.name} (/book/{embed.slug}) created"
    audit("embed.created", text, actor=actor, **_about(embed))
    events.emit("embed.created", office=embed.office, actor=actor, embed=embed)
    return embed


@transaction.atomic
def update_embed(*, actor, embed: Embed, **fields) -> Embed:
    """Save the builder's values over `embed`; same rules and errors as `create_embed`.

    Audited with the names of the changed fields; emits `embed.updated`. Images nobody
    uses any more are deleted.
    """
    check(actor, "controlpanel.access")
    embed = Embed.objects.select_for_update().get(pk=embed.pk)
    _check(embed, fields)
    before, old_images = _tracked(embed), embed.image_digests()
    widget_cache.forget(embed.slug)  # the old slug, if it changes (the signal forgets the new)
    _apply(embed, fields)
    after = _tracked(embed)
    changed = sorted(name for name in after if after[name] != before[name])
    _save(embed)
    _prune_images(old_images - embed.image_digests())
    if changed:
        text = f"Booking embed {embed.name} edited: {', '.join(changed)}"
        audit("embed.updated", text, actor=actor, **_about(embed, changed=changed))
        events.emit("embed.updated", office=embed.office, actor=actor, embed=embed)
    return embed


@transaction.atomic
def set_live(*, actor, embed: Embed, is_live: bool) -> Embed:
    """✓ Live / ○ Paused. A paused embed answers "not available" (404). Audited."""
    check(actor, "controlpanel.access")
    embed = Embed.objects.select_for_update().select_related("office").get(pk=embed.pk)
    if embed.is_live == is_live:
        return embed
    embed.is_live = is_live
    embed.updated_at = timezone.now()
    embed.save(update_fields=["is_live", "updated_at"])
    text = f"Booking embed {embed.name} is now {'live' if is_live else 'paused'}"
    audit("embed.live_changed", text, actor=actor, **_about(embed, is_live=is_live))
    events.emit("embed.live_changed", office=embed.office, actor=actor, embed=embed)
    return embed


def _free_slug(base: str) -> str:
    base = base[:52]
    candidate, number = f"{base}-copy", 2
    while Embed.objects.filter(slug__iexact=candidate).exists():
        candidate, number = f"{base}-copy-{number}", number + 1
    return candidate


@transaction.atomic
def duplicate_embed(*, actor, embed: Embed) -> Embed:
    """A paused copy named "<name> (copy)" at a free slug (<slug>-copy, -copy-2...),
    sharing the images. Audited; emits `embed.duplicated`."""
    check(actor, "controlpanel.access")
    source = Embed.objects.select_related("office").get(pk=embed.pk)
    copy = Embed.objects.get(pk=source.pk)
    copy.pk = None
    copy.name = f"{source.name} (copy)"[:80]
    copy.slug = _free_slug(source.slug)
    copy.is_live = False
    copy.created_at = copy.updated_at = timezone.now()
    _save(copy)
    text = f"Booking embed {source.name} duplicated as {copy.name} (/book/{copy.slug}, paused)"
    audit("embed.duplicated", text, actor=actor, **_about(copy, source_id=source.pk))
    events.emit("embed.duplicated", office=copy.office, actor=actor, embed=copy)
    return copy


@transaction.atomic
def delete_embed(*, actor, embed: Embed) -> None:
    """Delete an embed: its URL answers "not available" from now on. Leads it made stay.
    Audited; emits `embed.deleted`."""
    check(actor, "controlpanel.access")
    embed = Embed.objects.select_for_update().select_related("office").get(pk=embed.pk)
    images, name, slug, pk, office = (
        embed.image_digests(),
        embed.name,
        embed.slug,
        embed.pk,
        embed.office,
    )
    embed.delete()
    _prune_images(images)
    audit(
        "embed.deleted",
        f"Booking embed {name} (/book/{slug}) deleted",
        actor=actor,
        office=office,
        metadata={"embed_id": pk, "slug": slug},
    )
    events.emit("embed.deleted", office=office, actor=actor, embed_id=pk, slug=slug)
