"""Running a statement compiled ahead (a list page's SQL kept per shape: leads.listing,
leads.search_rows, jobs.board_rows) and reading its rows as values() would."""

from django.db import connection


def fetch_dicts(sql: str, params, names: list[str], converters: dict) -> list[dict]:
    """The rows of `sql` as {name: value} dicts, each value passed through the compiler's
    `converters` (by column position), as a values() queryset returns them."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = []
    for row in rows:
        values = list(row)
        for position, (functions, expression) in converters.items():
            for function in functions:
                values[position] = function(values[position], expression, connection)
        found.append(dict(zip(names, values, strict=True)))
    return found
