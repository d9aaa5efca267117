from tests.reports.week_fixture import week  # noqa: F401 (the hand-built week, as a fixture)
