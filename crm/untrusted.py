"""Text and JSON from the outside world, made safe to store before anything else reads it.

Postgres refuses NUL in text and JSON, and no encoder can write a lone UTF-16 surrogate
(JSON's "\\ud800" decodes to one): either would fail the insert long after a partner was
told "success". They carry no meaning in a name or a note, so they are removed.
"""

import json
import math

MAX_DEPTH = 20


class UntrustedInputError(ValueError):
    """The input cannot be used at all; the message says why, for the sender."""


def clean_text(text: str) -> str:
    """`text` without NUL characters and lone surrogates (valid pairs were joined by now)."""
    if text.isascii():
        return text.replace("\x00", "")
    return text.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8")


def clean_json(value, *, max_depth: int = MAX_DEPTH, _depth: int = 0):
    """A decoded JSON value with every string (keys too) cleaned; refuses deep nesting."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict | list):
        if _depth >= max_depth:
            raise UntrustedInputError(f"The JSON is nested deeper than {max_depth} levels.")
        if isinstance(value, list):
            return [clean_json(item, max_depth=max_depth, _depth=_depth + 1) for item in value]
        return {
            clean_text(str(key)): clean_json(item, max_depth=max_depth, _depth=_depth + 1)
            for key, item in value.items()
        }
    return value


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e400: JSON columns cannot store infinity
        raise UntrustedInputError(f"The number {text[:20]} is out of range.")
    return number


def _no_constants(name: str):
    raise UntrustedInputError(f"{name} is not a JSON value.")


def load_json(body: bytes, *, max_depth: int = MAX_DEPTH):
    """Decode and clean a JSON body; UntrustedInputError for anything unusable."""
    try:
        value = json.loads(body, parse_float=_finite_float, parse_constant=_no_constants)
    except UntrustedInputError:
        raise
    except RecursionError as error:
        raise UntrustedInputError(f"The JSON is nested deeper than {max_depth} levels.") from error
    except ValueError as error:  # also UnicodeDecodeError and ints over 4,300 digits
        raise UntrustedInputError("The body is not valid JSON.") from error
    return clean_json(value, max_depth=max_depth)
