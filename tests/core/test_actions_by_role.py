"""Every domain action, called as every role, allows or refuses as the matrix says.

ACTIONS maps each checked action ("module:function", as test_actions_are_checked names
them) to the capability it needs and a builder that makes its arguments with factories
in the actor's office. A role the matrix allows gets through the check (a DomainError
about the facts is fine: the check came first); a role it refuses gets PermissionDenied
and the database is left exactly as it was. A record in another office is refused too.
"""

import contextlib
import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from automations.rules import services as automation_rules
from automations.rules.models import Rule
from automations.webhooks import endpoints as webhook_endpoints
from automations.webhooks import replaying as webhook_replays
from automations.webhooks.models import Delivery, DeliveryState, Endpoint, Slot
from booking import services as booking
from booking.slots import Window
from contractors.services import areas, contractors, coverage, zones
from contractors.services import settings as contractor_settings
from crm.accounts import office_email
from crm.accounts import services as accounts
from crm.accounts.models import Role
from crm.assistant import services as assistant
from crm.assistant.models import Conversation
from crm.controlpanel import services as controlpanel
from crm.errors import DomainError
from crm.permissions import OutOfScope, can
from crm.reports import services as reports
from crm.todos import services as todos
from crm.todos.models import Task, TaskTemplate
from finance import services as finance
from jobs.models import Status as JobStatus
from jobs.services import (
    archiving,
    creating,
    dispatch,
    editing,
    scheduling,
    statuses,
    workiz_import,
)
from jobs.services import settings as job_settings
from leads import importing
from leads.models import InboundLead, Status
from leads.services import calling_hours, dedupe, inbox, ingest, snooze, sources, working
from leads.services import creating as lead_creating
from messaging import numbers as sms_numbers
from messaging import optouts as sms_optouts
from messaging import senders as office_senders
from messaging import services as sms
from messaging import sms_templates
from messaging.models import Line, Message, PossibleOptOut, SmsTemplate, Thread
from tests.booking.conftest import embed_fields
from tests.core.test_actions_are_checked import FUNCTIONS, NOT_ACTIONS
from tests.factories import (
    CancelReasonFactory,
    ContractorFactory,
    JobFactory,
    JobPartnerFactory,
    JobTagFactory,
    JobTypeFactory,
    LeadFactory,
    OfficeFactory,
    ServiceAreaFactory,
    UserFactory,
    lead_source,
)

pytestmark = pytest.mark.django_db

ROLES = [Role.OWNER, Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER, Role.PARTNER]
TOMORROW = datetime.timedelta(days=1)
PAYLOAD = {"full_name": "Ann Lee", "phone": "3055550100", "email": "ann@example.com"}
TRIANGLE = [[25.6, -80.4], [25.9, -80.1], [25.9, -80.4]]


def _soon() -> datetime.datetime:
    return timezone.now().replace(microsecond=0) + TOMORROW


def _window() -> Window:
    start = (timezone.now() + TOMORROW).astimezone(ZoneInfo("America/New_York"))
    start = start.replace(hour=9, minute=0, second=0, microsecond=0)
    return Window(start=start, end=start + datetime.timedelta(hours=2))


def _inbound(state=InboundLead.State.PENDING) -> int:
    source = lead_source()
    return InboundLead.objects.create(source=source, payload=PAYLOAD, state=state).pk


def _duplicates(office):
    keeper = LeadFactory(office=office, phone="+13055550177")
    other = LeadFactory(office=office, phone="+13055550177")
    return keeper, other


def _partner_login():
    partner = JobPartnerFactory(name="Acme Partners")
    return UserFactory(role=Role.PARTNER, partner=partner, email="acme@example.com")


def _embed(office):
    return booking.create_embed(actor=None, **embed_fields(office))


def _job(office, **fields):
    return JobFactory(office=office, **fields)


def _done_job(office):
    return _job(office, status=JobStatus.DONE, closing_total=Decimal("500"))


def _sms_line(office) -> Line:
    return Line.objects.get_or_create(phone="+13055550100", defaults={"office": office})[0]


def _sms_thread(office) -> Thread:
    return Thread.objects.create(
        line=_sms_line(office),
        customer_phone="+13055550142",
        customer_last10="3055550142",
        office=office,
        unresolved_count=1,
    )


def _possible_opt_out(office) -> PossibleOptOut:
    message = Message.objects.create(
        thread=_sms_thread(office), direction="in", body="pls don't text me", status="received"
    )
    return PossibleOptOut.objects.create(message=message, last10="3055550142")


def _as_user(action):
    """The SMS panel's actions name their actor `user` (the messaging contract)."""
    return lambda actor, **arguments: action(user=actor, **arguments)


