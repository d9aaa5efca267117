"""The owner's actions on webhook endpoints (CP → 🔗 Webhooks and CP → ⚡ BookBack AI).

Each action checks `webhooks.manage` first and writes one audit row. A URL is refused with
`targets.refusal`'s reason (not http(s), a private address…); a builder's unknown
`{{Variable}}` is refused with its name. A new endpoint gets a fresh signing secret, which
the page shows once; the audit never holds a secret or a Basic Auth password.
"""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from automations.webhooks import signing, targets, templating
from automations.webhooks.models import (
    FANOUT_ONLY,
    JOB_SLOTS,
    MAIN_ONLY,
    Endpoint,
    PayloadType,
    Slot,
)
from crm import events
from crm.errors import DomainError
from crm.permissions import check
from crm.timeline.services import audit

MANAGE = "webhooks.manage"
_url_syntax = URLValidator(schemes=["http", "https"])


def clean_url(url: str) -> str:
    """The URL stripped, or DomainError with why it may not be posted to."""
    url = (url or "").strip()
    if not url:
        raise DomainError("Enter a URL.")
    if len(url) > 2000:
        raise DomainError("That URL is longer than 2,000 characters.")
    reason = targets.refusal(url)
    if reason:
        raise DomainError(reason)
    try:
        _url_syntax(url)
    except ValidationError:
        raise DomainError(f"{url} is not a valid http(s) URL.") from None
    return url


def clean_rows(rows, what: str) -> list[list[str]]:
    """[[name, value], …] with blank rows dropped; a value without a name is refused."""
    cleaned = []
    for name, value in rows or []:
        name, value = (name or "").strip(), (value or "").strip()
        if not name and not value:
            continue
        if not name:
            raise DomainError(f"Every {what} row needs a name (one has only “{value}”).")
        cleaned.append([name, value])
    return cleaned


def check_variables(*texts: str) -> None:
    """Refuse any `{{Variable}}` the standard payload does not have, naming them."""
    unknown = []
    for text in texts:
        for name in templating.unknown_variables(text or ""):
            if name not in unknown:
                unknown.append(name)
    if unknown:
        names = ", ".join("{{" + name + "}}" for name in unknown)
        raise DomainError(f"Unknown variable{'s' if len(unknown) > 1 else ''}: {names}.")


def _describe(endpoint: Endpoint) -> str:
    if endpoint.is_main:
        return f"{endpoint.get_slot_display()} (main URL)"
    return f"{endpoint.get_slot_display()} fan-out “{endpoint.name}”"


def _emit_change(*, actor, slot: str, endpoint_id, change: str) -> None:
    """An endpoint change as an event (another owner's open page refreshes its lists)."""
    events.emit(
        "webhook_endpoint.changed", actor=actor, slot=slot, endpoint_id=endpoint_id, change=change
    )


@transaction.atomic
def save_main_url(*, actor, slot: str, url: str) -> Endpoint | None:
    """Set, change or (empty) remove a slot's main URL. A new one gets its own secret."""
    check(actor, MANAGE)
    if slot not in Slot.values:
        raise DomainError("Unknown webhook slot.")
    if slot in FANOUT_ONLY:
        raise DomainError(f"{Slot(slot).label} has no main URL: add a filtered fan-out.")
    url = (url or "").strip()
    current = Endpoint.objects.select_for_update().filter(slot=slot, is_main=True).first()
    label = Slot(slot).label
    if not url:
        if current is None:
            return None
        pk = current.pk
        current.delete()
        audit(
            "webhook.removed",
            f"{label} cleared",
            actor=actor,
            metadata={"slot": slot},
        )
        _emit_change(actor=actor, slot=slot, endpoint_id=pk, change="removed")
        return None
    url = clean_url(url)
    if current is None:
        endpoint = Endpoint.objects.create(
            slot=slot, is_main=True, url=url, secret=signing.new_secret()
        )
        audit(
            "webhook.added",
            f"{label} set to {url}",
            actor=actor,
            metadata={"slot": slot, "url": url},
        )
        _emit_change(actor=actor, slot=slot, endpoint_id=endpoint.pk, change="added")
        return endpoint
    if current.url != url:
        old = current.url
        current.url = url
        current.gone_at = None
        current.save(update_fields=["url", "gone_at", "updated_at"])
        audit(
            "webhook.changed",
            f"{label} changed from {old} to {url}",
            actor=actor,
            metadata={"slot": slot, "url": [old, url]},
        )
        _emit_change(actor=actor, slot=slot, endpoint_id=current.pk, change="changed")
    return current


