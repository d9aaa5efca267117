"""Production start-up refuses secrets that are there but too weak to protect anything.

Read by crm/settings.py before Django is configured, so nothing here may import Django
settings. Each problem names the variable and how to make a good one.
"""

import base64
import binascii

GENERATE_KEY = (
    'python -c "import os,base64;print(base64.urlsafe_b64encode(os.urandom(32)).decode())"'
)
GENERATE_TOKEN = 'python -c "import secrets;print(secrets.token_urlsafe(50))"'


def weak_secrets(*, secret_key: str, field_encryption_key: str,
                 field_encryption_keys: list[str], webhook_secret: str,
                 dev_defaults: dict[str, str]) -> list[str]:  # fmt: skip
    """One sentence per weak secret; empty when all are fit for production.

    The encryption keys checked are FIELD_ENCRYPTION_KEYS when set (it wins), else
    FIELD_ENCRYPTION_KEY.
    """
    problems = []
    if len(secret_key) < 50 or len(set(secret_key)) < 5:
        problems.append(f"SECRET_KEY must be at least 50 random characters ({GENERATE_TOKEN}).")
    problems += _weak_encryption_keys(
        field_encryption_key, field_encryption_keys, dev_defaults["FIELD_ENCRYPTION_KEY"]
    )
    if len(webhook_secret) < 24:
        problems.append(
            f"WEBHOOK_SECRET must be at least 24 characters ({GENERATE_TOKEN}); partners "
            "send it with every lead."
        )
    for name, value in (
        ("SECRET_KEY", secret_key),
        ("WEBHOOK_SECRET", webhook_secret),
    ):
        if value == dev_defaults[name]:
            problems.append(f"{name} is the development default; set a secret of your own.")
    return problems


def _weak_encryption_keys(single: str, keys: list[str], dev_default: str) -> list[str]:
    # Every key in the list still decrypts, so an old weak key opens as much as a new one.
    if keys:
        named = [(f"FIELD_ENCRYPTION_KEYS key {n}", key) for n, key in enumerate(keys, start=1)]
    else:
        named = [("FIELD_ENCRYPTION_KEY", single)]
    problems = []
    for name, key in named:
        if not _is_random_32_bytes(key):
            problems.append(f"{name} must be 32 random bytes in base64 ({GENERATE_KEY}).")
        if key == dev_default:
            problems.append(f"{name} is the development default; set a secret of your own.")
    return problems


def _is_random_32_bytes(value: str) -> bool:
    try:
        key = base64.urlsafe_b64decode(value.encode())
    except (binascii.Error, ValueError):
        return False
    # 32 random bytes almost never repeat much (about 31 distinct values on average);
    # a typed phrase or a padded constant does.
    return len(key) == 32 and len(set(key)) >= 20
