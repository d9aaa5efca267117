"""Every action that writes a lead. Views, webhooks, imports and tasks call these."""

from leads.services.creating import create_lead, general_office, split_name
from leads.services.ingest import (
    RateLimited,
    accept_inbound,
    ingest_lead,
    process_inbound,
    reactivate,
)
from leads.services.working import (
    EDITABLE_FIELDS,
    SequenceFinished,
    archive_lead,
    change_status,
    claim_lead,
    delete_lead,
    log_call_attempt,
    mark_opened_in_workiz,
    restore_lead,
    update_field,
)

__all__ = [
    "EDITABLE_FIELDS",
    "RateLimited",
    "SequenceFinished",
    "accept_inbound",
    "archive_lead",
    "change_status",
    "claim_lead",
    "create_lead",
    "delete_lead",
    "general_office",
    "ingest_lead",
    "log_call_attempt",
    "mark_opened_in_workiz",
    "process_inbound",
    "reactivate",
    "restore_lead",
    "split_name",
    "update_field",
]