def set_bookback_jobs_url(*, actor, url: str) -> Endpoint | None:
    """CP → ⚡ BookBack AI: the BookBack Jobs Webhook URL (job creation only)."""
    check(actor, MANAGE)
    return save_main_url(actor=actor, slot=Slot.BOOKBACK_JOBS, url=url)


def _builder(
    slot, payload_type, data, raw_body, headers, offices, partners, job_types, lead_sources
):
    if payload_type not in PayloadType.values:
        raise DomainError("Pick a payload type: JSON, Form, XML or Raw.")
    data = clean_rows(data, "Data")
    headers = clean_rows(headers, "Headers")
    raw_body = (raw_body or "").strip() if payload_type == PayloadType.RAW else ""
    if payload_type == PayloadType.RAW:
        data = []
        if not raw_body:
            raise DomainError("A Raw payload needs a body.")
    check_variables(
        raw_body,
        *(key for key, _ in data),
        *(value for _, value in data),
        *(name for name, _ in headers),
        *(value for _, value in headers),
    )
    filters = {
        "offices": list(offices or []),
        "partners": list(partners or []),
        "job_types": list(job_types or []) if slot in JOB_SLOTS else [],
        "lead_sources": [] if slot in JOB_SLOTS else list(lead_sources or []),
    }
    return data, raw_body, headers, filters


def _check_auth(basic_auth: str) -> str:
    basic_auth = (basic_auth or "").strip()
    if basic_auth and ":" not in basic_auth:
        raise DomainError("Basic Auth is username:password (with the colon).")
    return basic_auth


@transaction.atomic
def add_fan_out(
    *,
    actor,
    slot: str,
    name: str,
    url: str,
    payload_type: str = PayloadType.JSON,
    data=(),
    raw_body: str = "",
    headers=(),
    basic_auth: str = "",
    offices=(),
    partners=(),
    job_types=(),
    lead_sources=(),
    enabled: bool = True,
) -> Endpoint:
    """A filtered fan-out under `slot`, with its own request builder and secret."""
    check(actor, MANAGE)
    if slot not in Slot.values or slot in MAIN_ONLY:
        raise DomainError("That slot has no fan-outs.")
    name = (name or "").strip()[:80]
    if not name:
        raise DomainError("Give the fan-out a name.")
    url = clean_url(url)
    data, raw_body, headers, filters = _builder(
        slot, payload_type, data, raw_body, headers, offices, partners, job_types, lead_sources
    )
    endpoint = Endpoint.objects.create(
        slot=slot,
        is_main=False,
        name=name,
        url=url,
        enabled=enabled,
        payload_type=payload_type,
        data=data,
        raw_body=raw_body,
        headers=headers,
        basic_auth=_check_auth(basic_auth),
        secret=signing.new_secret(),
    )
    for field, values in filters.items():
        getattr(endpoint, field).set(values)
    audit(
        "webhook.added",
        f"{_describe(endpoint)} added: {url}",
        actor=actor,
        metadata={"slot": slot, "endpoint": endpoint.pk, "url": url},
    )
    _emit_change(actor=actor, slot=slot, endpoint_id=endpoint.pk, change="added")
    return endpoint


