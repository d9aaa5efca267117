"""Long URLs shown in narrow table cells: they wrap after a `/`, `?`, `&`, `=` or `.`
(where a reader expects a break) rather than mid-word wherever the cell ends."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
_BREAK_AFTER = re.compile(r"([/?&=.])")


@register.filter
def breakable_url(url) -> SafeString:
    """`url` escaped, with a <wbr> after each separator (`//` stays together)."""
    pieces = _BREAK_AFTER.split(str(url or "").replace("//", "\0"))
    html = "".join(
        escape(piece) + ("<wbr>" if index % 2 else "") for index, piece in enumerate(pieces)
    )
    return mark_safe(html.replace("\0", "//"))
