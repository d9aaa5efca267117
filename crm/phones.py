"""Phone numbers: stored as E.164, matched on the last 10 digits."""

import re

import phonenumbers


def normalize_phone(raw: str) -> str:
    """E.164 for a valid number (US by default); raises ValueError with a plain message.

    Placeholders such as 123-123-1234 fail the numbering-plan check and are refused.
    """
    digits = re.sub(r"[^\d+]", "", raw or "")
    if not digits:
        raise ValueError("Enter a phone number.")
    try:
        number = phonenumbers.parse(digits, "US")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{raw} is not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"{raw} is not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def last10(phone: str) -> str:
    return re.sub(r"\D", "", phone or "")[-10:]


def pretty(phone: str) -> str:
    """(305) 555-0142 for US numbers, E.164 otherwise."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 11 and digits.startswith("1"):
        return f"({digits[1:4]}) {digits[4:7]}-{digits[7:]}"
    return phone or ""


def masked(phone: str) -> str:
    """The area code only: enough to guess a time zone, useless for dialling."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 11 and digits.startswith("1"):
        return f"({digits[1:4]}) •••-••••"
    return "•••-•••-••••" if digits else ""