# "module:function" → (capability, build(office) → (action, keyword arguments but actor))
def _fan_out() -> Endpoint:
    return Endpoint.objects.create(
        slot=Slot.NEW_LEAD, name="Zapier", url="https://hooks.example.com/zap"
    )


def _dead_delivery() -> Delivery:
    endpoint = _fan_out()
    return Delivery.objects.create(
        endpoint=endpoint,
        url=endpoint.url,
        slot=endpoint.slot,
        event_id=1,
        event_name="lead.created",
        webhook_id="msg_dead",
        body="{}",
        content_type="application/json",
        state=DeliveryState.DEAD,
    )


def _rule() -> Rule:
    return Rule.objects.create(
        name="Welcome", trigger="lead_created", recipient="client", channel="sms", body="Hi"
    )


RULE_FIELDS = {
    "name": "New job",
    "trigger": "job_created",
    "recipient": "contractor",
    "channel": "sms",
    "body": "New job {{job.displayId}}",
}

ACTIONS = {
    # Leads
    "leads/services/creating.py:create_lead": (
        "leads.create",
        lambda office: (
            lead_creating.create_lead,
            {"source": lead_source(), "first_name": "Ann", "phone": "+13055550100"},
        ),
    ),
    "leads/services/working.py:claim_lead": (
        "leads.edit",
        lambda office: (working.claim_lead, {"lead": LeadFactory(office=office)}),
    ),
    "leads/services/working.py:change_status": (
        "leads.edit",
        lambda office: (
            working.change_status,
            {
                "lead": LeadFactory(office=office),
                "status": Status.NOT_YET_SCHEDULED,
                "next_contact_at": _soon(),
            },
        ),
    ),
    "leads/services/working.py:log_call_attempt": (
        "leads.edit",
        lambda office: (working.log_call_attempt, {"lead": LeadFactory(office=office)}),
    ),
    "leads/services/working.py:update_field": (
        "leads.edit",
        lambda office: (
            working.update_field,
            {"lead": LeadFactory(office=office), "field": "notes", "value": "Gate code 12"},
        ),
    ),
    "leads/services/working.py:mark_opened_in_workiz": (
        "leads.edit",
        lambda office: (
            working.mark_opened_in_workiz,
            {"lead": LeadFactory(office=office, status=Status.CONVERTED), "job_number": "77"},
        ),
    ),
    "leads/services/working.py:archive_lead": (
        "leads.archive",
        lambda office: (working.archive_lead, {"lead": LeadFactory(office=office)}),
    ),
    "leads/services/working.py:restore_lead": (
        "leads.archive",
        lambda office: (
            working.restore_lead,
            {"lead": LeadFactory(office=office, is_archived=True)},
        ),
    ),
    "leads/services/working.py:delete_lead": (
        "leads.delete",
        lambda office: (
            working.delete_lead,
            {"lead": LeadFactory(office=office, is_archived=True)},
        ),
    ),
    "leads/services/dedupe.py:merge_duplicates": (
        "leads.duplicates",
        lambda office: (
            dedupe.merge_duplicates,
            dict(zip(("keeper", "others"), _pair_as_keeper_and_others(office), strict=True)),
        ),
    ),
    "leads/services/dedupe.py:resolve_groups": (
        "leads.duplicates",
        lambda office: (
            dedupe.resolve_groups,
            {
                "choices": [
                    (pair[0].pk, [lead.pk for lead in pair]) for pair in [_duplicates(office)]
                ]
            },
        ),
    ),
    "leads/services/inbox.py:retry": (
        "controlpanel.access",
        lambda office: (inbox.retry, {"inbound_id": _inbound(InboundLead.State.FAILED)}),
    ),
    "leads/services/inbox.py:dismiss": (
        "controlpanel.access",
        lambda office: (inbox.dismiss, {"inbound_id": _inbound(InboundLead.State.FAILED)}),
    ),
    "leads/services/ingest.py:accept_inbound": (
        "leads.create",
        lambda office: (
            ingest.accept_inbound,
            {"payload": PAYLOAD, "source_key": lead_source().key},
        ),
    ),
    "leads/services/ingest.py:ingest_lead": (
        "leads.create",
        lambda office: (ingest.ingest_lead, {"payload": PAYLOAD, "source": lead_source()}),
    ),
    "leads/services/ingest.py:reactivate": (
        "leads.edit",
        lambda office: (
            ingest.reactivate,
            {"lead": LeadFactory(office=office), "fields": {}, "payload": PAYLOAD},
        ),
    ),
    "leads/services/ingest.py:process_inbound": (
        "leads.create",
        lambda office: (ingest.process_inbound, {"inbound_id": _inbound()}),
    ),
    "leads/importing.py:import_leads": (
        "leads.import",
        lambda office: (
            importing.import_leads,
            {"rows": [], "default_source": lead_source(), "default_office": office},
        ),
    ),
    "leads/services/sources.py:add_source": (
        "controlpanel.access",
        lambda office: (
            sources.add_source,
            {"key": "radio", "label": "Radio", "color": "#123456"},
        ),
    ),
    "leads/services/sources.py:update_source": (
        "controlpanel.access",
        lambda office: (
            sources.update_source,
            {
                "source": lead_source(),
                "label": "Facebook Ads",
                "color": "#123456",
                "default_office": None,
                "is_active": True,
            },
        ),
    ),
    "leads/services/sources.py:regenerate_token": (
        "controlpanel.access",
        lambda office: (sources.regenerate_token, {"source": lead_source()}),
    ),
    "leads/services/sources.py:delete_source": (
        "controlpanel.access",
        lambda office: (sources.delete_source, {"source": lead_source("yelp")}),
    ),
    "leads/services/sources.py:reorder_sources": (
        "controlpanel.access",
        lambda office: (sources.reorder_sources, {"ordered_ids": [lead_source().pk]}),
    ),
    "leads/services/snooze.py:set_snooze_steps": (
        "controlpanel.access",
        lambda office: (
            snooze.set_snooze_steps,
            {"source": lead_source(), "steps_minutes": [5, 10]},
        ),
    ),
    "leads/services/calling_hours.py:save_calling_hours": (
        "controlpanel.access",
        lambda office: (
            calling_hours.save_calling_hours,
            {"state": "FL", "start_hour": 8, "end_hour": 20},
        ),
    ),
    "leads/services/calling_hours.py:delete_calling_hours": (
        "controlpanel.access",
        lambda office: (calling_hours.delete_calling_hours, {"state": "FL"}),
    ),
    # Booking
    "booking/services/embeds.py:create_embed": (
        "controlpanel.access",
        lambda office: (booking.create_embed, embed_fields(office)),
    ),
    "booking/services/embeds.py:update_embed": (
        "controlpanel.access",
        lambda office: (
            booking.update_embed,
            {"embed": _embed(office), **embed_fields(office, name="Sliding — renamed")},
        ),
    ),
    "booking/services/embeds.py:set_live": (
        "controlpanel.access",
        lambda office: (booking.set_live, {"embed": _embed(office), "is_live": False}),
    ),
    "booking/services/embeds.py:duplicate_embed": (
        "controlpanel.access",
        lambda office: (booking.duplicate_embed, {"embed": _embed(office)}),
    ),
    "booking/services/embeds.py:delete_embed": (
        "controlpanel.access",
        lambda office: (booking.delete_embed, {"embed": _embed(office)}),
    ),
    "booking/services/submissions.py:submit_booking": (
        "leads.create",
        lambda office: (
            booking.submit_booking,
            {
                "embed": _embed(office),
                "submission_key": "form-1",
                "service": None,
                "window": _window(),
                "first_name": "Ann",
                "phone": "+13055550100",
            },
        ),
    ),
    # Contractors, service areas, priority zones, job types and partners
    "contractors/services/areas.py:add_service_area": (
        "service_areas.edit",
        lambda office: (areas.add_service_area, {"label": "Doral", "zip_code": "33172"}),
    ),
    "contractors/services/areas.py:update_service_area": (
        "service_areas.edit",
        lambda office: (
            areas.update_service_area,
            {"area": ServiceAreaFactory(), "label": "Downtown", "zip_code": "33101"},
        ),
    ),
    "contractors/services/areas.py:delete_service_area": (
        "service_areas.edit",
        lambda office: (areas.delete_service_area, {"area": ServiceAreaFactory()}),
    ),
    "contractors/services/contractors.py:save_contractor": (
        "contractors.edit",
        lambda office: (
            contractors.save_contractor,
            {
                "name": "Beta Doors",
                "job_types": [JobTypeFactory()],
                "service_areas": [ServiceAreaFactory()],
                "profit_share": 30,
            },
        ),
    ),
    "contractors/services/contractors.py:set_active": (
        "contractors.edit",
        lambda office: (
            contractors.set_active,
            {"contractor": ContractorFactory(), "is_active": False},
        ),
    ),
    "contractors/services/contractors.py:delete_contractor": (
        "contractors.edit",
        lambda office: (contractors.delete_contractor, {"contractor": ContractorFactory()}),
    ),
    "contractors/services/contractors.py:upsert_rows": (
        "contractors.edit",
        lambda office: (contractors.upsert_rows, {"rows": []}),
    ),
    "contractors/services/coverage.py:set_area_covered": (
        "contractors.edit",
        lambda office: (
            coverage.set_area_covered,
            {"contractor": ContractorFactory(), "area": ServiceAreaFactory(), "covered": True},
        ),
    ),
    "contractors/services/settings.py:save_job_type": (
        "controlpanel.access",
        lambda office: (contractor_settings.save_job_type, {"label": "Gates", "sort_order": 1}),
    ),
    "contractors/services/settings.py:delete_job_type": (
        "controlpanel.access",
        lambda office: (contractor_settings.delete_job_type, {"job_type": JobTypeFactory()}),
    ),
    "contractors/services/settings.py:save_job_partner": (
        "controlpanel.access",
        lambda office: (
            contractor_settings.save_job_partner,
            {"name": "Beta Partners", "keep_rate": Decimal("40")},
        ),
    ),
    "contractors/services/settings.py:delete_job_partner": (
        "controlpanel.access",
        lambda office: (contractor_settings.delete_job_partner, {"partner": JobPartnerFactory()}),
    ),
    "contractors/services/zones.py:save_zone": (
        "contractors.zones",
        lambda office: (zones.save_zone, _zone_fields()),
    ),
    "contractors/services/zones.py:delete_zone": (
        "contractors.zones",
        lambda office: (zones.delete_zone, {"zone": _zone()}),
    ),
    # Accounts and the Control Panel
    "crm/accounts/services.py:create_user": (
        "users.manage",
        lambda office: (
            accounts.create_user,
            {
                "email": "new@example.com",
                "first_name": "New",
                "role": Role.AGENT,
                "offices": [office],
            },
        ),
    ),
    "crm/accounts/services.py:update_user": (
        "users.manage",
        lambda office: (
            accounts.update_user,
            {
                "user": UserFactory(email="them@example.com", offices=[office]),
                "first_name": "Renamed",
                "last_name": "",
                "email": "them@example.com",
                "role": Role.AGENT,
                "offices": [office],
                "has_all_offices": False,
                "is_active": True,
            },
        ),
    ),
    "crm/accounts/services.py:set_password": (
        "users.manage",
        lambda office: (
            accounts.set_password,
            {"user": UserFactory(offices=[office]), "password": "a long new passphrase"},
        ),
    ),
    "crm/accounts/services.py:delete_user": (
        "users.manage",
        lambda office: (accounts.delete_user, {"user": UserFactory(offices=[office])}),
    ),
    "crm/accounts/services.py:create_partner_login": (
        "users.manage",
        lambda office: (
            accounts.create_partner_login,
            {
                "partner": JobPartnerFactory(),
                "email": "desk@partner.example",
                "first_name": "Desk",
                "sign_in_url": "https://crm.example/login",
            },
        ),
    ),
    "crm/accounts/services.py:set_partner_login_active": (
        "users.manage",
        lambda office: (
            accounts.set_partner_login_active,
            {"user": _partner_login(), "active": False},
        ),
    ),
    "crm/accounts/services.py:send_sign_in_link": (
        "users.manage",
        lambda office: (
            accounts.send_sign_in_link,
            {"user": _partner_login(), "sign_in_url": "https://crm.example/login"},
        ),
    ),
    "crm/accounts/services.py:add_office": (
        "controlpanel.access",
        lambda office: (accounts.add_office, {"name": "Windows"}),
    ),
    "crm/accounts/services.py:delete_office": (
        "controlpanel.access",
        lambda office: (accounts.delete_office, {"office": office}),
    ),
    "crm/accounts/services.py:set_jobs_feature": (
        "controlpanel.access",
        lambda office: (accounts.set_jobs_feature, {"office": office, "enabled": False}),
    ),
    "crm/accounts/office_email.py:save_office_email_sender": (
        "controlpanel.access",
        lambda office: (
            office_email.save_office_email_sender,
            {"office": office, "smtp_host": "smtp.gmail.com", "smtp_password": "app-pass"},
        ),
    ),
    "crm/accounts/office_email.py:send_office_test_email": (
        "controlpanel.access",
        lambda office: (
            office_email.send_office_test_email,
            {"office": office, "recipient": "owner@example.com"},
        ),
    ),
    "messaging/senders.py:set_office_sms_line": (
        "controlpanel.access",
        lambda office: (
            office_senders.set_office_sms_line,
            {"office": office, "line_id": Line.objects.create(phone="+13055550100").pk},
        ),
    ),
    "messaging/services.py:send_sms": (
        "sms.reply",
        lambda office: (
            sms.send_sms,
            {"line": _sms_line(office), "to": "3055550142", "body": "Hi", "purpose": "manual"},
        ),
    ),
    "messaging/services.py:reply": (
        "sms.reply",
        lambda office: (_as_user(sms.reply), {"thread": _sms_thread(office), "body": "Hi"}),
    ),
    "messaging/services.py:mark_resolved": (
        "sms.reply",
        lambda office: (_as_user(sms.mark_resolved), {"thread": _sms_thread(office)}),
    ),
    "messaging/services.py:mark_unread": (
        "sms.reply",
        lambda office: (_as_user(sms.mark_unread), {"thread": _sms_thread(office)}),
    ),
    "messaging/optouts.py:decide": (
        "sms.optouts",
        lambda office: (
            sms_optouts.decide,
            {"possible": _possible_opt_out(office), "opt_out_now": True},
        ),
    ),
    "messaging/numbers.py:save_ctm_settings": (
        "sms.manage",
        lambda office: (sms_numbers.save_ctm_settings, {"account_id": "12345"}),
    ),
    "messaging/numbers.py:sync": ("sms.manage", lambda office: (sms_numbers.sync, {})),
    "messaging/numbers.py:update_line": (
        "sms.manage",
        lambda office: (sms_numbers.update_line, {"line": _sms_line(office), "no_reply": True}),
    ),
    "messaging/sms_templates.py:save_template": (
        "sms.manage",
        lambda office: (sms_templates.save_template, {"name": "Running late", "body": "Hi"}),
    ),
    "messaging/sms_templates.py:delete_template": (
        "sms.manage",
        lambda office: (
            sms_templates.delete_template,
            {"template": SmsTemplate.objects.create(name="Thanks", body="Thank you!")},
        ),
    ),
    "crm/reports/services.py:save_email_settings": (
        "reports.email",
        lambda office: (
            reports.save_email_settings,
            {
                "recipients": "owner@example.com",
                "send_daily": True,
                "send_weekly": False,
                "send_monthly": False,
            },
        ),
    ),
    "crm/reports/services.py:send_test_report": (
        "reports.email",
        lambda office: (reports.send_test_report, {}),
    ),
    # AI Assistant (start_turn takes the user first: the chat's own signature)
    "crm/assistant/services.py:start_turn": (
        "assistant.use",
        lambda office: (
            lambda actor, **arguments: assistant.start_turn(actor, **arguments),
            {"message": "How many leads?", "conversation_id": None},
        ),
    ),
    "crm/assistant/services.py:set_api_key": (
        "assistant.manage",
        lambda office: (assistant.set_api_key, {"key": "sk-ant-test"}),
    ),
    "crm/assistant/services.py:set_model": (
        "assistant.manage",
        lambda office: (assistant.set_model, {"model": "claude-haiku-4-5"}),
    ),
    "crm/assistant/services.py:set_budgets": (
        "assistant.manage",
        lambda office: (assistant.set_budgets, {"caps": {Role.AGENT: Decimal("3.00")}}),
    ),
    "crm/assistant/services.py:set_prices": (
        "assistant.manage",
        lambda office: (
            assistant.set_prices,
            {
                "model": "claude-haiku-4-5",
                "input_per_mtok": Decimal("2"),
                "output_per_mtok": Decimal("6"),
                "cache_write_per_mtok": Decimal("2.50"),
                "cache_read_per_mtok": Decimal("0.20"),
            },
        ),
    ),
    "crm/assistant/services.py:conversations_for_audit": (
        "assistant.replay",
        lambda office: (assistant.conversations_for_audit, {}),
    ),
    "crm/assistant/services.py:conversation_for_replay": (
        "assistant.replay",
        lambda office: (
            assistant.conversation_for_replay,
            {
                "conversation_id": Conversation.objects.create(
                    user=UserFactory(offices=[office]), title="Hi", model="claude-sonnet-4-6"
                ).pk
            },
        ),
    ),
    "crm/controlpanel/services.py:update_app_settings": (
        "controlpanel.access",
        lambda office: (controlpanel.update_app_settings, {"escalation_timer_minutes": 20}),
    ),
    "crm/controlpanel/services.py:set_google_places_key": (
        "controlpanel.access",
        lambda office: (controlpanel.set_google_places_key, {"api_key": "AIza-test-key"}),
    ),
    # Outbound webhooks
    "automations/webhooks/endpoints.py:save_main_url": (
        "webhooks.manage",
        lambda office: (
            webhook_endpoints.save_main_url,
            {"slot": Slot.NEW_LEAD, "url": "https://hooks.example.com/new-lead"},
        ),
    ),
    "automations/webhooks/endpoints.py:set_bookback_jobs_url": (
        "webhooks.manage",
        lambda office: (
            webhook_endpoints.set_bookback_jobs_url,
            {"url": "https://hooks.example.com/bookback"},
        ),
    ),
    "automations/webhooks/endpoints.py:add_fan_out": (
        "webhooks.manage",
        lambda office: (
            webhook_endpoints.add_fan_out,
            {"slot": Slot.NEW_LEAD, "name": "Zapier", "url": "https://hooks.example.com/z"},
        ),
    ),
    "automations/webhooks/endpoints.py:update_fan_out": (
        "webhooks.manage",
        lambda office: (
            webhook_endpoints.update_fan_out,
            {"endpoint": _fan_out(), "name": "Renamed", "url": "https://hooks.example.com/r"},
        ),
    ),
    "automations/webhooks/endpoints.py:set_enabled": (
        "webhooks.manage",
        lambda office: (webhook_endpoints.set_enabled, {"endpoint": _fan_out(), "enabled": False}),
    ),
    "automations/webhooks/endpoints.py:delete_fan_out": (
        "webhooks.manage",
        lambda office: (webhook_endpoints.delete_fan_out, {"endpoint": _fan_out()}),
    ),
    "automations/webhooks/endpoints.py:rotate_secret": (
        "webhooks.manage",
        lambda office: (webhook_endpoints.rotate_secret, {"endpoint": _fan_out()}),
    ),
    "automations/webhooks/replaying.py:replay": (
        "webhooks.replay",
        lambda office: (webhook_replays.replay, {"delivery_id": _dead_delivery().pk}),
    ),
    "automations/webhooks/replaying.py:replay_all_dead": (
        "webhooks.replay",
        lambda office: (
            webhook_replays.replay_all_dead,
            {"endpoint_id": _dead_delivery().endpoint_id},
        ),
    ),
    # Automation rules
    "automations/rules/services.py:save_rule": (
        "automations.manage",
        lambda office: (automation_rules.save_rule, RULE_FIELDS),
    ),
    "automations/rules/services.py:delete_rule": (
        "automations.manage",
        lambda office: (automation_rules.delete_rule, {"rule": _rule()}),
    ),
    "automations/rules/services.py:duplicate_rule": (
        "automations.manage",
        lambda office: (automation_rules.duplicate_rule, {"rule": _rule()}),
    ),
    "automations/rules/services.py:set_enabled": (
        "automations.manage",
        lambda office: (automation_rules.set_enabled, {"rule": _rule(), "enabled": False}),
    ),
    "automations/rules/services.py:pause_all": (
        "automations.manage",
        lambda office: (automation_rules.pause_all, {}),
    ),
    "automations/rules/services.py:resume_all": (
        "automations.manage",
        lambda office: (automation_rules.resume_all, {}),
    ),
    "automations/rules/services.py:preview": (
        "automations.manage",
        lambda office: (automation_rules.preview, {"trigger": "job_created", "body": "Hi"}),
    ),
    # Finance
    "finance/services.py:update_money": (
        "finance.edit",
        lambda office: (
            finance.update_money,
            {"job": _done_job(office), "field": "parts_total", "value": Decimal("50")},
        ),
    ),
    "finance/services.py:set_contractor_paid": (
        "finance.edit",
        lambda office: (
            finance.set_contractor_paid,
            {"job": _done_job(office), "paid": False},
        ),
    ),
    "finance/services.py:set_partner_paid": (
        "finance.edit",
        lambda office: (finance.set_partner_paid, {"job": _done_job(office), "paid": True}),
    ),
    "finance/services.py:stamp_house_brand_paid": (
        "finance.edit",
        lambda office: (finance.stamp_house_brand_paid, {"job": _done_job(office)}),
    ),
    "finance/services.py:finance_cancel": (
        "finance.edit",
        lambda office: (finance.finance_cancel, {"job": _done_job(office), "reason": "Refund"}),
    ),
    "finance/services.py:undo_finance_cancel": (
        "finance.edit",
        lambda office: (finance.undo_finance_cancel, {"job": _done_job(office)}),
    ),
    "finance/services.py:save_finance_settings": (
        "controlpanel.access",
        lambda office: (finance.save_finance_settings, {"from_name": "BookBack"}),
    ),
    # Jobs
    "jobs/services/archiving.py:archive_job": (
        "jobs.archive",
        lambda office: (archiving.archive_job, {"job": _job(office)}),
    ),
    "jobs/services/archiving.py:restore_job": (
        "jobs.archive",
        lambda office: (archiving.restore_job, {"job": _job(office, is_archived=True)}),
    ),
    "jobs/services/archiving.py:delete_job": (
        "jobs.delete",
        lambda office: (archiving.delete_job, {"job": _job(office, is_archived=True)}),
    ),
    "jobs/services/creating.py:create_job": (
        "jobs.create",
        lambda office: (
            creating.create_job,
            {
                "office": office,
                "first_name": "Ann",
                "phone": "+13055550100",
                "job_type": JobTypeFactory(),
                "source": JobPartnerFactory(),
                "starts_at": _soon(),
            },
        ),
    ),
    "jobs/services/creating.py:create_job_from_lead": (
        "jobs.create",
        lambda office: (
            creating.create_job_from_lead,
            {
                "lead": LeadFactory(office=office, status=Status.CONVERTED),
                "office": office,
                "first_name": "Ann",
                "phone": "+13055550100",
                "job_type": JobTypeFactory(),
                "source": JobPartnerFactory(),
                "starts_at": _soon(),
            },
        ),
    ),
    "jobs/services/dispatch.py:assign_contractor": (
        "jobs.edit",
        lambda office: (
            dispatch.assign_contractor,
            {"job": _job(office), "contractor": ContractorFactory()},
        ),
    ),
    "jobs/services/dispatch.py:k_confirm": (
        "jobs.edit",
        lambda office: (dispatch.k_confirm, {"job": _job(office)}),
    ),
    "jobs/services/dispatch.py:clear_k_confirmation": (
        "jobs.edit",
        lambda office: (dispatch.clear_k_confirmation, {"job": _job(office)}),
    ),
    "jobs/services/editing.py:update_field": (
        "jobs.edit",
        lambda office: (
            editing.update_field,
            {"job": _job(office), "field": "notes", "value": "Gate code 12"},
        ),
    ),
    "jobs/services/editing.py:change_address": (
        "jobs.edit",
        lambda office: (
            editing.change_address,
            {"job": _job(office), "street": "1 Ocean Dr", "zip_code": "33139"},
        ),
    ),
    "jobs/services/editing.py:set_tags": (
        "jobs.tag",
        lambda office: (editing.set_tags, {"job": _job(office), "tags": [JobTagFactory()]}),
    ),
    "jobs/services/scheduling.py:change_schedule": (
        "jobs.edit",
        lambda office: (
            scheduling.change_schedule,
            {
                "job": _job(office),
                "starts_at": _soon() + TOMORROW,
                "ends_at": _soon() + TOMORROW + datetime.timedelta(hours=2),
            },
        ),
    ),
    "jobs/services/scheduling.py:rebook": (
        "jobs.edit",
        lambda office: (scheduling.rebook, {"job": _job(office, status=JobStatus.CANCELLED)}),
    ),
    "jobs/services/settings.py:save_cancel_reason": (
        "controlpanel.access",
        lambda office: (job_settings.save_cancel_reason, {"label": "Too far"}),
    ),
    "jobs/services/settings.py:delete_cancel_reason": (
        "controlpanel.access",
        lambda office: (job_settings.delete_cancel_reason, {"reason": CancelReasonFactory()}),
    ),
    "jobs/services/settings.py:save_job_tag": (
        "controlpanel.access",
        lambda office: (job_settings.save_job_tag, {"label": "VIP", "color": "#0ea5e9"}),
    ),
    "jobs/services/settings.py:delete_job_tag": (
        "controlpanel.access",
        lambda office: (job_settings.delete_job_tag, {"tag": JobTagFactory()}),
    ),
    "jobs/services/settings.py:update_jobs_settings": (
        "controlpanel.access",
        lambda office: (
            job_settings.update_jobs_settings,
            {"ask_for_update_hours": 24, "auto_advance_enabled": False, "auto_advance_offices": []},
        ),
    ),
    "jobs/services/statuses.py:change_status": (
        "jobs.edit",
        lambda office: (
            statuses.change_status,
            {
                "job": _job(office),
                "status": JobStatus.CANCELLED,
                "cancel_reason": CancelReasonFactory(),
            },
        ),
    ),
    "jobs/services/statuses.py:change_expected_completion": (
        "jobs.edit",
        lambda office: (
            statuses.change_expected_completion,
            {
                "job": _job(office, status=JobStatus.DEPOSIT),
                "expected_completion": (_soon() + TOMORROW).date(),
            },
        ),
    ),
    "jobs/services/statuses.py:reschedule_follow_up": (
        "jobs.edit",
        lambda office: (
            statuses.reschedule_follow_up,
            {"job": _job(office), "follow_up_at": _soon()},
        ),
    ),
    "jobs/services/workiz_import.py:import_jobs": (
        "jobs.import",
        lambda office: (workiz_import.import_jobs, {"rows": [], "office": office}),
    ),
    "crm/todos/services.py:create_task": (
        "tasks.create",
        lambda office: (
            todos.create_task,
            {"title": "Call back", "due_at": _soon(), "assignee_office": office},
        ),
    ),
    "crm/todos/services.py:update_task": (
        "tasks.edit",
        lambda office: (todos.update_task, {"task": _office_task(office), "title": "Renamed"}),
    ),
    "crm/todos/services.py:delete_task": (
        "tasks.edit",
        lambda office: (todos.delete_task, {"task": _office_task(office)}),
    ),
    "crm/todos/services.py:complete_task": (
        "tasks.complete",
        lambda office: (todos.complete_task, {"task_id": _office_task(office).pk}),
    ),
    "crm/todos/services.py:reopen_task": (
        "tasks.complete",
        lambda office: (todos.reopen_task, {"task_id": _office_task(office, done=True).pk}),
    ),
    "crm/todos/services.py:save_template": (
        "tasks.recurring",
        lambda office: (
            todos.save_template,
            {
                "template": None,
                "title": "Check overnight leads",
                "cadence": TaskTemplate.Cadence.DAILY,
                "time_of_day": datetime.time(8),
                "assignee_office": office,
            },
        ),
    ),
    "crm/todos/services.py:delete_template": (
        "tasks.recurring",
        lambda office: (
            todos.delete_template,
            {
                "template": TaskTemplate.objects.create(
                    title="Weekly review", time_of_day=datetime.time(9), assignee_office=office
                )
            },
        ),
    ),
}