@transaction.atomic
def update_fan_out(
    *,
    actor,
    endpoint: Endpoint,
    name: str,
    url: str,
    payload_type: str = PayloadType.JSON,
    data=(),
    raw_body: str = "",
    headers=(),
    basic_auth: str | None = None,
    offices=(),
    partners=(),
    job_types=(),
    lead_sources=(),
    enabled: bool = True,
) -> Endpoint:
    """Save a fan-out's form. `basic_auth` None keeps the stored one, "" clears it."""
    check(actor, MANAGE)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk, is_main=False)
    name = (name or "").strip()[:80]
    if not name:
        raise DomainError("Give the fan-out a name.")
    url = clean_url(url)
    data, raw_body, headers, filters = _builder(
        endpoint.slot,
        payload_type,
        data,
        raw_body,
        headers,
        offices,
        partners,
        job_types,
        lead_sources,
    )
    changed = []
    if endpoint.url != url:
        changed.append("URL")
        endpoint.gone_at = None
    for field, value in (
        ("name", name),
        ("url", url),
        ("payload_type", payload_type),
        ("data", data),
        ("raw_body", raw_body),
        ("headers", headers),
        ("enabled", enabled),
    ):
        if getattr(endpoint, field) != value:
            if field != "url":
                changed.append(field.replace("_", " "))
            setattr(endpoint, field, value)
    if basic_auth is not None:
        basic_auth = _check_auth(basic_auth)
        if basic_auth != endpoint.basic_auth:
            changed.append("basic auth " + ("set" if basic_auth else "cleared"))
            endpoint.basic_auth = basic_auth
    endpoint.save()
    for field, values in filters.items():
        before = set(getattr(endpoint, field).values_list("pk", flat=True))
        after = {getattr(value, "pk", value) for value in values}
        if before != after:
            changed.append(field.replace("_", " "))
            getattr(endpoint, field).set(values)
    if changed:
        audit(
            "webhook.changed",
            f"{_describe(endpoint)} saved ({', '.join(changed)})",
            actor=actor,
            metadata={"endpoint": endpoint.pk, "changed": changed, "url": url},
        )
        _emit_change(actor=actor, slot=endpoint.slot, endpoint_id=endpoint.pk, change="changed")
    return endpoint


@transaction.atomic
def set_enabled(*, actor, endpoint: Endpoint, enabled: bool) -> Endpoint:
    """A fan-out's Enabled toggle: paused, it matches nothing."""
    check(actor, MANAGE)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if endpoint.is_main:
        raise DomainError("A main URL is always on: clear it to stop it.")
    if endpoint.enabled != enabled:
        endpoint.enabled = enabled
        endpoint.save(update_fields=["enabled", "updated_at"])
        audit(
            "webhook.changed",
            f"{_describe(endpoint)} {'enabled' if enabled else 'paused'}",
            actor=actor,
            metadata={"endpoint": endpoint.pk, "enabled": enabled},
        )
        _emit_change(actor=actor, slot=endpoint.slot, endpoint_id=endpoint.pk, change="changed")
    return endpoint


@transaction.atomic
def delete_fan_out(*, actor, endpoint: Endpoint) -> None:
    """Delete a fan-out; its logged deliveries stay (their endpoint becomes empty)."""
    check(actor, MANAGE)
    if endpoint.is_main:
        raise DomainError("Clear the main URL instead.")
    text = f"{_describe(endpoint)} deleted ({endpoint.url})"
    slot, pk = endpoint.slot, endpoint.pk
    endpoint.delete()
    audit(
        "webhook.removed",
        text,
        actor=actor,
        metadata={"endpoint": pk, "url": endpoint.url},
    )
    _emit_change(actor=actor, slot=slot, endpoint_id=pk, change="removed")


@transaction.atomic
def rotate_secret(*, actor, endpoint: Endpoint) -> str:
    """A new signing secret; the previous one still signs for 24 hours. Returns the new
    secret: the page shows it once."""
    check(actor, MANAGE)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.secret = signing.new_secret()
    endpoint.rotated_at = timezone.now()
    endpoint.save(update_fields=["previous_secret", "secret", "rotated_at", "updated_at"])
    audit(
        "webhook.secret_rotated",
        f"{_describe(endpoint)}: signing secret rotated (the old one signs for 24 hours)",
        actor=actor,
        metadata={"endpoint": endpoint.pk},
    )
    _emit_change(actor=actor, slot=endpoint.slot, endpoint_id=endpoint.pk, change="secret_rotated")
    return endpoint.secret
