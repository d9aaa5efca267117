"""What an inbound text asks for: opt out, opt in, help, or maybe opt out (a person decides).

The carriers' default stop words plus REVOKE, and the FCC's 2024 order (24-18: consent may
be revoked "by any reasonable means"), keep the spec's first-word rule as a subset:
(a) a stop word as the first word; (b) in a short text (≤ 5 words) a stop word anywhere;
(c) a stop word deep in a longer text, or a phrase that reads as "stop texting me", goes
to the Possible opt-outs list. Any case, punctuation ignored, whole words only.
"""

import re
from dataclasses import dataclass

STOP_WORDS = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}
)
STOP_PAIRS = frozenset({("opt", "out")})  # "OPT OUT", "opt-out"
START_MESSAGES = frozenset({"start", "unstop", "yes", "subscribe", "optin", "opt in"})
HELP_MESSAGES = frozenset({"help", "info"})
SHORT_WORDS = 5
# Revocation without a stop word: held for review, never acted on alone.
REVOKING_PHRASES = (
    "dont text",
    "do not text",
    "dont message",
    "do not message",
    "dont contact",
    "do not contact",
    "stop texting",
    "stop messaging",
    "no more texts",
    "no more messages",
    "remove me",
    "take me off",
    "wrong number",
    "leave me alone",
    "lose my number",
)

OPT_OUT, OPT_IN, HELP, POSSIBLE = "opt_out", "opt_in", "help", "possible"


@dataclass(frozen=True)
class Verdict:
    kind: str  # OPT_OUT, OPT_IN, HELP or POSSIBLE
    word: str  # as the customer typed it ("Stop", "opt-out"), or the phrase


def _words(body: str) -> list[tuple[str, str]]:
    """(normalized, as typed) per word; apostrophes join ("don't" → "dont")."""
    typed = re.findall(r"[A-Za-z0-9']+", body.replace("’", "'"))
    return [(word.replace("'", "").lower(), word) for word in typed if word.strip("'")]


def _stop_at(words: list[tuple[str, str]], index: int) -> str:
    """The stop word (or pair) starting at `index`, as typed; "" when there is none."""
    word = words[index][0]
    if word in STOP_WORDS:
        return words[index][1]
    if index + 1 < len(words) and (word, words[index + 1][0]) in STOP_PAIRS:
        return f"{words[index][1]} {words[index + 1][1]}"
    return ""


def classify(body: str) -> Verdict | None:
    """None for an ordinary text."""
    words = _words(body)
    if not words:
        return None
    whole = " ".join(word for word, _ in words)
    typed_whole = " ".join(typed for _, typed in words)
    if whole in START_MESSAGES:
        return Verdict(OPT_IN, typed_whole)
    if whole in HELP_MESSAGES:
        return Verdict(HELP, typed_whole)
    if first := _stop_at(words, 0):
        return Verdict(OPT_OUT, first)
    anywhere = next((found for index in range(len(words)) if (found := _stop_at(words, index))), "")
    if anywhere and len(words) <= SHORT_WORDS:
        return Verdict(OPT_OUT, anywhere)
    if anywhere:
        return Verdict(POSSIBLE, anywhere)
    padded = f" {whole} "
    phrase = next((p for p in REVOKING_PHRASES if f" {p} " in padded), "")
    return Verdict(POSSIBLE, phrase) if phrase else None
