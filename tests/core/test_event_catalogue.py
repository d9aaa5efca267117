"""The event catalogue: every event an action emits is listed, with exactly its fields."""

import ast
import re
from pathlib import Path

import pytest
from django.utils import timezone

from crm import events
from crm.event_catalogue import CATALOGUE, UnknownEvent
from crm.models import DomainEvent

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("booking", "contractors", "crm", "finance", "jobs", "leads", "messaging")
NAME = re.compile(r"^[a-z_]+\.[a-z_]+$")
# emit()'s own arguments: columns of the event row, not payload fields.
ROW_ARGUMENTS = {"office", "partner_name", "actor"}
# Helpers that wrap emit(): where the event name sits, and the fields they add.
WRAPPERS = {
    "emit": (0, set()),
    "emit_many": (0, set()),
    "_changed": (0, set()),
    "_settings_changed": (0, set()),
}
# emit_for(record, name, ...) adds `job` or `lead` + snapshot (and a lead's `source`)
RECORD_WRAPPERS = {"emit_for": 1}


def emit_calls():
    """(place, name or pattern, fields or None when some are passed by **) per emit call."""
    for directory in SOURCE_DIRS:
        for path in sorted((ROOT / directory).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                function = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if function in WRAPPERS:
                    position, added = WRAPPERS[function]
                elif function in RECORD_WRAPPERS:
                    position = RECORD_WRAPPERS[function]
                    record = ast.unparse(node.args[0]) if node.args else ""
                    is_lead = "lead" in record or record == "other"
                    added = {"lead", "source"} if is_lead else {"job"}
                    added |= {"snapshot"}
                else:
                    continue
                if len(node.args) <= position:
                    continue
                name = node.args[position]
                place = f"{path.relative_to(ROOT)}:{node.lineno}"
                if isinstance(name, ast.Constant) and isinstance(name.value, str):
                    pattern = re.escape(name.value)
                elif isinstance(name, ast.JoinedStr):
                    pattern = "".join(
                        re.escape(part.value) if isinstance(part, ast.Constant) else "[a-z_]+"
                        for part in name.values
                    )
                else:
                    continue  # a helper passing its own `name` parameter through
                keywords = {keyword.arg for keyword in node.keywords}
                if function == "emit_many":  # the fields are the keys of each item's dict
                    items = [item for item in ast.walk(node.args[1]) if isinstance(item, ast.Dict)]
                    # A `**spread` key is None: its fields are unknown here, as with **kwargs.
                    keywords = {
                        key.value if key else None for item in items[:1] for key in item.keys
                    }
                fields = None if None in keywords else (keywords - ROW_ARGUMENTS) | added
                yield place, pattern, fields


def test_every_catalogued_name_is_noun_dot_past_verb():
    assert [name for name in CATALOGUE if not NAME.match(name)] == []
    assert all(event.meaning.strip() for event in CATALOGUE.values())


def accepts(name: str, fields: set[str]) -> bool:
    event = CATALOGUE[name]
    return set(event.fields) <= fields <= set(event.fields) | set(event.optional)


def test_every_emit_in_the_code_names_a_catalogued_event_with_its_fields():
    calls = list(emit_calls())
    assert len(calls) > 40  # the walk found the actions
    problems = []
    for place, pattern, fields in calls:
        names = [name for name in CATALOGUE if re.fullmatch(pattern, name)]
        if not names:
            problems.append(f"{place}: {pattern} is not in the catalogue")
            continue
        # A name built at run time (f"job.{verb}") must fit at least one event it can be.
        if fields is not None and not any(accepts(name, fields) for name in names):
            problems.append(f"{place}: {pattern} sends {sorted(fields)}")
    assert problems == []


def test_no_catch_all_names_are_left():
    assert not {"settings.changed", "contractor.changed"} & set(CATALOGUE)


@pytest.mark.django_db
def test_emit_refuses_an_unknown_name():
    with pytest.raises(UnknownEvent, match="No event named 'lead.teleported'"):
        events.emit("lead.teleported", lead=1)
    assert not DomainEvent.objects.exists()


@pytest.mark.django_db
def test_emit_refuses_a_missing_or_an_unlisted_field():
    with pytest.raises(UnknownEvent, match="'lead.status_changed' is missing new, reason"):
        events.emit("lead.status_changed", lead=1, source=1, snapshot={}, old="fresh")
    with pytest.raises(UnknownEvent, match="doesn't list: colour"):
        events.emit("lead.claimed", lead=1, source=1, snapshot={}, colour="red")


# --- Behaviour: the main actions emit their event with its fields --------------------


def payload_of(name: str) -> dict:
    return DomainEvent.objects.filter(name=name).latest("pk").payload


@pytest.mark.django_db
def test_lead_actions_emit_their_events_with_their_fields():
    from leads.payloads import lead_snapshot
    from leads.services import change_status, claim_lead
    from tests.factories import LeadFactory, UserFactory

    lead = LeadFactory()
    agent = UserFactory(role="agent", offices=[lead.office])
    claim_lead(lead=lead, actor=agent)
    assert payload_of("lead.claimed") == {
        "lead": lead.pk,
        "source": lead.source_id,
        "snapshot": lead_snapshot(lead),
    }
    change_status(lead=lead, actor=agent, status="irrelevant", reason="Spam")
    payload = payload_of("lead.status_changed")
    assert payload["lead"] == lead.pk
    assert (payload["new"], payload["reason"]) == ("irrelevant", "Spam")


@pytest.mark.django_db
def test_settings_actions_emit_specific_events_instead_of_a_catch_all():
    from contractors.services.settings import save_job_type
    from crm.controlpanel.services import update_app_settings
    from tests.factories import UserFactory

    owner = UserFactory(role="owner")
    job_type = save_job_type(actor=owner, label="Patio Door", sort_order=1)
    assert payload_of("job_type.saved") == {"job_type_id": job_type.pk}
    update_app_settings(actor=owner, escalation_timer_minutes=7)
    assert payload_of("app_settings.saved") == {"escalation_timer_minutes": 7}
    assert not DomainEvent.objects.filter(name="settings.changed").exists()
    assert DomainEvent.objects.filter(created_at__lte=timezone.now()).count() == 2
