"""Every action that writes a job. Views, imports, AI tools and tasks call these."""

from jobs.services.archiving import archive_job, delete_job, restore_job
from jobs.services.attention import attention_reason, update_request_message
from jobs.services.auto_status import advance_due_jobs
from jobs.services.creating import create_job, create_job_from_lead, initial_from_lead
from jobs.services.dispatch import (
    assign_contractor,
    candidates_for,
    clear_k_confirmation,
    contractor_choices,
    k_confirm,
)
from jobs.services.editing import EDITABLE_FIELDS, change_address, set_tags, update_field
from jobs.services.scheduling import change_schedule, rebook
from jobs.services.settings import (
    delete_cancel_reason,
    delete_job_tag,
    save_cancel_reason,
    save_job_tag,
    update_jobs_settings,
)
from jobs.services.statuses import (
    change_expected_completion,
    change_status,
    reschedule_follow_up,
)

__all__ = [
    "EDITABLE_FIELDS",
    "advance_due_jobs",
    "archive_job",
    "assign_contractor",
    "attention_reason",
    "candidates_for",
    "change_address",
    "change_expected_completion",
    "change_schedule",
    "change_status",
    "clear_k_confirmation",
    "contractor_choices",
    "create_job",
    "create_job_from_lead",
    "delete_cancel_reason",
    "delete_job",
    "delete_job_tag",
    "initial_from_lead",
    "k_confirm",
    "rebook",
    "reschedule_follow_up",
    "restore_job",
    "save_cancel_reason",
    "save_job_tag",
    "set_tags",
    "update_field",
    "update_jobs_settings",
    "update_request_message",
]
