"""SMS providers: each sends a text, and the CTM one also lists numbers and recent calls.

`active()` picks the one in use: Twilio when SMS_PROVIDER=twilio, CTM while its account
and keys are set, else the console (development, and any install without credentials).
"""

from django.conf import settings

from messaging.models import MessagingSettings
from messaging.providers.base import OutboundFile, Provider, SendFailed


def active() -> Provider:
    from messaging.providers import console, ctm, twilio

    if settings.SMS_PROVIDER == "twilio":
        if settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN:
            return twilio.TwilioProvider()
        return console.ConsoleProvider()
    stored = MessagingSettings.load()
    if settings.SMS_PROVIDER == "ctm" and stored.has_ctm_credentials:
        return ctm.CtmProvider.from_settings(stored)
    return console.ConsoleProvider()


__all__ = ["OutboundFile", "Provider", "SendFailed", "active"]
