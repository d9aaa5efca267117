"""The board's page of rows from a statement compiled once per shape.

Building the rows queryset (filters, the 🚨 CASE over every time zone) and compiling it
cost ~2 ms a load, more than Postgres takes to run it. Between two loads of one view
only the clock moves: the statement keeps its text and only its time parameters change
(now, now minus the ask-for-update hours, the local dates, the default window's bounds).
So a statement is compiled once per shape, its time parameters found by their values,
and each load runs it with its own. Anything the shape does not cover runs as a queryset.
"""

import datetime

from django.core.exceptions import EmptyResultSet
from django.db import connection

from crm.statements import fetch_dicts
from crm.timezones import known_zones, zone_or_default

# One statement per scope, filter set, page and zone-date layout: few in practice.
_COMPILED: dict = {}
_LIMIT = 1_000


def clock_layout(now: datetime.datetime, today: datetime.date) -> tuple[int, ...]:
    """Each known zone's date at `now`, as days from `today`: the 🚨 rules group zones by
    date (`crm.timezones.by_local_clock`), so this fixes the statement's shape."""
    return tuple((now.astimezone(zone_or_default(name)).date() - today).days for name in _names())


def _names() -> list[str]:
    return sorted(known_zones())


class CompiledRows:
    """`build()` (a values() queryset) sliced like a queryset, from a compiled statement.

    `shape`: what the statement's text depends on (None: no reuse). `clock`: the time
    values of this load, by name; every date and time parameter must be one of them,
    each value distinct, or the statement is not kept.
    """

    def __init__(self, build, *, shape, clock: dict):
        self.build, self.shape, self.clock = build, shape, clock

    def __getitem__(self, window: slice) -> list[dict]:
        if self.shape is None or connection.vendor != "postgresql":
            return list(self.build()[window])
        key = (self.shape, window.start, window.stop, connection.alias)
        compiled = _COMPILED.get(key)
        if compiled is None:
            rows = self.build()[window]
            compiled = _compile(rows, self.clock)
            if compiled is None:
                return list(rows)
            if len(_COMPILED) >= _LIMIT:
                _COMPILED.clear()
            _COMPILED[key] = compiled
        return _run(*compiled, self.clock)


def _compile(rows, clock: dict):
    """(sql, params, slots, names, converters), or None when a time parameter is not
    one of `clock`'s values (or two of them are equal: a slot would be ambiguous), or
    there is no statement to run."""
    by_value = {}
    for name, value in clock.items():
        if (type(value), value) in by_value:
            return None
        by_value[(type(value), value)] = name
    compiler = rows.query.get_compiler(using=rows.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # no office with Jobs on: the queryset answers [] unasked
        return None
    slots = []
    for index, param in enumerate(params):
        if isinstance(param, datetime.date):  # datetimes too
            name = by_value.get((type(param), param))
            if name is None:
                return None
            slots.append((index, name))
    converters = compiler.get_converters([column for column, _, _ in compiler.select])
    return sql, tuple(params), slots, list(rows.query.selected), converters


def _run(sql, params, slots, names, converters, clock: dict) -> list[dict]:
    params = list(params)
    for index, name in slots:
        params[index] = clock[name]
    return fetch_dicts(sql, params, names, converters)
