"""Production settings fail loudly without secrets and pass `check --deploy` with them."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 30 + "-production-secret-with-enough-entropy-9f8e7d6c5b4a",
    "FIELD_ENCRYPTION_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "WEBHOOK_SECRET": "a-real-webhook-secret",
    "DATABASE_URL": "postgres://bookback@db.internal:5432/bookback",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "ALLOWED_HOSTS": "crm.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://crm.example.com",
    "EMAIL_HOST": "smtp.example.com",
}


def manage(*args, env):
    # Only what a server would have: none of the test suite's development switches.
    clean = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "VAR_DIR": "/tmp/bookback-settings-test", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_start_up_fails_loudly_without_secrets():
    result = manage("check", env={"DEBUG": "false"})
    assert result.returncode != 0
    assert (
        "Missing production settings: SECRET_KEY, FIELD_ENCRYPTION_KEY, WEBHOOK_SECRET"
        in result.stderr
    )


def test_one_missing_secret_is_named():
    env = dict(PRODUCTION)
    del env["WEBHOOK_SECRET"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "Missing production settings: WEBHOOK_SECRET." in result.stderr


def test_deploy_check_is_clean_with_real_secrets():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
