"""finance 0002 / 0003: a typed outbound CTM number becomes its Line (CP → CTM Numbers)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("finance", "0001_initial"), ("messaging", "0001_initial")]
AFTER = [("finance", "0003_outbound_ctm_number_is_a_line_rename")]


@pytest.mark.django_db(transaction=True)
def test_a_typed_number_becomes_a_line_and_the_setting_keeps_it():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    old.get_model("messaging", "Line").objects.create(phone="+13055550100", label="Sliding")
    old.get_model("finance", "FinanceSettings").objects.create(
        pk=1, outbound_ctm_number="(305) 555-0199"
    )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    row = new.get_model("finance", "FinanceSettings").objects.get(pk=1)
    assert new.get_model("messaging", "Line").objects.get(pk=row.outbound_ctm_number_id).phone == (
        "+13055550199"
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
