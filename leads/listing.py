"""The Leads dashboard's page of rows and its total, at any number of leads.

Rows: the five tiers (spec: How rows are sorted) are five index-ordered sets
(`leads.models.tier_branches`); one UNION ALL statement takes at most a page plus one row
from each, newest first, and a sort of those few rows puts them in tier order. A page
continues after the last row it showed (keyset: tier, time received, id), so page 400
reads what page 1 reads, and a lead arriving meanwhile lands before the cursor instead
of shifting every row by one.

Search ranks matches by similarity among the SEARCH_CAP newest (leads.search_rows), and
pages by offset ("1–25 of 100+ leads").

Totals: per-(office, status) counters when only those filters are set (the default page,
an agent's offices, status + office); otherwise a count that stops at COUNT_CAP ("1–25 of
10,000+ leads"); a search counts its ranked candidates in the same statement.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import DateTimeField, F, Func, Q, Value

from crm.statements import fetch_dicts
from leads.models import LIVE, OPEN_STATUSES, LeadCounter, Status, tier_branches

PAGE_SIZE = 25
FUTURE_TIER = 3  # callbacks in the future (`leads.models.tier_branches`)
SEARCH_CAP = 100
COUNT_CAP = 10_000
# What a row shows: the claimer's name joins in; office names come from the user's office
# list (already read for the filter row), source labels and colours from the cache.
ROW_FIELDS = (
    "id",
    "office_id",
    "source_id",
    "claimed_by_id",
    "claimed_by__first_name",
    "received_at",
    "first_name",
    "last_name",
    "phone",
    "status",
    "next_contact_at",
    "timezone",
    "metro",
    "fee",
    "is_bookback",
    "is_transferred",
)
# Filters the counters can answer (every other one is counted, capped).
COUNTED_FILTERS = {"office", "status"}


@dataclass(frozen=True)
class Cursor:
    """A row's place in the tier order: (tier, time received, id)."""

    tier: int
    received_at: datetime.datetime
    id: int

    def __str__(self) -> str:
        micros = int(self.received_at.timestamp() * 1_000_000)
        return f"{self.tier}.{micros}.{self.id}"

    @classmethod
    def parse(cls, text: str | None) -> "Cursor | None":
        """None for anything but "<tier>.<microseconds>.<id>" (a hand-edited URL)."""
        try:
            tier, micros, pk = (int(part) for part in (text or "").split("."))
            when = datetime.datetime.fromtimestamp(micros / 1_000_000, tz=datetime.UTC)
        except (TypeError, ValueError, OverflowError, OSError):
            return None
        return cls(tier, when, pk) if 1 <= tier <= 5 and pk > 0 else None

    @classmethod
    def of(cls, row: dict) -> "Cursor":
        return cls(row["tier"], row["received_at"], row["id"])


@dataclass
class Page:
    rows: list[dict]
    start: int  # the first row's position, from 1
    total: int
    is_capped: bool = False  # the total stopped counting: "10,000+"
    next_params: dict = field(default_factory=dict)  # the Next link's query (empty: none)
    previous_params: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        """ "21–25 of 478 leads" (spec: Pagination)."""
        if not self.rows:
            return "0 leads" if self.start <= 1 else "No more leads"
        end = self.start + len(self.rows) - 1
        total = max(self.total, end)
        plural = "" if total == 1 and not self.is_capped else "s"
        shown = f"{total:,}+" if self.is_capped else f"{total:,}" if total >= 10_000 else total
        return f"{self.start}–{end} of {shown} lead{plural}"


def _after(cursor: Cursor) -> Q:
    # `received_at <= t` leads, so the index range starts at the cursor; the OR settles ties.
    return Q(received_at__lte=cursor.received_at) & (
        Q(received_at__lt=cursor.received_at) | Q(id__lt=cursor.id)
    )


def _before(cursor: Cursor) -> Q:
    return Q(received_at__gte=cursor.received_at) & (
        Q(received_at__gt=cursor.received_at) | Q(id__gt=cursor.id)
    )


# The statuses each tier can hold: a status filter skips the tiers it rules out (the
# planner would otherwise read a whole tier's index to find none).
TIER_STATUSES = {
    1: set(OPEN_STATUSES),
    2: {Status.FRESH},
    3: set(OPEN_STATUSES),
    4: {Status.CONVERTED},
    5: None,  # anything else
}


