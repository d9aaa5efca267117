"""Every domain event: its name (noun.past_verb), payload fields and meaning, in one table.

`crm.events.emit` refuses a name not listed here, a listed field left out, or a field not
listed (a programming error, raised as UnknownEvent). Handlers, outbound webhooks and
automations read payloads by these fields. `job` / `lead` hold the record's id and
`snapshot` the record as it was at emit time, in the Workiz shape (`jobs.payloads`,
`leads.payloads`); every event row also carries office, partner name and actor beside its
payload. Which webhook slot an event fires is no payload field: the webhooks map events
to slots.
"""

from dataclasses import dataclass


class UnknownEvent(Exception):
    """An emit() the catalogue does not describe: fix the call or the catalogue."""


@dataclass(frozen=True)
class Event:
    meaning: str
    fields: tuple[str, ...] = ()
    # Fields only some emitters send (say which in the meaning).
    optional: tuple[str, ...] = ()


JOB = ("job", "snapshot")
# `source`: the lead source's id (a fan-out filters on it; labels need not be unique).
LEAD = ("lead", "source", "snapshot")
# `*.updated`: which field changed, from what to what.
CHANGE = ("field", "old", "new")
# `job.status_changed`: what was entered with the new status (Deposit, Pending, Done, Cancelled).
STATUS_ENTRIES = (
    "note",
    "expected_completion",
    "deposit_amount",
    "follow_up_at",
    "closing_total",
    "parts_total",
    "cancel_reason",
)
FINANCE_CANCEL = (
    "FinanceCancelReason",
    "FinanceCancelNote",
    "FinanceCancelledAt",
    "FinanceCancelledBy",
)

