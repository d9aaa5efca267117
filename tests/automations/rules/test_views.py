"""CP → 🤖 Automations pages: owner only; a rule built, edited, duplicated, toggled and
deleted through the pages; refusals shown beside the form with nothing saved; the + var
picker per trigger; the live preview; ⏸ Pause All and its banner; query counts pinned."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from automations.rules import services
from automations.rules.models import AutomationSettings, Rule
from crm.accounts.models import Role
from crm.controlpanel.tiles import visible_tiles
from crm.timeline.models import AuditEvent
from tests.factories import (
    ContractorFactory,
    JobFactory,
    JobPartnerFactory,
    JobTypeFactory,
    LeadFactory,
    OfficeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
OTHER_ROLES = [Role.ADMIN, Role.FINANCE_ADMIN, Role.AGENT, Role.VIEWER, Role.PARTNER]
LIST = reverse("rules:list")
NEW = reverse("rules:new")
PREVIEW = reverse("rules:preview")
BANNER = "⏸ Automations are PAUSED — no rules will fire until you resume."
SPEC_BODY = (
    "Hi {{contractor.name}}, new job {{job.displayId}} on {{job.dateStart}} at "
    "{{job.timeStart}} — {{job.address}}. Client: {{client.fullName}} {{client.phone}}."
)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def make_rule(owner, **fields) -> Rule:
    values = {
        "name": "Text the contractor",
        "trigger": "job_created",
        "recipient": "contractor",
        "channel": "sms",
        "body": "New job {{job.displayId}}",
        **fields,
    }
    return services.save_rule(actor=owner, **values)


def editor_post(**fields) -> dict:
    """What the editor posts for the spec's example rule, with `fields` over it."""
    return {
        "name": "Garage: text the contractor",
        "enabled": "on",
        "trigger": "job_created",
        "offset_unit": "hours",
        "recipient": "contractor",
        "channel": "sms",
        "body": SPEC_BODY,
        **fields,
    }


# --- access ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_page_and_action_is_refused_to_everyone_but_the_owner(client, owner, role):
    rule = make_rule(owner)
    client.force_login(UserFactory(role=role, partner_name="GDQ"))
    for url in (LIST, NEW, PREVIEW, reverse("rules:log"), reverse("rules:edit", args=[rule.pk])):
        assert client.get(url).status_code == 403
    for name in ("enabled", "duplicate", "delete"):
        assert client.post(reverse(f"rules:{name}", args=[rule.pk])).status_code == 403
    for name in ("pause", "resume"):
        assert client.post(reverse(f"rules:{name}")).status_code == 403
    assert client.post(NEW, editor_post()).status_code == 403
    assert Rule.objects.count() == 1
    assert not AutomationSettings.load().paused


def test_the_owner_finds_automations_under_automations_and_integrations(owner_client):
    groups = dict(visible_tiles())
    tiles = {entry["tile"].title: entry["url"] for entry in groups["Automations & Integrations"]}
    assert tiles["Automations"] == LIST
    assertContains(owner_client.get(reverse("controlpanel:index")), "🤖")


# --- the list -------------------------------------------------------------------------


def test_the_list_shows_trigger_target_offset_quiet_hours_and_fire_count(owner_client, owner):
    garage = OfficeFactory(name="Garage")
    make_rule(
        owner,
        name="Done thanks",
        trigger="job_status_changed",
        target_status="done",
        recipient="client",
        offices=[garage.pk],
    )
    reminder = make_rule(
        owner,
        name="Reminder",
        trigger="before_job_start",
        offset_amount=24,
        offset_unit="hours",
        recipient="client",
        respect_quiet_hours=True,
    )
    Rule.objects.filter(pk=reminder.pk).update(fire_count=7)
    make_rule(owner, name="On call", recipient="static", static_to="+13055550199")

    response = owner_client.get(LIST)

    assertContains(response, "Job Status Changed → Done")
    assertContains(response, "Office = Garage")
    assertContains(response, "24 hours before the job appointment")
    assertContains(response, "🌙 QH", count=1)
    assertContains(response, "SMS → (305) 555-0199")
    assertContains(response, '<td class="num">7</td>', html=True)
    assertNotContains(response, BANNER)


def test_the_list_costs_the_same_queries_for_one_rule_or_many(
    owner_client, owner, django_assert_num_queries
):
    office = OfficeFactory()
    make_rule(owner, offices=[office.pk])
    owner_client.get(LIST)  # warm the settings cache
    with django_assert_num_queries(7) as one:
        owner_client.get(LIST)
    for n in range(6):
        make_rule(owner, name=f"Rule {n}", offices=[office.pk], job_types=[JobTypeFactory().pk])
    with django_assert_num_queries(len(one.captured_queries)):
        response = owner_client.get(LIST)
    assertContains(response, "Rule 5")


