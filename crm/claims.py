"""Claiming due rows on Postgres, for sweeps that may run side by side (the event handlers'
sweep, crm.deliveries, and the outbound webhooks' sweep)."""

from django.db import connection


def claiming_sql(table: str, *, due: str, order: str, assignments: str, returning: str) -> str:
    """A `claimed` CTE: up to %(limit)s rows matching `due` (in `order`), set with
    `assignments`, returning `returning`. Append the SELECT that reads `claimed`.

    The rows are picked FOR UPDATE SKIP LOCKED, so a second sweep takes the next rows instead
    of waiting, and in a MATERIALIZED CTE: as `id IN (SELECT … LIMIT … SKIP LOCKED)` the
    planner may run the subquery once per outer row, and one claim took every due row past
    its LIMIT (leaving a concurrent sweep nothing). The UPDATE checks `due` again: a row
    another sweep changed and committed meanwhile is left alone.
    """
    return f"""
        WITH picked AS MATERIALIZED (
            SELECT id FROM {table} WHERE {due}
            ORDER BY {order} LIMIT %(limit)s FOR UPDATE SKIP LOCKED
        ), claimed AS (
            UPDATE {table} SET {assignments}
            WHERE {due} AND id IN (SELECT id FROM picked)
            RETURNING {returning}
        )
    """


def commit_unflushed() -> None:
    """Inside a transaction, on Postgres: its COMMIT returns before the WAL is flushed to
    disk (`synchronous_commit` off for this transaction only; ~4 ms an fsync here).

    Only for a sweep's bookkeeping that a database crash may lose: a lost claim lapses or
    is taken again, a lost record of a try sends the try again with the same id, which
    at-least-once delivery allows. Durability of everything else is untouched, and a
    crash never leaves a transaction half applied."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
