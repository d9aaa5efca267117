"""Every action that writes booking data: the embed builder's (CP, owner) and the widget's
submit. Views, the widget and tests call these."""

from booking.services.embeds import (
    COLOR_PATTERN,
    FIELDS,
    MAX_CALLOUTS,
    MAX_SERVICES,
    EmbedError,
    create_embed,
    delete_embed,
    duplicate_embed,
    embed_problems,
    normalize_domains,
    problems_in,
    set_live,
    update_embed,
)
from booking.services.submissions import (
    UTM_KEYS,
    allow_submission,
    booking_notes,
    booking_source,
    record_honeypot,
    submit_booking,
    thank_you_text,
)

__all__ = [
    "COLOR_PATTERN",
    "FIELDS",
    "MAX_CALLOUTS",
    "MAX_SERVICES",
    "UTM_KEYS",
    "EmbedError",
    "allow_submission",
    "booking_notes",
    "booking_source",
    "create_embed",
    "delete_embed",
    "duplicate_embed",
    "embed_problems",
    "normalize_domains",
    "problems_in",
    "record_honeypot",
    "set_live",
    "submit_booking",
    "thank_you_text",
    "update_embed",
]