def test_the_enabled_toggle_switches_a_rule_off_and_on_in_its_row(owner_client, owner):
    rule = make_rule(owner)
    url = reverse("rules:enabled", args=[rule.pk])

    response = owner_client.post(url, {}, headers={"HX-Request": "true"})

    assertContains(response, f'id="rule-{rule.pk}"')
    assertContains(response, "Off")
    rule.refresh_from_db()
    assert not rule.enabled
    owner_client.post(url, {"enabled": "on"}, headers={"HX-Request": "true"})
    rule.refresh_from_db()
    assert rule.enabled


def test_duplicate_opens_the_disabled_copy_in_the_editor(owner_client, owner):
    rule = make_rule(owner, name="Welcome")

    response = owner_client.post(reverse("rules:duplicate", args=[rule.pk]), follow=True)

    copy = Rule.objects.exclude(pk=rule.pk).get()
    assert copy.name == "Welcome (copy)" and not copy.enabled
    assert response.redirect_chain[-1][0] == reverse("rules:edit", args=[copy.pk])
    assertContains(response, "Welcome (copy)")


def test_delete_removes_the_rule_and_says_so(owner_client, owner):
    rule = make_rule(owner, name="Old rule")

    response = owner_client.post(reverse("rules:delete", args=[rule.pk]), follow=True)

    assert not Rule.objects.exists()
    assertContains(response, "Automation Old rule deleted.")
    assertContains(response, "No automations yet")


def test_pause_all_shows_the_red_banner_and_resume_all_takes_it_away(owner_client, owner):
    make_rule(owner)

    response = owner_client.post(reverse("rules:pause"), follow=True)

    assertContains(response, BANNER)
    assertContains(response, "▶ Resume All")
    assert AutomationSettings.load().paused
    assert AuditEvent.objects.filter(kind="automations.paused").exists()

    response = owner_client.post(reverse("rules:resume"), follow=True)

    assertNotContains(response, BANNER)
    assertContains(response, "⏸ Pause All")
    assert not AutomationSettings.load().paused


def test_pause_and_resume_ask_for_confirmation_first(owner_client):
    assertContains(owner_client.get(LIST), 'data-confirm="Pause all automations?')


# --- the editor -----------------------------------------------------------------------


def test_the_owner_builds_the_spec_example_rule_through_the_editor(owner_client):
    garage = OfficeFactory(name="Garage")

    response = owner_client.post(NEW, editor_post(offices=[garage.pk]), follow=True)

    rule = Rule.objects.get()
    assert rule.trigger == "job_created" and rule.recipient == "contractor"
    assert list(rule.offices.all()) == [garage]
    assert rule.body == SPEC_BODY
    assert rule.subject == "" and rule.static_to == ""
    assertContains(response, "Automation Garage: text the contractor saved.")
    assert AuditEvent.objects.filter(kind="automation.added").exists()


def test_editing_a_rule_keeps_only_its_trigger_groups_rows(owner_client, owner):
    rule = make_rule(owner, job_types=[JobTypeFactory().pk])
    partner = JobPartnerFactory()
    lead_source = LeadFactory().source

    owner_client.post(
        reverse("rules:edit", args=[rule.pk]),
        editor_post(
            name="Lead follow-up",
            trigger="lead_status_changed",
            lead_target_status="needs_follow_up",
            job_target_status="done",
            recipient="client",
            channel="email",
            subject="Hi {{lead.firstName}}",
            body="We will call you back, {{client.firstName}}.",
            job_sources=[partner.pk],
            lead_sources=[lead_source.pk],
            lead_statuses=["needs_follow_up"],
            job_statuses=["done"],
        ),
    )

    rule.refresh_from_db()
    assert rule.name == "Lead follow-up" and rule.trigger == "lead_status_changed"
    assert rule.target_status == "needs_follow_up"
    assert rule.statuses == ["needs_follow_up"]
    assert list(rule.lead_sources.all()) == [lead_source]
    assert not rule.job_sources.exists() and not rule.job_types.exists()
    assert rule.subject == "Hi {{lead.firstName}}"


