"""Property: whatever a signed-in agent puts in the 📊 Reports query string (tab, period,
dates, offices, block), the answer is never a 5xx. `make fuzz` runs it long."""

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from crm.accounts.models import Role
from tests.factories import OfficeFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

# Every unicode category but lone surrogates (a browser cannot send them); NUL is frequent.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30) | st.sampled_from(
    ["", "\x00", "²", "٣", "9" * 5000, "-1", "jobs", "leads", "custom", "week", "today",
     "2026-02-30", "2026-12-01", "0001-01-01", "9999-12-31", "kpis", "jobs_daily", "x" * 2000]
)  # fmt: skip


@pytest.fixture
def agent_client(client):
    garage = OfficeFactory(name="Garage")
    OfficeFactory(name="Joes Doors FL", is_jobs_enabled=False)
    client.force_login(UserFactory(role=Role.AGENT, offices=[garage]))
    return client


@given(
    tab=any_text,
    period=any_text,
    start=any_text,
    end=any_text,
    offices=st.lists(any_text, max_size=3),
    block=any_text,
)
def test_no_query_string_gets_a_server_error(agent_client, tab, period, start, end, offices, block):
    query = {"tab": tab, "period": period, "start": start, "end": end, "office": offices}
    modal = agent_client.get("/reports", query, headers={"HX-Request": "true"})
    export = agent_client.get("/reports/export.xlsx", {**query, "block": block})
    event(f"modal {modal.status_code}, export {export.status_code}")
    assert modal.status_code == 200
    assert export.status_code in (200, 400, 404)
