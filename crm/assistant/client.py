"""The one Anthropic client (AI Assistant and the AI agents).

The key comes from CP → 🤖 AI Assistant (encrypted in AppSettings), else the
ANTHROPIC_API_KEY environment setting; without either the assistant is off and nothing
is called. ANTHROPIC_BASE_URL points the SDK at a fake server in tests.
"""

import anthropic
from django.conf import settings

MODELS: dict[str, str] = {
    "claude-sonnet-4-6": "Sonnet 4.6",
    "claude-haiku-4-5": "Haiku 4.5",
    "claude-opus-4-7": "Opus 4.7",
}
DEFAULT_MODEL = "claude-sonnet-4-6"
# Anthropic's published prices, USD per million tokens: input, output, cache write
# (5-minute), cache read. They seed the owner's price table (assistant.ModelPrice).
PUBLISHED_PRICES: dict[str, tuple[str, str, str, str]] = {
    "claude-sonnet-4-6": ("3", "15", "3.75", "0.30"),
    "claude-haiku-4-5": ("1", "5", "1.25", "0.10"),
    "claude-opus-4-7": ("5", "25", "6.25", "0.50"),
}
DISABLED_MESSAGE = (
    "AI Assistant is off: the owner has not added an Anthropic API key (CP → 🤖 AI Assistant)"
)
# A turn's user waits on these calls: fail within a minute rather than retry for ten.
TIMEOUT_SECONDS = 60.0
MAX_RETRIES = 1


def api_key() -> str:
    """CP's key (an unreadable one reads as not set), else ANTHROPIC_API_KEY, else ""."""
    from crm.controlpanel.models import AppSettings

    return str(AppSettings.load().anthropic_api_key) or settings.ANTHROPIC_API_KEY or ""


def is_enabled() -> bool:
    return bool(api_key())


def current_model() -> str:
    from crm.controlpanel.models import AppSettings

    model = AppSettings.load().assistant_model
    return model if model in MODELS else DEFAULT_MODEL


def client() -> anthropic.Anthropic:
    return anthropic.Anthropic(
        api_key=api_key(),
        base_url=settings.ANTHROPIC_BASE_URL,
        timeout=TIMEOUT_SECONDS,
        max_retries=MAX_RETRIES,
    )