def _may_hold(tier: int, statuses) -> bool:
    if not statuses:
        return True
    held = TIER_STATUSES[tier]
    if held is None:
        return bool(set(statuses) - set(OPEN_STATUSES) - {Status.CONVERTED})
    return bool(held & set(statuses))


def scope_shape(user, filters: dict) -> tuple | None:
    """What `leads` in `tiered_rows` is, as a key, when only the scope and the counted
    filters (office, status) shape it: their SQL is then the same on every request but for
    `now` and the cursor. None otherwise (a partner's scope, a date range, urgency...)."""
    used = {name for name, value in filters.items() if value}
    if not used <= COUNTED_FILTERS or user.role == "partner":
        return None
    scope = None if user.sees_all_offices else tuple(sorted(user.office_ids))
    chosen = {name: tuple(sorted(filters.get(name) or ())) for name in COUNTED_FILTERS}
    return (scope, *sorted(chosen.items()))


def tiered_rows(
    leads, *, now, after=None, before=None, size=PAGE_SIZE, statuses=None, shape=None
) -> list[dict]:
    """Up to size + 1 rows of `leads` in tier order after `after` (or, read backwards, the
    size + 1 rows before `before`, returned in display order). One statement. `statuses`:
    the status filter, applied here and not on `leads` (`tier_branches` says why); the
    tiers it empties are skipped. `shape`: the key of
    `leads` (`scope_shape`), to reuse the statement compiled for it (building and compiling
    five querysets cost more than running them)."""
    backwards = before is not None
    mark = before if backwards else after
    if shape is None:
        statement = _statement(leads, now, mark, backwards, size, statuses)
        return run_statement(statement, backwards=backwards) if statement else []
    key = (shape, backwards, mark.tier if mark else None, size, connection.vendor)
    if key not in _COMPILED:
        if len(_COMPILED) >= 1_000:  # one per scope, filter and tier: few in practice
            _COMPILED.clear()
        sample = Cursor(mark.tier, _MARK_AT, _MARK_ID) if mark else None
        _COMPILED[key] = _with_slots(_statement(leads, _NOW, sample, backwards, size, statuses))
    statement, slots = _COMPILED[key]
    if statement is None:
        return []
    sql, params, names, converters = statement
    params = list(params)
    values = {"now": now, "at": mark and mark.received_at, "id": mark and mark.id}
    adapt = connection.ops.adapt_datetimefield_value
    for index, name, is_adapted in slots:
        params[index] = adapt(values[name]) if is_adapted else values[name]
    return run_statement((sql, params, names, converters), backwards=backwards)


# Stand-ins for `now` and the cursor while a shape's statement is compiled, found among its
# parameters afterwards and replaced by each request's values (leads.listing._with_slots).
_COMPILED: dict = {}
_NOW = datetime.datetime(1901, 1, 1, 0, 0, 1, tzinfo=datetime.UTC)
_MARK_AT = datetime.datetime(1902, 2, 2, 0, 0, 2, tzinfo=datetime.UTC)
_MARK_ID = -918_273_645


def _with_slots(statement):
    """(statement, [(parameter index, "now" | "at" | "id", is_adapted)]): where the
    stand-ins sit among the parameters, as passed (Postgres) or adapted (SQLite: text)."""
    if statement is None:
        return None, []
    adapt = connection.ops.adapt_datetimefield_value
    stand_ins = {}
    for name, value in (("now", _NOW), ("at", _MARK_AT)):
        stand_ins[(type(value), value)] = (name, False)
        adapted = adapt(value)
        stand_ins[(type(adapted), adapted)] = (name, adapted is not value)
    stand_ins[(int, _MARK_ID)] = ("id", False)
    slots = []
    for index, param in enumerate(statement[1]):
        try:
            found = stand_ins.get((type(param), param))
        except TypeError:  # an unhashable parameter is no stand-in
            found = None
        if found:
            slots.append((index, *found))
    if connection.vendor == "sqlite":
        return _constants_inlined(statement, slots)
    return statement, slots


def _constants_inlined(statement, slots):
    """The statement with every constant parameter (statuses, flags, office ids) written into
    the SQL, the slots renumbered. SQLite uses a partial index only when the query's WHERE
    proves the index's: `status IN (?, ?)` proves nothing, so each tier scanned the whole
    table (50 ms at 100,000 leads, against 4 ms with the values written in)."""
    sql, params, names, converters = statement
    pieces = re.split(r"(?<!%)%s", sql)
    slot_at = {index: (name, is_adapted) for index, name, is_adapted in slots}
    text, kept, renumbered = [pieces[0]], [], []
    for index, (param, piece) in enumerate(zip(params, pieces[1:], strict=True)):
        if index in slot_at or not isinstance(param, (str, int)):
            if index in slot_at:
                renumbered.append((len(kept), *slot_at[index]))
            kept.append(param)
            text.append("%s")
        elif isinstance(param, str):
            text.append("'" + param.replace("'", "''").replace("%", "%%") + "'")
        else:  # int, bool
            text.append(str(int(param)))
        text.append(piece)
    return ("".join(text), tuple(kept), names, converters), renumbered


