"""SQL pieces the report queries share, written for Postgres and SQLite alike."""

import math
from functools import cached_property

from django.db.models import Aggregate, FloatField, Func


class MinutesBetween(Func):
    """Minutes from `earlier` to `later` (two datetime expressions), as a float; NULL when
    either is NULL."""

    output_field = FloatField()
    arity = 2

    def __init__(self, later, earlier):
        super().__init__(later, earlier)

    def as_postgresql(self, compiler, connection):
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 60.0)",
            arg_joiner=" - ",
        )

    def as_sqlite(self, compiler, connection):
        # Django stores datetimes on SQLite as UTC text, which julianday() reads.
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 1440.0)",
            arg_joiner=") - julianday(",
        )


def percentile_of(values: list[float], fraction: float) -> float | None:
    """The continuous percentile of `values`, interpolated as Postgres's percentile_cont."""
    if not values:
        return None
    values = sorted(values)
    position = fraction * (len(values) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(values) - 1)
    return values[lower] + (values[upper] - values[lower]) * (position - lower)


class Percentile(Aggregate):
    """percentile_cont(fraction) of a float expression over each group (NULLs skipped).

    Postgres computes it. SQLite has no such aggregate: the group's values come back as
    one GROUP_CONCAT text and are interpolated here, the same way, so both databases give
    the same figure from one query. The values are a group's leads in a report period,
    a bounded set."""

    name = "Percentile"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        self.fraction = fraction
        super().__init__(expression, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self._with_template(
            f"percentile_cont({float(self.fraction)}) WITHIN GROUP (ORDER BY %(expressions)s)"
        ).as_sql(compiler, connection, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self._with_template("GROUP_CONCAT(%(expressions)s)").as_sql(
            compiler, connection, **extra
        )

    def _with_template(self, template: str) -> "Percentile":
        # A copy carries the template: Aggregate.as_sql wraps self.template in its FILTER
        # clause, which a template passed as an argument would bypass.
        clone = self.copy()
        clone.template = template
        return clone

    @cached_property
    def convert_value(self):
        def convert(value, expression, connection):
            if value is None:
                return None
            if isinstance(value, str):
                return percentile_of([float(item) for item in value.split(",")], self.fraction)
            return float(value)

        return convert
