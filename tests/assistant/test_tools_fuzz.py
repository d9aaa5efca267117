"""Whatever input the model sends a tool, it gets an answer or a ToolError, never a crash."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.accounts.models import Role
from crm.assistant.tools import TOOLS, ToolError, run_tool
from tests.factories import LeadFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db
SCHEMAS = {tool["name"]: tool["input_schema"]["properties"] for tool in TOOLS}
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=40),
    st.sampled_from(
        ["2026-12-07", "fresh", "Garage", "done", "source", "9999-12-31", "0001-01-01"]
    ),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def inputs_for(name: str):
    known = st.dictionaries(st.sampled_from(sorted(SCHEMAS[name])), VALUES, max_size=5)
    stray = st.dictionaries(st.text(max_size=12), VALUES, max_size=2)
    return st.one_of(known, stray, VALUES)


@pytest.fixture
def agent():
    garage = OfficeFactory(name="Garage")
    LeadFactory(office=garage)
    return UserFactory(role=Role.AGENT, offices=[garage])


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_any_input_gets_an_answer_or_a_tool_error(agent, name):
    @given(tool_input=inputs_for(name))
    def check(tool_input):
        try:
            answer = run_tool(agent, name, tool_input)
        except ToolError as refusal:
            assert refusal.message
        else:
            assert isinstance(answer, dict)

    check()
