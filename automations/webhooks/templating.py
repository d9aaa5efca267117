"""`{{Variable}}` templates of the request builder (spec: "Outbound webhooks → Custom
request builder"): the variables a fan-out may use, which of a text's are unknown, and
rendering one against an event's standard payload.

A variable is a standard payload field name in double braces; spaces inside the braces
are allowed (`{{ FirstName }}`). Unknown names are refused when a fan-out is saved
(`unknown_variables`); at send time an unknown or empty one renders "".
"""

import re

# The standard payload's fields in the spec's order ("Payload includes"), then what the
# job snapshot adds (ExpectedCompletionDate, Office), the lead-only extras and the
# finance-cancel extras.
VARIABLES: list[str] = [
    "UUID",
    "SerialId",
    "JobDateTime",
    "JobEndDateTime",
    "CreatedDate",
    "Status",
    "Phone",
    "Email",
    "FirstName",
    "LastName",
    "Company",
    "Address",
    "City",
    "State",
    "PostalCode",
    "Country",
    "Unit",
    "Latitude",
    "Longitude",
    "JobType",
    "JobSource",
    "ServiceArea",
    "Tags",
    "Team",
    "AreaCode",
    "OfficeAddress",
    "DepositAmount",
    "DisplayId",
    "ExpectedCompletionDate",
    "LeadId",
    "Office",
    "Urgency",
    "Campaign",
    "FbLeadId",
    "IrrelevantReason",
    "FinanceCancelReason",
    "FinanceCancelNote",
    "FinanceCancelledAt",
    "FinanceCancelledBy",
]
_KNOWN = frozenset(VARIABLES)
# `{{ anything }}` up to the first closing braces: a name with spaces or symbols inside is
# a variable too (an unknown one), so a typo is reported rather than sent as text.
_VARIABLE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def unknown_variables(text: str) -> list[str]:
    """The names inside `{{…}}` in `text` that are no standard payload field, each once,
    in the order they first appear."""
    unknown: list[str] = []
    for match in _VARIABLE.finditer(text or ""):
        name = match.group(1).strip()
        if name not in _KNOWN and name not in unknown:
            unknown.append(name)
    return unknown


def value_text(value) -> str:
    """A payload value as text: lists (Tags) joined with ", ", None as ""."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(value_text(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render(text: str, payload: dict) -> str:
    """`text` with each `{{Variable}}` replaced by the payload's value; unknown names and
    fields the payload lacks or leaves empty become ""."""

    def replace(match: re.Match) -> str:
        name = match.group(1).strip()
        return value_text(payload.get(name)) if name in _KNOWN else ""

    return _VARIABLE.sub(replace, text or "")
