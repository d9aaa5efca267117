"""The assistant's answers as HTML: Markdown (tables included) whose raw HTML stays text.

The model writes Markdown, but what it writes can quote CRM data typed by anyone (a lead
named `<script>`, a note with `<img onerror>`). So the Markdown parser is not allowed to
pass HTML through at all: its raw-HTML block and inline rules are removed, and such text
comes out escaped, as the user typed it. nh3 then keeps only the tags Markdown itself
makes and drops unsafe link schemes (`javascript:`), a second lock should a Markdown
extension ever emit something else. Nothing in the result runs under the page's CSP.
"""

import json

import markdown
import nh3
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

from crm.assistant.services import tool_summary

EXTENSIONS = ["tables", "fenced_code", "sane_lists"]
# `align` instead of style="text-align: …" on table cells: the cleaner keeps no styles.
EXTENSION_CONFIGS = {"tables": {"use_align_attribute": True}}
TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


def _parser() -> markdown.Markdown:
    # A new parser per answer: a Markdown instance keeps state and is not thread-safe
    # (gunicorn's gthread workers serve several requests at once).
    parser = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    parser.preprocessors.deregister("html_block")
    parser.inlinePatterns.deregister("html")
    return parser


def render_markdown(text: str) -> SafeString:
    """`text` (the model's Markdown) as clean HTML: tables, lists, code; no raw HTML."""
    html = _parser().convert(text or "")
    cleaned = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # cleaned by nh3 against the allowlist above


def present_turns(turns) -> list:
    """Turns ready for `assistant/_partials/turn.html` (the panel, the stream's last event
    and the owner's replay all draw them with it): the answer as HTML and a chip per tool
    call, in the order the model asked for them. Reads each turn's prefetched `tool_calls`."""
    for turn in turns:
        turn.answer_html = render_markdown(turn.answer)
        turn.chips = [
            {
                "id": tool_call.tool_use_id,
                "name": tool_call.name,
                "summary": tool_summary(tool_call.name, tool_call.input),
                "arguments": chip_arguments(tool_call.name, tool_call.input),
                "input_json": _pretty(tool_call.input),
                "output_json": _pretty(tool_call.output),
                "error": tool_call.error,
            }
            for tool_call in turn.tool_calls.all()
        ]
    return turns


def chip_arguments(name: str, tool_input) -> str:
    """The chip's short arguments: the summary without the tool's name, which the chip
    shows apart ("office=Garage, status=fresh")."""
    summary = tool_summary(name, tool_input)
    return "" if summary == name else summary.removeprefix(f"{name} · ")


def _pretty(value) -> str:
    # As the panel's script prints a streamed chip (JSON.stringify(value, null, 2)).
    return json.dumps(value, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder)