def _office_task(office, *, done: bool = False) -> Task:
    """A task for `office` (every role there may see it), Done when asked."""
    return Task.objects.create(
        title="Check overnight leads",
        due_at=_soon(),
        assignee_office=office,
        office=office,
        done_at=timezone.now() if done else None,
    )


def _pair_as_keeper_and_others(office):
    keeper, other = _duplicates(office)
    return keeper, [other]


def _zone_fields() -> dict:
    job_type = JobTypeFactory()
    crew = ContractorFactory(job_types=[job_type])
    return {
        "name": "Miami corner",
        "job_type": job_type,
        "polygon": TRIANGLE,
        "contractor_ids": [crew.pk],
    }


def _zone():
    return zones.save_zone(actor=None, **_zone_fields())


def _actor(role, office):
    if role == Role.PARTNER:
        return UserFactory(role=role, partner=JobPartnerFactory(name="Outside Co"))
    return UserFactory(role=role, offices=[office])


def _database() -> dict:
    """Every row of every table of ours, to prove a refusal wrote nothing."""
    ours = (
        "crm",
        "leads",
        "jobs",
        "contractors",
        "booking",
        "finance",
        "messaging",
        "automations",
    )
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
        if model.__module__.split(".")[0] in ours and not model._meta.proxy
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_each_action_allows_exactly_the_roles_the_matrix_lists(name, role):
    capability, build = ACTIONS[name]
    office = OfficeFactory(name="Sliding")
    actor = _actor(role, office)
    action, arguments = build(office)
    if can(actor, capability):
        # A DomainError is a refusal on the facts: the capability check let the role by.
        with contextlib.suppress(DomainError):
            action(actor=actor, **arguments)
        return
    before = _database()
    with pytest.raises(PermissionDenied):
        action(actor=actor, **arguments)
    assert _database() == before


