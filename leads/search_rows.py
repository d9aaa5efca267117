"""The Leads dashboard's search: matches ranked by similarity, best first (Postgres; newest
first on SQLite), among the SEARCH_CAP newest matches, paged by offset.

Building the ranked queryset (a match per word over five columns, five similarities, a
window count) and compiling it cost ~3 ms a request at Postgres, more than a third of
running it at 1,000,000 leads. Its SQL depends on the scope, the filters and the kind of
each word, not on the words: so a statement is compiled once per shape with stand-in
words, and each search swaps its own words (and the forms made of them: upper case,
LIKE patterns, digits) in for theirs (as leads.listing does with the clock).
"""

import re

from django.db import connection
from django.db.models import Count, F, Subquery, Value, Window
from django.db.models.functions import Concat, Greatest

from leads.listing import PAGE_SIZE, ROW_FIELDS, SEARCH_CAP, run_statement

_COMPILED: dict = {}
_STAND_IN = "zqxw{letter}stand{digits}"  # `digits`: unique per word, so each maps back


def ranked_rows(leads, text: str, *, offset: int, size=PAGE_SIZE, shape=None) -> list[dict]:
    """Up to size + 1 matches of `text` from `offset`, best first, each with the number of
    ranked candidates as "total" (at most SEARCH_CAP). One statement: the candidates come
    from the search indexes unordered, so only they are ranked and sorted. `shape`: the key
    of `leads` (`leads.listing.scope_shape`), to reuse the statement compiled for it."""
    text = " ".join(text.split())
    if shape is None or connection.vendor != "postgresql":
        return list(_ranked(leads, text)[offset : offset + size + 1])
    words = text.split()
    key = (shape, tuple(_kind(word) for word in words), offset, size)
    if key not in _COMPILED:
        if len(_COMPILED) >= 1_000:
            _COMPILED.clear()
        stand_ins = [_stand_in(number, word) for number, word in enumerate(words)]
        rows = _ranked(leads, " ".join(stand_ins))[offset : offset + size + 1]
        _COMPILED[key] = _with_slots(rows, stand_ins)
    compiled = _COMPILED[key]
    if compiled is None:  # a parameter no stand-in explains: compiled afresh each time
        return list(_ranked(leads, text)[offset : offset + size + 1])
    sql, params, slots, names, converters = compiled
    params = list(params)
    values = _forms(" ".join(words), words)
    for index, form in slots:
        params[index] = values[form]
    return run_statement((sql, params, names, converters), backwards=False)


def _ranked(leads, text: str):
    # Newest first: a common word walks the time index until SEARCH_CAP matches, a rare one
    # is read from the trigram indexes (the planner picks by how common it is).
    candidates = leads.search(text).order_by("-received_at").values("pk")[:SEARCH_CAP]
    rows = leads.model.objects.filter(pk__in=Subquery(candidates))
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity

        rank = Greatest(
            TrigramSimilarity("first_name", text),
            TrigramSimilarity("last_name", text),
            TrigramSimilarity(Concat("first_name", Value(" "), "last_name"), text),
            TrigramWordSimilarity(text, "email"),
            TrigramWordSimilarity(text, "campaign"),
        )
    else:
        rank = Value(0.0)
    return (
        rows.annotate(rank=rank, total=Window(Count("id")), tier=Value(0))
        .values(*ROW_FIELDS, "tier", "rank", "total")
        .order_by("-rank", F("received_at").desc(), F("id").desc())
    )


def _kind(word: str) -> tuple[int, bool]:
    """What shapes a word's SQL in `Lead.search`: too short to search (under 3 characters),
    and whether it holds a phone fragment (3 digits or more)."""
    return min(len(word), 3), sum(ch.isdigit() for ch in word) >= 3


def _stand_in(number: int, word: str) -> str:
    """A word of `word`'s kind that no real search would hold."""
    length, has_phone = _kind(word)
    if length < 3:
        return "qz"[:length]
    digits = f"9{number}7" if has_phone else ""
    return _STAND_IN.format(letter="abcdefghij"[number % 10], digits=digits)


def _forms(text: str, words: list[str]) -> dict[tuple, str]:
    """Every parameter `Lead.search` and the ranking make of the text and of its words."""
    like = connection.ops.prep_for_like_query
    forms = {("text",): text}
    for number, word in enumerate(words):
        digits = "".join(ch for ch in word if ch.isdigit())
        forms |= {
            ("upper", number): word.upper(),
            ("contains", number): f"%{like(word.upper())}%",
            ("startswith", number): f"{like(word)}%",
            ("digits", number): f"%{digits}%",
        }
    return forms


def _with_slots(rows, stand_ins: list[str]):
    """(sql, params, [(index, form)], names, converters), or None when a parameter holds
    a stand-in that none of `_forms` explains (the statement could not be reused)."""
    compiler = rows.query.get_compiler(using=rows.db)
    sql, params = compiler.as_sql()
    by_value = {value: form for form, value in _forms(" ".join(stand_ins), stand_ins).items()}
    slots = []
    for index, param in enumerate(params):
        if not isinstance(param, str):
            continue
        form = by_value.get(param)
        if form is not None:
            slots.append((index, form))
        elif re.search("zqxw", param, re.IGNORECASE):
            return None
    names = [alias for _, _, alias in compiler.select]
    converters = compiler.get_converters([column for column, _, _ in compiler.select])
    return sql, tuple(params), slots, names, converters
