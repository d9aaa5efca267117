"""THE role x capability matrix. Views, templates, the CP → Permissions page and the tests
all read this one table; nothing else decides who may do what.

Each domain adds its actions here as it arrives. Page rows follow the spec's
"Page access by role" table; where the spec contradicts itself, a comment beside the row
says which reading we took.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect

from crm.accounts.models import Office, Role
from crm.htmx import login_required
from crm.scoping import is_visible_to

OWNER, ADMIN, FINANCE_ADMIN, AGENT, VIEWER, PARTNER = (
    Role.OWNER,
    Role.ADMIN,
    Role.FINANCE_ADMIN,
    Role.AGENT,
    Role.VIEWER,
    Role.PARTNER,
)
EVERYONE = frozenset(Role)
STAFF_WRITERS = frozenset({OWNER, ADMIN, FINANCE_ADMIN, AGENT})
ADMINS = frozenset({OWNER, ADMIN, FINANCE_ADMIN})


@dataclass(frozen=True)
class Capability:
    """One row of the matrix. `label`, `note` and `chapter` are shown to the owner on
    CP → Permissions, so they are written for her: plain words, the help-center chapter
    that describes the rule, no code names. Why a row reads the spec one way goes in a
    comment beside it, never in `note`."""

    name: str
    group: str
    label: str
    roles: frozenset
    note: str = ""
    chapter: str = ""


LOGIN_AND_ROLES = "Login & roles"

CAPABILITIES: tuple[Capability, ...] = (
    # Pages (spec: Login & roles → Page access by role).
    Capability(
        "leads.view",
        "Pages",
        "Open Leads",
        EVERYONE,
        "Partners see only the leads sent by their own company.",
        chapter=LOGIN_AND_ROLES,
    ),
    Capability(
        "leads.edit",
        "Pages",
        "Work leads (edit, claim, change status)",
        STAFF_WRITERS,
        chapter="Claiming a Fresh lead",
    ),
    Capability(
        "jobs.view",
        "Pages",
        "Open Jobs",
        EVERYONE,
        "Partners see only the jobs tied to their own company.",
        chapter=LOGIN_AND_ROLES,
    ),
    Capability("jobs.create", "Pages", "Create jobs", STAFF_WRITERS, chapter="Creating a job"),
    Capability(
        "finance.view",
        "Pages",
        "Open Finance",
        frozenset({OWNER, FINANCE_ADMIN, VIEWER}),
        chapter="Finance dashboard",
    ),
    # The roles table gives viewers Finance read-only: they open it (above) but edit nothing.
    Capability(
        "finance.edit",
        "Pages",
        "Edit Finance",
        frozenset({OWNER, FINANCE_ADMIN}),
        "Viewers can look at Finance but not change it.",
        chapter="Finance dashboard",
    ),
    Capability(
        "contractors.view",
        "Pages",
        "Open Contractors",
        EVERYONE - {PARTNER},
        chapter="Contractors page",
    ),
    Capability(
        "contractors.edit",
        "Pages",
        "Edit Contractors",
        frozenset({OWNER, FINANCE_ADMIN}),
        chapter="Contractors page",
    ),
    Capability(
        "service_areas.view",
        "Pages",
        "Open Service Areas",
        EVERYONE - {PARTNER},
        chapter="Service Areas page",
    ),
    Capability(
        "service_areas.edit",
        "Pages",
        "Edit Service Areas",
        frozenset({OWNER, FINANCE_ADMIN}),
        chapter="Service Areas page",
    ),
    Capability("help.view", "Pages", "Open Help", EVERYONE, chapter=LOGIN_AND_ROLES),
    # Contractors (spec: In-place service area editing → Priority zones).
    Capability(
        "contractors.zones",
        "Contractors",
        "Draw and edit priority zones",
        ADMINS,
        chapter="In-place service area editing",
    ),
    # Leads (spec: Login & roles, Archive & restore, Duplicate cleanup, Offices explained).
    Capability(
        "leads.create",
        "Leads",
        "Create leads by hand",
        STAFF_WRITERS,
        "An agent who creates a lead has it claimed in her name.",
        chapter="Claiming a Fresh lead",
    ),
    Capability(
        "leads.choose_office",
        "Leads",
        "Pick the office of a new lead",
        ADMINS,
        "Agents' new leads go to their first office.",
        chapter="Offices explained",
    ),
    # Agents, not admins: an admin typing a lead in is filing it for the team.
    Capability(
        "leads.claim_on_create",
        "Leads",
        "Leads she types in by hand are claimed in her name",
        frozenset({AGENT}),
        "She is the one calling them, so their phones are hers to see at once.",
        chapter="Claiming a Fresh lead",
    ),
    Capability(
        "leads.import",
        "Leads",
        "Bulk-import leads (.xlsx / .csv)",
        ADMINS,
        chapter="Leads dashboard",
    ),
    Capability(
        "leads.archive",
        "Leads",
        "Archive and restore leads",
        ADMINS,
        chapter="Archive & restore",
    ),
    Capability(
        "leads.delete",
        "Leads",
        "Delete archived leads for good",
        frozenset({OWNER}),
        chapter="Archive & restore",
    ),
    Capability(
        "leads.duplicates",
        "Leads",
        "Duplicate cleanup",
        frozenset({OWNER}),
        chapter="Duplicate cleanup",
    ),
    # Jobs (spec: Login & roles, Creating a job, Archiving a job, Importing jobs from Workiz).
    # Agents run jobs as the roles table says, although "Creating a job" reads admin+.
    Capability(
        "jobs.edit",
        "Jobs",
        "Run jobs day-to-day: status, K-confirm, rebook, schedule, contractor, client details",
        STAFF_WRITERS,
        "Agents included: they run jobs day-to-day. Money fields stay on Finance.",
        chapter=LOGIN_AND_ROLES,
    ),
    Capability("jobs.tag", "Jobs", "Tag jobs", ADMINS, chapter=LOGIN_AND_ROLES),
    Capability(
        "jobs.import",
        "Jobs",
        "Import jobs from Workiz",
        ADMINS,
        chapter="Importing jobs from Workiz",
    ),
    Capability(
        "jobs.archive", "Jobs", "Archive and restore jobs", ADMINS, chapter="Archiving a job"
    ),
    Capability(
        "jobs.delete",
        "Jobs",
        "Delete archived jobs for good",
        frozenset({OWNER}),
        chapter="Archiving a job",
    ),
    Capability(
        "jobs.all_partners",
        "Jobs",
        "See every job partner's name in the Jobs filters",
        EVERYONE - {PARTNER},
        "Partners see only their own company, and only the contractors on their jobs.",
        chapter=LOGIN_AND_ROLES,
    ),
    Capability(
        "controlpanel.access",
        "Pages",
        "Open the Control Panel",
        frozenset({OWNER}),
        chapter=LOGIN_AND_ROLES,
    ),
    # Topbar tools. The topbar says "admins/viewers/owners"; finance admins count as admin+.
    Capability(
        "timeline.view",
        "Topbar",
        "Global Timeline",
        ADMINS | {VIEWER},
        "Finance admins count as admins here.",
        chapter="Global timeline",
    ),
    Capability("audit.view", "Topbar", "Audit Log", frozenset({OWNER}), chapter="Audit log"),
    # A partner login is an outside company: the staff list (names, emails, offices) is not
    # theirs to read.
    Capability(
        "users.view",
        "Topbar",
        "Users directory",
        EVERYONE - {PARTNER},
        "Partners do not see the staff list.",
        chapter="The topbar",
    ),
    Capability(
        "jobs.contractor_details",
        "Jobs",
        "See a job's contractor contact and profit share",
        EVERYONE - {PARTNER},
        "Partners see only the contractor's name.",
        chapter=LOGIN_AND_ROLES,
    ),
    # Owner only, as CP → Users says (the topbar line reads "admins+ can edit").
    Capability(
        "users.manage",
        "Topbar",
        "Create, edit and delete users; set passwords",
        frozenset({OWNER}),
        "Only the owner manages users, from the Control Panel.",
        chapter="Users & permissions",
    ),
    Capability(
        "webhooks.manage",
        "Automations & Integrations",
        "Set outbound webhook URLs, fan-outs and the BookBack Jobs URL; read their log",
        frozenset({OWNER}),
        chapter="Outbound webhooks",
    ),
    Capability(
        "webhooks.replay",
        "Automations & Integrations",
        "Send a logged webhook delivery again",
        frozenset({OWNER}),
        chapter="Outbound webhooks",
    ),
    Capability(
        "automations.manage",
        "Automations & Integrations",
        "Build automation rules (SMS / email), Pause All, read their log",
        frozenset({OWNER}),
        chapter="How automations work",
    ),
    # SMS (spec: SMS panel, STOP / opt-out, Other CP settings).
    Capability(
        "sms.view",
        "SMS",
        "Open the SMS panel and read conversations",
        EVERYONE - {PARTNER},
        "Only the conversations of her own offices.",
        chapter="SMS panel",
    ),
    Capability(
        "sms.reply",
        "SMS",
        "Reply to texts",
        STAFF_WRITERS,
        "Never from a toll-free or no-reply number.",
        chapter="SMS panel",
    ),
    Capability(
        "sms.manage",
        "SMS",
        "Set up CTM numbers and SMS templates",
        frozenset({OWNER}),
        chapter="Other CP settings",
    ),
    Capability(
        "sms.optouts",
        "SMS",
        "Decide possible opt-outs",
        ADMINS,
        chapter="STOP / opt-out",
    ),
    # Tasks (spec: Tasks panel, Recurring tasks, Office assignment).
    Capability(
        "tasks.view",
        "Tasks",
        "Open the 📋 Tasks panel",
        EVERYONE - {PARTNER},
        "Viewers read their tasks but change nothing.",
        chapter="Tasks panel",
    ),
    Capability(
        "tasks.create",
        "Tasks",
        "Create tasks",
        STAFF_WRITERS,
        "For a person sharing one of her offices, or one of her offices.",
        chapter="Tasks panel",
    ),
    Capability(
        "tasks.edit",
        "Tasks",
        "Edit and delete tasks",
        STAFF_WRITERS,
        "Agents only their own: the ones they created or that are assigned to them.",
        chapter="Tasks panel",
    ),
    Capability(
        "tasks.complete",
        "Tasks",
        "Mark tasks done and re-open them",
        STAFF_WRITERS,
        "Any task she can see: a teammate can finish a shared office task.",
        chapter="Tasks panel",
    ),
    Capability(
        "tasks.view_all",
        "Tasks",
        "See the All tab of the Tasks panel",
        ADMINS,
        "Admins see all tasks of their own offices; the owner sees everything.",
        chapter="Tasks panel",
    ),
    Capability(
        "tasks.recurring",
        "Tasks",
        "Set up recurring task templates",
        frozenset({OWNER}),
        chapter="Recurring tasks",
    ),
    # Reports (spec: Reports, the topbar's 📊).
    Capability(
        "reports.view",
        "Reports",
        "Open 📊 Reports",
        EVERYONE - {PARTNER},
        "Numbers cover only her own offices; no Jobs tab without a Jobs-enabled office.",
        chapter="Reports",
    ),
    Capability(
        "reports.email",
        "Reports",
        "Set up the emailed daily / weekly / monthly reports",
        frozenset({OWNER}),
        chapter="Reports",
    ),
    # AI Assistant (spec: AI Assistant chat, Other CP settings → 🤖 AI Assistant).
    Capability(
        "assistant.use",
        "AI Assistant",
        "Chat with the 🤖 AI Assistant",
        EVERYONE - {PARTNER},
        "It reads only what she may see, within her role's daily budget.",
        chapter="AI Assistant chat",
    ),
    Capability(
        "assistant.manage",
        "AI Assistant",
        "Set the AI key, model, daily budgets and prices",
        frozenset({OWNER}),
        chapter="AI Assistant chat",
    ),
    Capability(
        "assistant.replay",
        "AI Assistant",
        "Read the AI audit log and replay conversations",
        frozenset({OWNER}),
        chapter="AI Assistant chat",
    ),
)

_BY_NAME = {capability.name: capability for capability in CAPABILITIES}

# Pages that need the Jobs feature on in at least one of the user's offices.
JOBS_FEATURE_CAPABILITIES = frozenset({"jobs.view", "contractors.view", "service_areas.view"})


def can(user, capability: str) -> bool:
    """May `user` (signed in and active) use `capability`? Unknown names are a bug."""
    rule = _BY_NAME[capability]
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if capability in JOBS_FEATURE_CAPABILITIES and not user.has_jobs_feature:
        return False
    return user.role in rule.roles


class OutOfScope(Http404):
    """The record is outside what the actor may see: views answer 404, as their
    `visible_to` lookups do, so a refusal never confirms the record exists."""


def check(actor, capability: str, obj=None) -> None:
    """Refuse a person without `capability` inside an action (views check first; imports,
    AI tools and tasks reach actions directly). No actor means the system itself acts.

    With `obj` (a lead, a job, an office), the actor must also see it: the record's
    `Model.objects.visible_to(actor)` scope (office or partner) decides, else OutOfScope.
    """
    if actor is None:
        return
    if not can(actor, capability):
        raise PermissionDenied(f"Your role can't do that ({capability}).")
    if obj is not None and not _sees(actor, obj):
        raise OutOfScope("That record is not in your offices.")


def _sees(actor, obj) -> bool:
    if isinstance(obj, Office):
        return obj.pk in actor.office_ids
    return is_visible_to(obj, actor)


def matrix() -> list[dict]:
    """Rows for CP → Permissions: one per capability, a ✓/✗ per role."""
    return [
        {
            "capability": capability,
            "cells": [(role, role in capability.roles) for role in Role],
        }
        for capability in CAPABILITIES
    ]


def require(capability: str) -> Callable:
    """Guard a view: sign-in required, 403 without the capability.

    Pages that need the Jobs feature send users whose offices all have it off back
    to their home page (the Leads dashboard) instead of a 403.
    """
    rule = _BY_NAME[capability]

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def guarded(request, *args, **kwargs):
            user = request.user
            if user.role not in rule.roles:
                raise PermissionDenied
            if capability in JOBS_FEATURE_CAPABILITIES and not user.has_jobs_feature:
                from crm.navigation import home_url  # inside: navigation imports permissions

                return redirect(home_url(user))
            return view(request, *args, **kwargs)

        guarded.capability = capability
        return guarded

    return decorator
