"""The migration that turns User.partner_name (text) into User.partner (a Job Partner):
a partner login keeps seeing exactly what it saw, whatever the name's case or spaces."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0002_login_code_emailed_at"), ("contractors", "0001_initial")]
AFTER = [("accounts", "0003_user_partner_job_partner")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_partner_names_become_links_to_job_partners():
    old = migrate(BEFORE)
    JobPartner, User = old.get_model("contractors", "JobPartner"), old.get_model("accounts", "User")
    gdq = JobPartner.objects.create(name="GDQ Leads")
    for email, name in [("a@x.com", " gdq  leads "), ("b@x.com", "Nehoray"), ("c@x.com", "")]:
        User.objects.create(email=email, first_name="P", role="partner", partner_name=name)
    try:
        new = migrate(AFTER)
        User, JobPartner = (
            new.get_model("accounts", "User"),
            new.get_model("contractors", "JobPartner"),
        )
        links = dict(User.objects.values_list("email", "partner__name"))
        assert links == {"a@x.com": "GDQ Leads", "b@x.com": "Nehoray", "c@x.com": None}
        assert User.objects.get(email="a@x.com").partner_id == gdq.pk
        assert JobPartner.objects.get(name="Nehoray").keep_rate == 0  # made, nobody's share
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
