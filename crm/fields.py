"""Secrets at rest: AES-256-GCM with the newest of FIELD_ENCRYPTION_KEYS (newest first),
or FIELD_ENCRYPTION_KEY when that list is not set. Every key in the list still decrypts, so
a new key can go first while `manage.py rotate_encryption_key` re-encrypts the old values.

`EncryptedTextField` stores "v1:" + base64(nonce || ciphertext+tag); Python code sees plain
text. A value no key opens reads as an `UnreadableSecret`: empty ("not set") to every
caller, yet saved back unchanged, so a key put back later still opens it.
`SecretFormField` never renders the stored value back: the input is always empty and
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


@lru_cache(maxsize=8)
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


def _keys() -> list[str]:
    """Newest first: the list wins, the single key is the list of one."""
    return settings.FIELD_ENCRYPTION_KEYS or [settings.FIELD_ENCRYPTION_KEY]


def encrypt(plain: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(_keys()[0]).encrypt(nonce, plain.encode(), None)
    return PREFIX + base64.b64encode(nonce + sealed).decode()


def _open(stored: str) -> tuple[str, int]:
    """The plain text and the position of the key that opened it (0 is the newest)."""
    if not stored.startswith(PREFIX):
        raise ValueError("Not an encrypted value.")
    raw = base64.b64decode(stored[len(PREFIX) :])  # binascii.Error is a ValueError
    for position, key in enumerate(_keys()):
        try:
            plain = _cipher(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None)
        except InvalidTag:
            continue
        return plain.decode(), position
    raise ValueError("No encryption key opens this value.")


def decrypt(stored: str) -> str:
    return _open(stored)[0]


def reencrypt(stored: str) -> str | None:
    """`stored` sealed with the newest key, or None when it already is.

    Raises ValueError when no key opens it.
    """
    plain, position = _open(stored)
    return encrypt(plain) if position else None


class UnreadableSecret(str):
    """A stored value no key opens. It is the empty string to every reader, so the
    setting counts as not set; `stored` keeps the ciphertext for saving it back."""

    def __new__(cls, stored: str):
        value = super().__new__(cls, "")
        value.stored = stored
        return value

    @property
    def digest(self) -> str:
        """Names this ciphertext in the audit log without revealing it."""
        return hashlib.sha256(self.stored.encode()).hexdigest()[:16]


class EncryptedTextField(models.TextField):
    """A text column encrypted at rest; empty string stays empty (means "not set")."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        try:
            return decrypt(value)
        except ValueError:
            return UnreadableSecret(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if isinstance(value, UnreadableSecret):
            # Saving the row for another field must not erase what a key may open later.
            return value.stored
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
            stored = getattr(form.instance, name, None)
            # Not `or ""`: an UnreadableSecret is falsy, yet a blank input must keep it.
            field.stored_value = "" if stored is None else stored
            field.initial = ""
            if stored:
                field.help_text = "✓ already set — leave blank to keep"
