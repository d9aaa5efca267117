"""The assistant's read-only tools: `TOOLS` (the schemas sent to the model) and
`run_tool` (one call, as the user)."""

from crm.assistant.tools import jobs, leads, overview
from crm.assistant.tools.base import Inputs, Tool, ToolError
from crm.permissions import can

_ALL: list[Tool] = [*leads.TOOLS, *jobs.TOOLS, *overview.TOOLS]
_BY_NAME = {tool.name: tool for tool in _ALL}
TOOLS: list[dict] = [tool.schema for tool in _ALL]


def run_tool(user, name: str, tool_input: dict) -> dict:
    """Run tool `name` for `user`; bad input or a refused capability raise ToolError."""
    tool = _BY_NAME.get(name)
    if tool is None:
        raise ToolError(f"There is no tool named {name!r}.")
    if not isinstance(tool_input, dict):
        raise ToolError("The tool input must be a JSON object.")
    unknown = sorted(set(tool_input) - set(tool.properties))
    if unknown:
        raise ToolError(f"Unknown input {', '.join(unknown)}. Use: {', '.join(tool.properties)}.")
    missing = [field for field in tool.required if not tool_input.get(field)]
    if missing:
        raise ToolError(f"Missing input {', '.join(missing)}.")
    if not can(user, tool.capability):
        raise ToolError("This user's role can't see that data.")
    return tool.run(Inputs(user, tool_input))


__all__ = ["TOOLS", "ToolError", "run_tool"]
