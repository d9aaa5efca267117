"""Owner CP settings for lead sources: add, edit, webhook token, delete, order.

Every action is owner-facing, audited, and emits a `lead_source.*` event so open pages
refresh.
"""

import re

from django.db import transaction
from django.db.models import Max, ProtectedError

from crm import events
from crm.accounts.models import Office
from crm.errors import DomainError
from crm.permissions import check
from crm.timeline.services import audit
from leads.choices import forget_sources
from leads.models import PROTECTED_SOURCE_KEYS, STANDARD, LeadSource, new_webhook_token

KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
COLOR_PATTERN = re.compile(r"#[0-9a-fA-F]{6}")


def audit_setting_change(event: str, actor, text: str, **metadata) -> None:
    """The audit row and the event of a lead-settings change (sources and snooze)."""
    audit("settings.changed", text, actor=actor, metadata=metadata)
    events.emit(event, actor=actor, **metadata)


def _check_label_and_color(label: str, color: str) -> tuple[str, str]:
    label = " ".join((label or "").split())
    if not label:
        raise DomainError("Give the source a label.")
    if len(label) > 80:
        raise DomainError("Keep the label under 80 characters.")
    if not COLOR_PATTERN.fullmatch(color or ""):
        raise DomainError("Pick a colour like #1877f2.")
    return label, color.lower()


@transaction.atomic
def add_source(
    *,
    actor,
    key: str,
    label: str,
    color: str,
    default_office: Office | None = None,
    is_active: bool = True,
) -> LeadSource:
    """Create a source at the bottom of the list with the Standard snooze sequence.

    `key` is lowercased and must be a new slug (letters, digits, - and _). Raises
    DomainError on a taken key, a blank label or a bad colour. Audited; emits
    `settings.changed`.
    """
    check(actor, "controlpanel.access")
    key = (key or "").strip().lower()
    if not KEY_PATTERN.fullmatch(key):
        raise DomainError(
            "The key must be 1–40 lowercase letters, digits, - or _ (like facebook or yelp)."
        )
    label, color = _check_label_and_color(label, color)
    if LeadSource.objects.filter(key__iexact=key).exists():
        raise DomainError(f"A source with the key {key} already exists.")
    # Two owners adding at the same instant may share a sort_order; the id breaks the tie
    # (Meta.ordering), so both still land at the bottom in creation order.
    last = LeadSource.objects.aggregate(last=Max("sort_order"))["last"]
    source = LeadSource.objects.create(
        key=key,
        label=label,
        color=color,
        default_office=default_office,
        is_active=is_active,
        sort_order=0 if last is None else last + 1,
        snooze_steps=list(STANDARD),
    )
    audit_setting_change(
        "lead_source.added",
        actor,
        f"Lead source {label} ({key}) added",
        source_id=source.pk,
        key=key,
    )
    return source


@transaction.atomic
def update_source(
    *,
    actor,
    source: LeadSource,
    label: str,
    color: str,
    default_office: Office | None,
    is_active: bool,
) -> LeadSource:
    """Change a source's label, colour, default office or active flag (the key never changes).

    Raises DomainError on a blank label or a bad colour. Audited with the changed fields;
    emits `settings.changed`. Saving without a change writes nothing.
    """
    check(actor, "controlpanel.access")
    label, color = _check_label_and_color(label, color)
    source = LeadSource.objects.select_for_update().get(pk=source.pk)
    before = {
        "label": source.label,
        "color": source.color,
        "default_office": source.default_office.name if source.default_office else None,
        "is_active": source.is_active,
    }
    after = {
        "label": label,
        "color": color,
        "default_office": default_office.name if default_office else None,
        "is_active": is_active,
    }
    changes = {
        field: [before[field], after[field]] for field in before if before[field] != after[field]
    }
    if not changes:
        return source
    source.label, source.color = label, color
    source.default_office, source.is_active = default_office, is_active
    source.save(update_fields=["label", "color", "default_office", "is_active"])
    audit_setting_change(
        "lead_source.updated",
        actor,
        f"Lead source {label} ({source.key}) updated",
        source_id=source.pk,
        key=source.key,
        changes=changes,
    )
    return source


@transaction.atomic
def regenerate_token(*, actor, source: LeadSource) -> LeadSource:
    """Give the source a new webhook token; `/webhook/s/<old token>` stops working at once.

    Audited (without the token itself); emits `settings.changed`.
    """
    check(actor, "controlpanel.access")
    source = LeadSource.objects.select_for_update().get(pk=source.pk)
    source.webhook_token = new_webhook_token()
    source.save(update_fields=["webhook_token"])
    audit_setting_change(
        "lead_source.token_regenerated",
        actor,
        f"Webhook token regenerated for {source.label} ({source.key})",
        source_id=source.pk,
        key=source.key,
    )
    return source


@transaction.atomic
def delete_source(*, actor, source: LeadSource) -> None:
    """Delete a source nothing refers to.

    Raises DomainError for the AI-agent sources (booking tools use their keys) and for
    a source that has leads, archived ones included: deactivate those instead.
    Audited; emits `settings.changed`.
    """
    check(actor, "controlpanel.access")
    source = LeadSource.objects.select_for_update().get(pk=source.pk)
    if source.key in PROTECTED_SOURCE_KEYS:
        raise DomainError(
            f"{source.label} is used by the booking tools and cannot be deleted. "
            "Rename or deactivate it instead."
        )
    lead_count = source.leads.count()
    if lead_count:
        noun = "lead" if lead_count == 1 else "leads"
        raise DomainError(f"{source.label} has {lead_count} {noun}; deactivate it instead.")
    label, key, pk = source.label, source.key, source.pk
    try:
        source.delete()
    except ProtectedError:  # a record of another app still points at it
        raise DomainError(f"{label} is still in use; deactivate it instead.") from None
    audit_setting_change(
        "lead_source.deleted", actor, f"Lead source {label} ({key}) deleted", source_id=pk, key=key
    )


@transaction.atomic
def reorder_sources(*, actor, ordered_ids: list[int]) -> None:
    """Set the display order of every source (filter pills, dropdowns, this CP page).

    `ordered_ids` must name every source exactly once, else DomainError and nothing
    changes (a stale page must not half-apply an order). Audited; emits `settings.changed`.
    """
    check(actor, "controlpanel.access")
    # Locked so a source added meanwhile cannot slip between the check and the write.
    sources = {source.pk: source for source in LeadSource.objects.select_for_update()}
    if len(ordered_ids) != len(sources) or set(ordered_ids) != set(sources):
        raise DomainError(
            "The new order must list every lead source exactly once. Reload the page and try again."
        )
    changed = []
    for position, pk in enumerate(ordered_ids):
        source = sources[pk]
        if source.sort_order != position:
            source.sort_order = position
            changed.append(source)
    if not changed:
        return
    LeadSource.objects.bulk_update(changed, ["sort_order"])
    forget_sources()  # bulk_update sends no post_save: the cached list forgets here
    keys = [sources[pk].key for pk in ordered_ids]
    audit_setting_change(
        "lead_sources.reordered", actor, "Lead sources reordered: " + ", ".join(keys), order=keys
    )
