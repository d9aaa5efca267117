"""Production settings fail loudly without secrets or with weak ones, and pass
`check --deploy` with real ones."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 30 + "-production-secret-with-enough-entropy-9f8e7d6c5b4a",
    "FIELD_ENCRYPTION_KEY": "jGWosI4KwD0tp86-wCAteOzIFxPqPKYWlp7afREjPTY=",
    "WEBHOOK_SECRET": "a-real-webhook-secret-7Hq2xLp9",
    "DATABASE_URL": "postgres://bookback@db.internal:5432/bookback",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "ALLOWED_HOSTS": "crm.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://crm.example.com",
    "EMAIL_HOST": "smtp.example.com",
}
NEW_KEY = "aNjYGW7m3TaJh5oFJyk4zgLsUm1Y2ULZtXJ2Pp4L0Ew="


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


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SECRET_KEY", "short-but-set", "SECRET_KEY must be at least 50 random characters"),
        ("SECRET_KEY", "a" * 60, "SECRET_KEY must be at least 50 random characters"),
        ("FIELD_ENCRYPTION_KEY", "correct horse battery staple", "FIELD_ENCRYPTION_KEY must"),
        # 32 bytes in base64, but "0123456789abcdef" twice: typed, not random.
        ("FIELD_ENCRYPTION_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", "32 random"),
        ("WEBHOOK_SECRET", "demo-secret", "WEBHOOK_SECRET must be at least 24 characters"),
        ("WEBHOOK_SECRET", "demo-secret", "WEBHOOK_SECRET is the development default"),
        # Every key of the rotation list still decrypts, so an old weak one is refused too.
        (
            "FIELD_ENCRYPTION_KEYS",
            f"{NEW_KEY},correct horse battery staple",
            "FIELD_ENCRYPTION_KEYS key 2 must be 32 random bytes",
        ),
        (
            "FIELD_ENCRYPTION_KEYS",
            f"ZGV2LW9ubHktZmllbGQtZW5jcnlwdGlvbi1rZXktMzI=,{NEW_KEY}",
            "FIELD_ENCRYPTION_KEYS key 1 is the development default",
        ),
    ],
)
def test_a_weak_secret_is_refused_by_name(name, value, message):
    result = manage("check", env={**PRODUCTION, name: value})
    assert result.returncode != 0
    assert "Weak production secrets:" in result.stderr and message in result.stderr


def test_a_rotation_key_list_stands_in_for_the_single_key():
    env = {**PRODUCTION, "FIELD_ENCRYPTION_KEYS": f"{NEW_KEY},{PRODUCTION['FIELD_ENCRYPTION_KEY']}"}
    del env["FIELD_ENCRYPTION_KEY"]
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr
