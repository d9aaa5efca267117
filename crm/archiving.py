"""Archiving, written once for leads and jobs (and the duplicate cleanup's merge): the
stamp, the timeline line, the audit row and the event. The caller checks the capability
and locks the row first; this module knows no domain, so the domain passes its event
helper (`emit_for`)."""

from collections.abc import Callable

from django.utils import timezone

from crm.timeline.services import audit, record

ARCHIVED_LINE = "📦 Archived"
RESTORED_LINE = "↩ Restored from the archive"


def set_archived(
    obj,
    *,
    actor,
    archived: bool,
    name: str,
    metadata: dict,
    emit: Callable,
    line: str = "",
    reason: str = "",
    **event_data,
) -> bool:
    """Archive (or restore) `obj`, a locked Lead or Job (no other model is archived):
    set or clear `is_archived`, `archived_at` and, where the model has one, `archived_by`;
    write the timeline line (`line`, else 📦 Archived / ↩ Restored from the archive), the
    audit row `<lead|job>.archived|restored` ("<name> archived[: <reason>]", with
    `metadata`) and emit the same name through `emit(obj, kind, actor=..., **event_data)`.

    Returns False and writes nothing when `obj` is already in that state.
    """
    if obj.is_archived == archived:
        return False
    obj.is_archived = archived
    obj.archived_at = timezone.now() if archived else None
    fields = ["is_archived", "archived_at", "updated_at"]
    if hasattr(obj, "archived_by"):
        obj.archived_by = actor if archived else None
        fields.append("archived_by")
    obj.save(update_fields=fields)
    verb = "archived" if archived else "restored"
    # Spelled as literals so tests/timeline/test_audit_kinds.py can read the audit kinds.
    subject = "job" if obj._meta.model_name == "job" else "lead"
    kind = f"{subject}.{verb}"
    record(
        obj,
        kind="sys",
        body=line or (ARCHIVED_LINE if archived else RESTORED_LINE),
        actor=actor,
    )
    text = f"{name} {verb}: {reason}" if reason else f"{name} {verb}"
    audit(kind, text, actor=actor, office=obj.office, metadata=metadata)
    emit(obj, kind, actor=actor, **event_data)
    return True