CATALOGUE: dict[str, Event] = {
    # --- Leads -------------------------------------------------------------------------
    "lead.created": Event("A lead was made (by hand, webhook, import: `via`).", (*LEAD, "via")),
    "lead.claimed": Event("Someone claimed a Fresh lead.", LEAD),
    "lead.status_changed": Event(
        "A lead moved from status `old` to `new` (`reason` for Irrelevant).",
        (*LEAD, "old", "new", "reason"),
    ),
    "lead.call_logged": Event("A call attempt was logged on a lead.", LEAD),
    "lead.updated": Event(
        "A lead's `field` was edited from `old` to `new` (office: its id).", (*LEAD, *CHANGE)
    ),
    "lead.archived": Event(
        "A lead went to the archive (`merged_into`: the lead it was merged into).",
        LEAD,
        optional=("merged_into",),
    ),
    "lead.restored": Event("A lead came back from the archive.", LEAD),
    "lead.reactivated": Event("A repeat webhook post brought a closed lead back.", LEAD),
    "lead.deleted": Event("A lead was deleted for good.", ("lead_id",)),
    # --- Jobs --------------------------------------------------------------------------
    "job.created": Event("A job was booked.", JOB),
    "job.status_changed": Event(
        "A job's status changed `old` → `new` (`reopened`: from Cancelled), with what was "
        "entered for it (amounts, note, dates, cancel reason's label); `rule` when the auto "
        "status change moved it.",
        (*JOB, "old", "new", "reopened"),
        optional=(*STATUS_ENTRIES, "rule"),
    ),
    "job.follow_up_rescheduled": Event("A Pending job's follow-up moved.", (*JOB, "follow_up_at")),
    "job.contractor_assigned": Event(
        "A job's contractor changed from `old` to `new`.",
        (*JOB, "old", "new", "profit_share"),
    ),
    "job.k_confirmed": Event("The contractor confirmed the job (K).", (*JOB, "contractor")),
    "job.k_cleared": Event("A job's K confirmation was cleared.", JOB),
    "job.updated": Event(
        "A job's `field` was edited from `old` to `new` (address: one line; tags: labels).",
        (*JOB, *CHANGE),
    ),
    "job.expected_completion_changed": Event(
        "A Deposit job's expected completion date moved from `old` to `new`.",
        (*JOB, "old", "new"),
    ),
    "job.schedule_changed": Event("A job's time window moved.", (*JOB, "starts_at", "ends_at")),
    "job.rebooked": Event(
        "A job was rebooked into a new window with a contractor.",
        (*JOB, "starts_at", "ends_at", "contractor"),
    ),
    "job.imported": Event("Jobs were imported from a Workiz export.", ("job_ids",)),
    "job.archived": Event("A job went to the archive.", JOB),
    "job.restored": Event("A job came back from the archive.", JOB),
    "job.deleted": Event("A job was deleted for good.", ("job_id",)),
    "job.money_changed": Event(
        "A job's money `field` changed from `old` to `new`.", (*JOB, "field", "old", "new")
    ),
    "job.paid_changed": Event(
        "A party's paid mark on a job changed (`auto`: stamped by the system).",
        (*JOB, "party", "paid", "auto"),
    ),
    "job.finance_cancelled": Event(
        "Finance cancelled a Done/Deposit job (chargeback, refund, dispute).",
        (*JOB, "status", *FINANCE_CANCEL),
    ),
    "job.finance_cancel_undone": Event("A finance cancel was undone.", JOB),
    # --- Accounts and offices ----------------------------------------------------------
    "user.created": Event("A user was created.", ("user",)),
    "user.updated": Event("A user's role, offices or details changed.", ("user",)),
    "user.deleted": Event("A user was deleted.", ("email",)),
    "office.added": Event("An office was added (the event's office)."),
    "office.deleted": Event("An office was deleted.", ("office_name",)),
    "office.settings_changed": Event(
        "The event's office had its Jobs feature switched.", ("is_jobs_enabled",)
    ),
    "office.senders_changed": Event(
        "The event's office got a new SMS number or email (SMTP) sender: `changed` names "
        "the fields (never a password's value).",
        ("changed",),
    ),
    # --- Online booking ----------------------------------------------------------------
    "booking.submitted": Event(
        "A booking widget made a lead: `embed`, the `slot` picked (start, end) and `utm`.",
        ("lead", "embed", "slot", "utm"),
    ),
    "embed.created": Event("A booking widget was created.", ("embed",)),
    "embed.updated": Event("A booking widget was edited.", ("embed",)),
    "embed.live_changed": Event("A booking widget went live or off.", ("embed",)),
    "embed.duplicated": Event("A booking widget was copied (`embed`: the copy).", ("embed",)),
    "embed.deleted": Event("A booking widget was deleted.", ("embed_id", "slug")),
    # --- Contractors and who covers what -----------------------------------------------
    "contractor.created": Event("A contractor was added.", ("contractor_id",)),
    "contractor.updated": Event("A contractor was edited.", ("contractor_id",)),
    "contractor.activated": Event("A contractor was switched on.", ("contractor_id",)),
    "contractor.deactivated": Event("A contractor was switched off.", ("contractor_id",)),
    "contractor.deleted": Event("A contractor was deleted.", ("contractor_id", "contractor_name")),
    "contractor.uploaded": Event(
        "A contractor spreadsheet was uploaded (`contractor_id` is empty).",
        ("contractor_id", "created", "updated"),
    ),
    "contractor.area_added": Event(
        "A contractor now covers a service area.", ("contractor_id", "area_id")
    ),
    "contractor.area_removed": Event(
        "A contractor no longer covers a service area.", ("contractor_id", "area_id")
    ),
    "service_area.added": Event("A service area was added.", ("service_area",)),
    "service_area.updated": Event("A service area was edited.", ("service_area",)),
    "service_area.deleted": Event("A service area was deleted.", ("service_area_id", "label")),
    "zone.created": Event(
        "A priority zone was drawn (`contractor_ids`: first tried first).",
        ("zone_id", "zone_name", "job_type_id", "contractor_ids"),
    ),
    "zone.updated": Event(
        "A priority zone's name, shape or contractors changed.",
        ("zone_id", "zone_name", "job_type_id", "contractor_ids"),
    ),
    "zone.deleted": Event("A priority zone was deleted.", ("zone_id", "zone_name")),
    "job_type.saved": Event("A job type was added or renamed.", ("job_type_id",)),
    "job_type.deleted": Event("A job type was deleted.", ("label",)),
    "job_partner.saved": Event("A job partner was added or edited.", ("job_partner_id",)),
    "job_partner.deleted": Event("A job partner was deleted.", ("job_partner",)),
    # --- Settings (CP) -----------------------------------------------------------------
    "app_settings.saved": Event(
        "The Fresh-lead escalation timer was saved.", ("escalation_timer_minutes",)
    ),
    "google_places_key.saved": Event(
        "The Google Places key was set or cleared (`google_places_api_key`: which).",
        ("google_places_api_key",),
    ),
    "finance_settings.saved": Event(
        "Finance settings changed (`finance_settings`: the fields).", ("finance_settings",)
    ),
    "cancel_reason.saved": Event("A cancel reason was added or edited.", ("cancel_reason_id",)),
    "cancel_reason.deleted": Event("A cancel reason was deleted.", ("cancel_reason",)),
    "job_tag.saved": Event("A job tag was added or edited.", ("job_tag_id",)),
    "job_tag.deleted": Event("A job tag was deleted.", ("job_tag",)),
    "jobs_settings.saved": Event(
        "Jobs Attentions hours and the Auto Status Change rule were saved.",
        ("ask_for_update_hours", "auto_advance_enabled", "auto_advance_offices"),
    ),
    "lead_source.added": Event("A lead source was added.", ("source_id", "key")),
    "lead_source.updated": Event(
        "A lead source was edited (`changes`: what).", ("source_id", "key", "changes")
    ),
    "lead_source.token_regenerated": Event(
        "A lead source's webhook token was regenerated.", ("source_id", "key")
    ),
    "lead_source.deleted": Event("A lead source was deleted.", ("source_id", "key")),
    "lead_sources.reordered": Event("Lead sources were reordered.", ("order",)),
    "snooze_sequence.saved": Event(
        "A source's snooze sequence changed from `old` to `new`.",
        ("source_id", "key", "old", "new"),
    ),
    "calling_hours.saved": Event(
        "A state's calling hours were set (`calling_hours`: the state).", ("calling_hours",)
    ),
    "calling_hours.reset": Event(
        "A state's calling hours went back to the default.", ("calling_hours",)
    ),
    # --- SMS ---------------------------------------------------------------------------
    "webhook_endpoint.changed": Event(
        "A webhook main URL or fan-out was added, edited, paused, removed or had its secret"
        " rotated (`change`: added / changed / removed / secret_rotated).",
        ("slot", "endpoint_id", "change"),
    ),
    "webhook_deliveries.replayed": Event(
        "Logged webhook deliveries were queued again (`count`: how many).",
        ("endpoint_id", "count"),
    ),
    "automation_rule.changed": Event(
        "An automation rule was added, edited, switched on or off, duplicated or deleted"
        " (`change`: added / changed / enabled / disabled / deleted).",
        ("rule_id", "change"),
    ),
    "automations.paused": Event("Pause All: no automation rule fires until resumed."),
    "automations.resumed": Event("Resume All: automation rules fire again."),
    "sms.received": Event(
        "A text came in (`thread`, `message`, `lead`: the linked lead's id or None).",
        ("thread", "message", "lead", "from_phone"),
    ),
    "sms.sent": Event(
        "A text went out (`purpose`: manual, automation, ai, system, confirmation).",
        ("thread", "message", "lead", "purpose"),
    ),
    "sms.failed": Event(
        "A text could not be sent (`error`: the carrier's words).",
        ("thread", "message", "lead", "purpose", "error"),
    ),
    "sms.opted_out": Event(
        "A number opted out of texts (`word`: as typed; `message`: None when decided by hand).",
        ("phone", "word", "message", "lead"),
    ),
    "sms.opted_in": Event(
        "A number opted back in to texts (`word`: as typed).",
        ("phone", "word", "message", "lead"),
    ),
    # --- Tasks -------------------------------------------------------------------------
    # `task`: a snapshot (id, title, due_at, assignee, lead_id, job_id, done_by).
    "task.created": Event("A task was created (by hand; generated ones emit nothing).", ("task",)),
    "task.completed": Event("A task was marked Done.", ("task",)),
    "task.reopened": Event("A Done task was re-opened.", ("task",)),
}


def check(name: str, data: dict) -> None:
    """Raise UnknownEvent unless `data` is exactly what the catalogue lists for `name`."""
    event = CATALOGUE.get(name)
    if event is None:
        raise UnknownEvent(f"No event named {name!r}: add it to crm/event_catalogue.py.")
    missing = [field for field in event.fields if field not in data]
    unknown = [field for field in data if field not in event.fields + event.optional]
    problems = [f"is missing {', '.join(missing)}"] if missing else []
    if unknown:
        problems.append(f"has fields the catalogue doesn't list: {', '.join(unknown)}")
    if problems:
        raise UnknownEvent(f"Event {name!r} {'; '.join(problems)} (see crm/event_catalogue.py).")
