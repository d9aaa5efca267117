"""CP → 🤖 AI Assistant → Audit log at scale (`make bench`): a year of use, 50,000
conversations of 2 turns with 2 model calls each (200,000 calls), 20 staff. The log's
first page with no filter, one user's and one week's, over HTTP against the signed-in bare
view (tests/bench/scale.py): ≤ 8× (a CP page of 50 rows with their totals; its SQL is ~2 ms,
so a ratio to the SQL alone measures the rendering), ≤ 4 queries and the same count at 100
conversations, no Seq Scan over the ledger, no sort of every conversation.

BENCH_ASSISTANT_AUDIT_SCALE=0.01 for a quick run (the ratios are then printed, not held).
"""

import datetime
import os
import time

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from crm.accounts.models import Role, User
from crm.assistant.models import AICall, Conversation, Turn
from tests.bench import scale
from tests.factories import UserFactory

pytestmark = [pytest.mark.bench, pytest.mark.urls("tests.bench.urls")]
SCALE = float(os.environ.get("BENCH_ASSISTANT_AUDIT_SCALE", "1"))
FULL = SCALE >= 1
CONVERSATIONS, SMALL = int(50_000 * SCALE), 100
OWNER = "bench-assistant-audit@example.com"
LEDGER = ("assistant_conversation", "assistant_turn", "assistant_aicall")
MODEL = "claude-sonnet-4-6"


def seed(staff: list[User], count: int) -> None:
    """`count` conversations over the last 365 days, each 2 turns of 2 calls."""
    Conversation.objects.filter(user__in=staff).delete()
    now = timezone.now()
    year = datetime.timedelta(days=365)
    moments = [now - year + year * n / max(count, 1) for n in range(count)]
    scale.bulk_copy(
        Conversation,
        (
            (staff[n % len(staff)].pk, f"Question {n}", MODEL, when, when)
            for n, when in enumerate(moments)
        ),
        ["user", "title", "model", "created_at", "updated_at"],
    )
    conversations = list(
        Conversation.objects.filter(user__in=staff)
        .order_by("created_at", "id")
        .values_list("id", "user_id", "created_at")
    )
    roles = {user.pk: user.role for user in staff}
    scale.bulk_copy(
        Turn,
        (
            (pk, user_id, roles[user_id], f"Question {pk}.{n}", "An answer.", "ok", when, when)
            for pk, user_id, when in conversations
            for n in range(2)
        ),
        [
            "conversation",
            "user",
            "role",
            "message",
            "answer",
            "status",
            "created_at",
            "finished_at",
        ],
    )
    # Read before the COPY starts: the connection runs no query while it copies.
    turns = list(
        Turn.objects.filter(conversation__user__in=staff).values_list(
            "id", "conversation_id", "user_id", "role", "created_at"
        )
    )
    scale.bulk_copy(
        AICall,
        (
            (turn, conversation, user, role, "assistant", MODEL, 1200, 90, "0.004950", when, seq)
            for turn, conversation, user, role, when in turns
            for seq in (1, 2)
        ),
        ["turn", "conversation", "user", "role", "feature", "model", "input_tokens",
         "output_tokens", "cost", "created_at", "seq"],
    )  # fmt: skip


def pages(staff: list[User]) -> dict[str, str]:
    week_ago = (timezone.now() - datetime.timedelta(days=7)).date()
    return {
        "audit log, no filter": "/cp/assistant/audit",
        "audit log, one user": f"/cp/assistant/audit?user={staff[3].pk}",
        "audit log, last week": f"/cp/assistant/audit?date_from={week_ago.isoformat()}",
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        owner = User.objects.filter(email=OWNER).first() or UserFactory(
            role=Role.OWNER, email=OWNER
        )
        roles = (Role.VIEWER, Role.AGENT, Role.ADMIN, Role.FINANCE_ADMIN)
        staff = [owner] + [UserFactory(role=roles[n % len(roles)]) for n in range(19)]
        seed(staff, SMALL)
        browser = Client()
        browser.force_login(owner)
        browser.get("/cp/assistant/audit")  # the User filter's staff list, cached from now on
        small = {name: len(scale.statements_of(browser, url)) for name, url in pages(staff).items()}
        start = time.perf_counter()
        seed(staff, CONVERSATIONS)
        print(f"\nseeded {CONVERSATIONS:,} conversations in {time.perf_counter() - start:.0f} s")
        cookies = scale.session_cookie(owner)
        yield {"owner": owner, "staff": staff, "small": small, "cookies": cookies}
        seed(staff, 0)
        User.objects.filter(pk__in=[user.pk for user in staff[1:]]).delete()


@pytest.mark.django_db
def test_the_audit_log_stays_near_its_sql_over_a_year_of_use(client, seeded):
    paths = pages(seeded["staff"])
    with scale.served() as base_url:
        times = scale.measure(base_url, seeded["cookies"], paths)
    client.force_login(seeded["owner"])
    print(f"\n{CONVERSATIONS:,} conversations; the audit log over HTTP vs the bare view")
    misses, problems = [], []
    for label, path in paths.items():
        statements = scale.statements_of(client, path)
        queries = len(statements)
        ratios = scale.report(
            label,
            {
                "page": times[label],
                "bare": times["bare"],
                "sql": scale.replay_ms(statements),
                "queries": queries,
            },
        )
        if ratios["bare"] > 8:
            misses.append(f"{label}: {ratios['bare']:.2f}× the bare view > 8×")
        if queries > 4 or queries != seeded["small"][label]:
            misses.append(f"{label}: {queries} queries ({seeded['small'][label]} at {SMALL:,})")
        problems += [f"{label}: {p}" for p in scale.plan_problems(statements, LEDGER)]
    print("\n".join(problems + misses) or "all targets met")
    counts = [miss for miss in misses if "queries" in miss]
    assert not counts, counts
    if connection.vendor == "postgresql" and FULL:
        assert not problems, problems
        assert not misses, misses
