"""Duplicate cleanup (owner tool): find leads sharing a phone or a Facebook lead id, keep
one, archive the others and copy their timelines onto the keeper."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q

from crm import phones
from crm.archiving import set_archived
from crm.errors import DomainError
from crm.permissions import check
from crm.timeline.models import TimelineEntry
from crm.timeline.services import record
from leads.models import Lead
from leads.services.creating import emit_for


@dataclass
class DuplicateGroup:
    """Live leads linked by a shared phone (last 10 digits) or Facebook lead id, newest first."""

    leads: list[Lead]
    reasons: list[str] = field(default_factory=list)

    @property
    def newest(self) -> Lead:
        return self.leads[0]

    @property
    def ids(self) -> str:
        """The comma list the modal posts back."""
        return ",".join(str(lead.pk) for lead in self.leads)


def _newest_first(lead: Lead) -> tuple:
    return (lead.received_at, lead.pk)


def _duplicated(leads, key: str):
    """Values of `key` (non-empty) carried by more than one lead: a subquery, not a list."""
    return (
        leads.exclude(**{key: ""})
        .values(key)
        .annotate(count=Count("id"))
        .filter(count__gt=1)
        .values(key)
    )


def duplicate_groups() -> list[DuplicateGroup]:
    """Every group of non-archived duplicates, the group with the newest lead first.

    One query: the duplicated phones and Facebook ids are subqueries of the lead query.
    A lead matching by phone and by id is in one group (overlapping groups are merged).
    """
    live = Lead.objects.filter(is_archived=False)
    candidates = list(
        live.filter(
            Q(phone_last10__in=_duplicated(live, "phone_last10"))
            | Q(fb_lead_id__in=_duplicated(live, "fb_lead_id"))
        )
        .select_related("source", "office")
        .order_by()
    )
    # Union-find over lead ids: leads sharing any key end up with the same root.
    parent = {lead.pk: lead.pk for lead in candidates}

    def root(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    first_by_key: dict[tuple[str, str], int] = {}
    for lead in candidates:
        for key in (("phone", lead.phone_last10), ("fb", lead.fb_lead_id)):
            if not key[1]:
                continue
            other = first_by_key.setdefault(key, lead.pk)
            parent[root(lead.pk)] = root(other)

    members: dict[int, list[Lead]] = {}
    for lead in candidates:
        members.setdefault(root(lead.pk), []).append(lead)
    groups = []
    for leads in members.values():
        if len(leads) < 2:
            continue
        leads.sort(key=_newest_first, reverse=True)
        groups.append(DuplicateGroup(leads=leads, reasons=_reasons(leads)))
    groups.sort(key=lambda group: _newest_first(group.newest), reverse=True)
    return groups


def _reasons(leads: list[Lead]) -> list[str]:
    """What links the group: "Same phone (305) 555-0142", "Same Facebook lead id 123"."""
    reasons = []
    for attribute, label in (("phone_last10", "phone"), ("fb_lead_id", "Facebook lead id")):
        seen: dict[str, list[Lead]] = {}
        for lead in leads:
            if getattr(lead, attribute):
                seen.setdefault(getattr(lead, attribute), []).append(lead)
        for value, sharing in seen.items():
            if len(sharing) > 1:
                shown = phones.pretty(sharing[0].phone) if attribute == "phone_last10" else value
                reasons.append(f"Same {label} {shown}")
    return reasons


@transaction.atomic
def merge_duplicates(*, actor, keeper: Lead, others: list[Lead]) -> Lead:
    """Keep `keeper`; archive each of `others` and copy its timeline onto the keeper.

    Needs every lead live (not archived) and in one duplicate group with the keeper;
    raises DomainError otherwise and changes nothing. Copied lines keep their kind, actor,
    office, time and data, their text prefixed "Merged from L-<id>: ". Writes "🔀 Merged
    from L-<id>" on the keeper and "🔀 Merged into L-<keeper id>" on each archived lead,
    an audit row `lead.archived` per archived lead, and emits `lead.archived` for each.
    Needs leads.duplicates.
    """
    check(actor, "leads.duplicates")
    other_ids = [lead.pk for lead in others]
    if not other_ids:
        raise DomainError("Pick at least one lead to merge into the one you keep.")
    if keeper.pk in other_ids or len(set(other_ids)) != len(other_ids):
        raise DomainError("Each lead can be either kept or merged, once.")
    # Lock the rows so a concurrent edit, archive or second resolve waits for this one.
    locked = {
        lead.pk: lead
        for lead in Lead.objects.select_for_update(of=("self",))
        .select_related("office", "source")  # what the event snapshots read
        .filter(pk__in=[keeper.pk, *other_ids])
    }
    if len(locked) != len(other_ids) + 1:
        raise DomainError("Some of these leads no longer exist. Reload the duplicates.")
    archived = [lead for lead in locked.values() if lead.is_archived]
    if archived:
        raise DomainError(f"{archived[0].display_id} is already archived. Reload the duplicates.")
    group = next(
        (g for g in duplicate_groups() if keeper.pk in {lead.pk for lead in g.leads}), None
    )
    group_ids = {lead.pk for lead in group.leads} if group else set()
    strangers = [pk for pk in other_ids if pk not in group_ids]
    if strangers:
        raise DomainError(
            f"L-{strangers[0]} is not a duplicate of L-{keeper.pk}. Reload the duplicates."
        )

    keeper = locked[keeper.pk]
    entries = TimelineEntry.objects.filter(subject_type="lead", subject_id__in=other_ids)
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            subject_type="lead",
            subject_id=keeper.pk,
            subject_label=str(keeper)[:160],
            kind=entry.kind,
            office_id=entry.office_id,
            actor_id=entry.actor_id,
            body=f"Merged from L-{entry.subject_id}: {entry.body}",
            data=entry.data,
            created_at=entry.created_at,
        )
        for entry in entries.order_by("created_at", "id")
    )
    for pk in other_ids:
        other = locked[pk]
        record(keeper, kind="sys", body=f"🔀 Merged from {other.display_id}", actor=actor)
        set_archived(
            other,
            actor=actor,
            archived=True,
            name=other.full_name,
            metadata={"lead_id": other.pk, "merged_into": keeper.pk},
            emit=emit_for,
            line=f"🔀 Merged into {keeper.display_id}",
            reason=f"merged into {keeper.display_id}",
            merged_into=keeper.pk,
        )
    return keeper


@transaction.atomic
def resolve_groups(*, actor, choices: list[tuple[int, list[int]]]) -> list[Lead]:
    """Apply several (keeper id, group ids) picks at once: all of them or, on any
    DomainError, none. Returns the keepers. Needs leads.duplicates."""
    check(actor, "leads.duplicates")
    keepers = []
    for keeper_id, group_ids in choices:
        leads = {lead.pk: lead for lead in Lead.objects.filter(pk__in=group_ids)}
        if keeper_id not in group_ids or keeper_id not in leads:
            raise DomainError("Pick the lead to keep in every group you resolve.")
        others = [leads[pk] for pk in group_ids if pk != keeper_id and pk in leads]
        if len(others) != len(group_ids) - 1:
            raise DomainError("Some of these leads no longer exist. Reload the duplicates.")
        keepers.append(merge_duplicates(actor=actor, keeper=leads[keeper_id], others=others))
    return keepers