def test_the_table_names_every_checked_action():
    checked = {
        f"{module}:{function}"
        for module, function, _ in FUNCTIONS
        if function not in NOT_ACTIONS.get(module, {})
    }
    assert checked == set(ACTIONS)


OFFICE_SCOPED = [
    name
    for name in ACTIONS
    if name.startswith(("leads/services/working.py", "finance/services.py"))
    or name.endswith("ingest.py:reactivate")
    if ACTIONS[name][0] not in ("leads.delete", "controlpanel.access")  # the owner's: all offices
]


@pytest.mark.parametrize("name", sorted(OFFICE_SCOPED))
def test_a_record_in_another_office_is_out_of_scope_and_left_alone(name):
    capability, build = ACTIONS[name]
    action, arguments = build(OfficeFactory(name="Garage"))
    role = Role.FINANCE_ADMIN if capability == "finance.edit" else Role.ADMIN
    admin = UserFactory(role=role, offices=[OfficeFactory(name="Sliding")])
    before = _database()
    with pytest.raises(OutOfScope):
        action(actor=admin, **arguments)
    assert _database() == before


def test_an_agents_new_lead_goes_to_her_first_office_and_another_is_refused():
    garage, sliding = OfficeFactory(name="Garage"), OfficeFactory(name="Sliding")
    agent = UserFactory(role=Role.AGENT, offices=[sliding, garage])
    lead = lead_creating.create_lead(source=lead_source(), first_name="Ann", actor=agent)
    assert lead.office == garage
    with pytest.raises(PermissionDenied):
        lead_creating.create_lead(
            office=sliding, source=lead_source(), first_name="Bo", actor=agent
        )


def test_an_unclaimed_fresh_leads_phone_is_not_edited_by_another_agent():
    office = OfficeFactory(name="Sliding")
    agent = UserFactory(role=Role.AGENT, offices=[office])
    lead = LeadFactory(office=office, phone="+13055550142")
    with pytest.raises(PermissionDenied):
        working.update_field(lead=lead, actor=agent, field="phone", value="+13055550199")
    working.claim_lead(lead=lead, actor=agent)
    lead = working.update_field(lead=lead, actor=agent, field="phone", value="+13055550199")
    assert lead.phone == "+13055550199"


def test_the_system_passes_every_check():
    office = OfficeFactory(name="Sliding")
    lead = LeadFactory(office=office)
    assert working.claim_lead(lead=lead, actor=UserFactory(role=Role.AGENT, offices=[office]))
    assert working.archive_lead(lead=lead, actor=None).is_archived