def test_the_edit_page_shows_the_rule_as_saved(owner_client, owner):
    rule = make_rule(
        owner,
        name="Reminder",
        trigger="before_job_start",
        offset_amount=2,
        offset_unit="days",
        recipient="static",
        static_to="+13055550142",
        statuses=["submitted"],
    )

    response = owner_client.get(reverse("rules:edit", args=[rule.pk]))

    assertContains(response, 'value="Reminder"')
    assertContains(response, 'name="offset_amount" value="2"')
    assertContains(response, '<option value="days" selected>days</option>', html=True)
    assertContains(response, 'value="+13055550142"')
    assertContains(response, 'value="submitted" checked')


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (
            {"trigger": "lead_created", "body": "Hi {{client.firstName}}"},
            "Lead triggers can&#x27;t use the Assigned Contractor recipient",
        ),
        ({"body": "Hi {{lead.firstName}}"}, "lead.firstName"),
        ({"body": "Hi {{job.nope}}"}, "job.nope"),
        ({"recipient": "static", "static_to": "not a phone"}, "Static address"),
        ({"trigger": "job_status_changed"}, "Pick the status being entered"),
        ({"trigger": "after_job_end", "offset_amount": ""}, "offset"),
        ({"channel": "email", "recipient": "client"}, "Give the email a subject."),
    ],
)
def test_a_refused_rule_comes_back_with_its_reason_and_nothing_saved(owner_client, fields, reason):
    response = owner_client.post(NEW, editor_post(**fields))

    assert response.status_code == 200
    assertContains(response, 'class="alert alert--error"')
    assertContains(response, reason)
    assert not Rule.objects.exists()


def test_a_refused_edit_leaves_the_rule_as_it_was(owner_client, owner):
    rule = make_rule(owner, name="Keep me")

    response = owner_client.post(
        reverse("rules:edit", args=[rule.pk]),
        editor_post(name="Changed", body="{{lead.phone}}"),
    )

    assertContains(response, "lead.phone")
    rule.refresh_from_db()
    assert rule.name == "Keep me"


def test_the_var_picker_offers_only_the_triggers_variables(owner_client):
    job_page = owner_client.get(NEW, {"trigger": "job_created"}).content.decode()
    lead_page = owner_client.get(NEW, {"trigger": "lead_created"}).content.decode()
    picker = '<option value="{name}">{name}</option>'

    for name in ("job.displayId", "contractor.name", "client.phone", "office.name"):
        assert picker.format(name=name) in job_page
        assert picker.format(name=name) not in lead_page or name.startswith(("client", "office"))
    for name in ("lead.fullName", "lead.adName"):
        assert picker.format(name=name) in lead_page
        assert picker.format(name=name) not in job_page


def test_a_lead_trigger_disables_the_assigned_contractor_recipient(owner_client):
    lead_page = owner_client.get(NEW, {"trigger": "lead_created"})
    job_page = owner_client.get(NEW, {"trigger": "job_created"})

    assertContains(lead_page, '<option value="contractor" disabled>', count=1)
    assertNotContains(job_page, '<option value="contractor" disabled>')


def test_rows_the_trigger_does_not_use_start_hidden(owner_client):
    page = owner_client.get(NEW, {"trigger": "lead_status_changed"}).content.decode()

    assert 'data-rule-part="status_lead">' in page
    assert 'data-rule-part="status_job" hidden>' in page
    assert 'data-rule-part="time" hidden>' in page
    assert 'data-rule-part="job" hidden>' in page


# --- the live preview -----------------------------------------------------------------


def test_the_preview_renders_the_body_against_the_newest_job(owner_client):
    contractor = ContractorFactory(name="Sam Fixit")
    job = JobFactory(contractor=contractor, first_name="Ann", last_name="Lee")

    response = owner_client.get(
        PREVIEW,
        {
            "trigger": "job_created",
            "channel": "sms",
            "body": "Hi {{contractor.name}}: {{client.fullName}}",
        },
        headers={"HX-Request": "true"},
    )

    assertContains(response, "Hi Sam Fixit: Ann Lee")
    assertContains(response, job.display_id)


def test_the_preview_shows_the_email_subject_only_for_email(owner_client):
    LeadFactory(first_name="Rita")
    query = {"trigger": "lead_created", "subject": "For {{lead.firstName}}", "body": "x"}

    email = owner_client.get(PREVIEW, {**query, "channel": "email"})
    sms = owner_client.get(PREVIEW, {**query, "channel": "sms"})

    assertContains(email, "For Rita")
    assertNotContains(sms, "For Rita")


def test_the_preview_names_an_unknown_variable(owner_client):
    response = owner_client.get(PREVIEW, {"trigger": "lead_created", "body": "{{job.id}}"})

    assertContains(response, "job.id")
    assertContains(response, 'role="alert"')


def test_the_preview_without_a_record_says_the_variables_render_empty(owner_client):
    response = owner_client.get(PREVIEW, {"trigger": "job_created", "body": "Job {{job.id}}."})

    assertContains(response, "No job yet")
    assertContains(response, "Job .")


def test_another_owners_pause_reaches_an_open_list_on_the_live_sync_tick(owner_client, owner):
    page = owner_client.get(LIST)
    assertContains(page, 'hx-trigger="bookback:changed from:body"')
    services.pause_all(actor=UserFactory(role=Role.OWNER))

    body = owner_client.get(LIST, {"partial": "body"}, headers={"HX-Request": "true"})

    assertContains(body, BANNER)
    assertContains(body, 'id="rules-body"')
    assertNotContains(body, "<html")
