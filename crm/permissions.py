"""THE role x capability matrix. Views, templates, the CP → Permissions page and the tests
all read this one table; nothing else decides who may do what.

Each domain adds its actions here as it arrives. Page rows follow the spec's
"Page access by role" table; ⚠ choices where the spec contradicts itself are noted.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from crm.accounts.models import Role

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
    name: str
    group: str
    label: str
    roles: frozenset
    note: str = ""


CAPABILITIES: tuple[Capability, ...] = (
    # Pages (spec: Login & roles → Page access by role).
    Capability("leads.view", "Pages", "Open Leads", EVERYONE, "partner: own partner's leads only"),
    Capability("leads.edit", "Pages", "Work leads (edit, claim, status)", STAFF_WRITERS),
    Capability("jobs.view", "Pages", "Open Jobs", EVERYONE, "partner: own partner's jobs only"),
    Capability("jobs.create", "Pages", "Create jobs", STAFF_WRITERS),
    Capability("finance.view", "Pages", "Open Finance", frozenset({OWNER, FINANCE_ADMIN, VIEWER})),
    Capability(
        "finance.edit",
        "Pages",
        "Edit Finance",
        frozenset({OWNER, FINANCE_ADMIN}),
        "⚠ viewer is read-only on Finance",
    ),
    Capability("contractors.view", "Pages", "Open Contractors", EVERYONE - {PARTNER}),
    Capability("contractors.edit", "Pages", "Edit Contractors", frozenset({OWNER, FINANCE_ADMIN})),
    Capability("service_areas.view", "Pages", "Open Service Areas", EVERYONE - {PARTNER}),
    Capability(
        "service_areas.edit", "Pages", "Edit Service Areas", frozenset({OWNER, FINANCE_ADMIN})
    ),
    Capability("help.view", "Pages", "Open Help", EVERYONE),
    # Contractors (spec: In-place service area editing → Priority zones).
    Capability("contractors.zones", "Contractors", "Draw and edit priority zones", ADMINS),
    # Leads (spec: Login & roles, Archive & restore, Duplicate cleanup, Offices explained).
    Capability("leads.create", "Leads", "Create leads by hand", STAFF_WRITERS),
    Capability(
        "leads.choose_office",
        "Leads",
        "Pick the office of a new lead",
        ADMINS,
        "agents get their first office",
    ),
    Capability("leads.import", "Leads", "Bulk-import leads (.xlsx / .csv)", ADMINS),
    Capability("leads.archive", "Leads", "Archive and restore leads", ADMINS),
    Capability("leads.delete", "Leads", "Delete archived leads for good", frozenset({OWNER})),
    Capability("leads.duplicates", "Leads", "Duplicate cleanup", frozenset({OWNER})),
    # Jobs (spec: Login & roles, Creating a job, Archiving a job, Importing jobs from Workiz).
    Capability(
        "jobs.edit",
        "Jobs",
        "Run jobs day-to-day: status, K-confirm, rebook, schedule, contractor, client details",
        STAFF_WRITERS,
        "⚠ agents included, as the roles table says (Creating a job says admin+)",
    ),
    Capability("jobs.tag", "Jobs", "Tag jobs", ADMINS),
    Capability("jobs.import", "Jobs", "Import jobs from Workiz", ADMINS),
    Capability("jobs.archive", "Jobs", "Archive and restore jobs", ADMINS),
    Capability("jobs.delete", "Jobs", "Delete archived jobs for good", frozenset({OWNER})),
    Capability("controlpanel.access", "Pages", "Open the Control Panel", frozenset({OWNER})),
    # Topbar tools.
    Capability(
        "timeline.view",
        "Topbar",
        "Global Timeline",
        ADMINS | {VIEWER},
        "⚠ finance_admin included as admin+",
    ),
    Capability("audit.view", "Topbar", "Audit Log", frozenset({OWNER})),
    Capability("users.view", "Topbar", "Users directory", EVERYONE),
    Capability(
        "users.manage",
        "Topbar",
        "Create, edit and delete users; set passwords",
        frozenset({OWNER}),
        "⚠ owner only, as CP → Users says",
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
                from crm.navigation import home_url

                return redirect(home_url(user))
            return view(request, *args, **kwargs)

        guarded.capability = capability
        return guarded

    return decorator
