"""What a model call costs, from the owner's price table (USD per million tokens)."""

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from crm.assistant.client import PUBLISHED_PRICES
from crm.assistant.models import ModelPrice

MILLION = Decimal(1_000_000)
PRICE_FIELDS = ("input_per_mtok", "output_per_mtok", "cache_write_per_mtok", "cache_read_per_mtok")
MICRO_DOLLARS = Decimal("0.000001")  # the ledger's precision (AICall.cost, DailySpend)


@dataclass(frozen=True)
class Usage:
    """Token counts as the API's `usage` reports them: input excludes cached tokens."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_tokens: int = 0
    cache_read_tokens: int = 0

    @classmethod
    def of(cls, usage) -> "Usage":
        """From the SDK's `Usage` (cache counts may be None)."""
        return cls(
            input_tokens=usage.input_tokens or 0,
            output_tokens=usage.output_tokens or 0,
            cache_creation_tokens=usage.cache_creation_input_tokens or 0,
            cache_read_tokens=usage.cache_read_input_tokens or 0,
        )


def price_of(model: str) -> ModelPrice:
    """The model's row; a missing one (a flushed table) comes back at the published prices."""
    price, _ = ModelPrice.objects.get_or_create(model=model, defaults=published(model))
    return price


def published(model: str) -> dict[str, Decimal]:
    """The model's published prices as ModelPrice field values."""
    return dict(zip(PRICE_FIELDS, map(Decimal, PUBLISHED_PRICES[model]), strict=True))


def cost(price: ModelPrice, usage: Usage) -> Decimal:
    """Each kind of token at its price, summed, rounded half-up to a millionth of a dollar."""
    total = (
        usage.input_tokens * price.input_per_mtok
        + usage.output_tokens * price.output_per_mtok
        + usage.cache_creation_tokens * price.cache_write_per_mtok
        + usage.cache_read_tokens * price.cache_read_per_mtok
    )
    return (total / MILLION).quantize(MICRO_DOLLARS, rounding=ROUND_HALF_UP)


def worst_case(price: ModelPrice, *, prompt_tokens: int, max_tokens: int) -> Decimal:
    """The most the next call can cost: the whole prompt at the dearer of input and cache
    write, and every output token it may write."""
    dearest_input = max(price.input_per_mtok, price.cache_write_per_mtok)
    total = prompt_tokens * dearest_input + max_tokens * price.output_per_mtok
    return (total / MILLION).quantize(MICRO_DOLLARS, rounding=ROUND_HALF_UP)


def estimate_prompt_tokens(request: dict) -> int:
    """An upper estimate of the prompt's tokens without asking the API: a token is rarely
    under 3 characters of JSON-encoded text (English runs about 4)."""
    size = len(json.dumps(request, ensure_ascii=False, separators=(",", ":")))
    return size // 3 + 1