def _statement(leads, now, mark, backwards: bool, size: int, statuses):
    """(sql, params, names, converters) of the UNION ALL, or None when no tier can hold
    a row."""
    branches = []
    narrowed = connection.vendor == "postgresql"  # see `tier_branches`
    for tier, condition in tier_branches(now, statuses if narrowed else None):
        if mark and (tier > mark.tier if backwards else tier < mark.tier):
            continue
        if not _may_hold(tier, statuses):
            continue
        rows = leads.filter(LIVE & condition)
        if statuses and not narrowed:
            rows = rows.filter(status__in=statuses)
        if mark and tier == mark.tier:
            rows = rows.filter(_before(mark) if backwards else _after(mark))
        order = ("received_at", "id") if backwards else ("-received_at", "-id")
        if tier == FUTURE_TIER and statuses and not narrowed:
            order = _unindexed_time_order(backwards)
        rows = rows.annotate(tier=Value(tier)).values(*ROW_FIELDS, "tier").order_by(*order)
        branches.append(rows[: size + 1])
    if not branches:
        return None
    return _union_all(branches, backwards=backwards, limit=size + 1)


def _unindexed_time_order(backwards: bool) -> tuple:
    """Newest first (or oldest, read backwards) in a form SQLite cannot read from an index.

    Future callbacks under a status filter are few (18 of 794 Needs a Follow Up leads of an
    office), and walking the waiting tier's index for them read it all (22 ms at 100,000
    leads); unable to order by the index, SQLite finds them through `lead_due_idx` (status,
    next contact) and sorts that handful (1 ms)."""
    received = Func(F("received_at"), template="+%(expressions)s", output_field=DateTimeField())
    if backwards:
        return received.asc(), "id"
    return received.desc(), "-id"


def _union_all(branches, *, backwards: bool, limit: int):
    """UNION ALL of the sliced, ordered branches (each a values() queryset of ROW_FIELDS
    and tier), sorted by tier, time received and id: (sql, params, names, converters).
    Written out because Django refuses a sliced branch on SQLite; each branch is a
    subquery, so both engines keep its ORDER BY and LIMIT, and read it from its index."""
    parts, params, converters = [], [], None
    for number, branch in enumerate(branches):
        compiler = branch.query.get_compiler(using=branch.db)
        sql, branch_params = compiler.as_sql()
        if converters is None:
            converters = compiler.get_converters([column for column, _, _ in compiler.select])
            names = [*branch.query.values_select, *branch.query.annotation_select]
        parts.append(f"SELECT * FROM ({sql}) AS tier_{number}")
        params.extend(branch_params)
    # Positions: id is column 1, received_at 6, tier the last.
    tier, received_at = len(names), names.index("received_at") + 1
    direction = "ASC" if backwards else "DESC"
    order = f"{tier} {'DESC' if backwards else 'ASC'}, {received_at} {direction}, 1 {direction}"
    sql = " UNION ALL ".join(parts) + f" ORDER BY {order} LIMIT {int(limit)}"
    return sql, tuple(params), names, converters


def run_statement(statement, *, backwards: bool) -> list[dict]:
    """The rows of a compiled (sql, params, names, converters) as dicts, in display order."""
    found = fetch_dicts(*statement)
    return found[::-1] if backwards else found


def counted_total(leads, *, user, filters: dict) -> tuple[int, bool]:
    """(total, is_capped) for `leads` under `filters` (the filter form's cleaned data)."""
    used = {name for name, value in filters.items() if value}
    if used <= COUNTED_FILTERS and user.role != "partner":
        office_ids = None if user.sees_all_offices else set(user.office_ids)
        if filters.get("office"):
            chosen = set(filters["office"])
            office_ids = chosen if office_ids is None else office_ids & chosen
        return LeadCounter.total(office_ids=office_ids, statuses=filters.get("status")), False
    total = leads.order_by()[: COUNT_CAP + 1].count()
    return min(total, COUNT_CAP), total > COUNT_CAP
