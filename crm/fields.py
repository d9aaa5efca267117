"""Secrets at rest: AES-256-GCM with the key from FIELD_ENCRYPTION_KEY.

`EncryptedTextField` stores "v1:" + base64(nonce || ciphertext+tag); Python code sees plain
text. `SecretFormField` never renders the stored value back: the input is always empty and
says "✓ already set — leave blank to keep" when a value exists.
"""

import base64
import binascii
import hashlib
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "v1:"
NONCE_BYTES = 12


@lru_cache(maxsize=4)
def _cipher(key_setting: str) -> AESGCM:
    try:
        key = base64.urlsafe_b64decode(key_setting)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        # A passphrase instead of 32 base64 bytes: stretch it, but only deterministically
        # so the same setting always opens the same data.
        if not key_setting:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is empty.")
        key = hashlib.sha256(key_setting.encode()).digest()
    return AESGCM(key)


def encrypt(plain: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(settings.FIELD_ENCRYPTION_KEY).encrypt(nonce, plain.encode(), None)
    return PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise ValueError("Not an encrypted value.")
    raw = base64.b64decode(stored[len(PREFIX) :])
    try:
        plain = _cipher(settings.FIELD_ENCRYPTION_KEY).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], None
        )
    except InvalidTag as exc:
        raise ValueError("Encrypted value cannot be opened with FIELD_ENCRYPTION_KEY.") from exc
    return plain.decode()


class EncryptedTextField(models.TextField):
    """A text column encrypted at rest; empty string stays empty (means "not set")."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value or ""
        return encrypt(value)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": SecretFormField, "widget": SecretInput, **kwargs})


class SecretInput(forms.PasswordInput):
    """Never renders a value; the template shows whether one is stored."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"autocomplete": "new-password", **(attrs or {})}, render_value=False
        )


class SecretFormField(forms.CharField):
    """Blank input keeps the stored secret; anything else replaces it."""

    widget = SecretInput

    def __init__(self, *args, **kwargs):
        kwargs.pop("max_length", None)
        kwargs["required"] = False
        super().__init__(*args, **kwargs)
        self.stored_value = ""

    def has_changed(self, initial, data):
        return bool(data)

    def clean(self, value):
        return super().clean(value) or self.stored_value


def bind_secret_fields(form: forms.ModelForm) -> None:
    """Give each secret field its stored value (to keep on blank) and its "already set" hint."""
    for name, field in form.fields.items():
        if isinstance(field, SecretFormField):
            stored = getattr(form.instance, name, "") or ""
            field.stored_value = stored
            field.initial = ""
            if stored:
                field.help_text = "✓ already set — leave blank to keep"
