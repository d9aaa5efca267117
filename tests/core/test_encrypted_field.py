import datetime

import pytest
from django import forms
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from crm.accounts.models import LoginCode
from crm.fields import bind_secret_fields, decrypt, encrypt
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def stored_raw(login_code) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT code FROM accounts_logincode WHERE id = %s", [login_code.pk])
        return cursor.fetchone()[0]


def make_code(value="K7QX2M"):
    return LoginCode.objects.create(
        user=UserFactory(), code=value, expires_at=timezone.now() + datetime.timedelta(minutes=10)
    )


def test_values_round_trip_but_are_stored_as_aes_gcm_ciphertext():
    login_code = make_code("K7QX2M")
    raw = stored_raw(login_code)
    assert raw.startswith("v1:")
    assert "K7QX2M" not in raw
    assert LoginCode.objects.get(pk=login_code.pk).code == "K7QX2M"


def test_the_same_value_encrypts_differently_each_time():
    assert encrypt("smtp-app-password") != encrypt("smtp-app-password")


def test_a_tampered_value_is_refused():
    sealed = encrypt("secret")
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(ValueError):
        decrypt(tampered)


def test_another_key_cannot_open_the_value():
    sealed = encrypt("secret")
    with (
        override_settings(FIELD_ENCRYPTION_KEY="a-completely-different-key"),
        pytest.raises(ValueError),
    ):
        decrypt(sealed)


class CodeForm(forms.ModelForm):
    class Meta:
        model = LoginCode
        fields = ["code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bind_secret_fields(self)


def test_a_stored_secret_is_never_rendered_back():
    login_code = make_code("K7QX2M")
    html = CodeForm(instance=login_code).as_div()
    assert "K7QX2M" not in html
    assert "✓ already set — leave blank to keep" in html
    assert 'type="password"' in html


def test_blank_keeps_the_stored_secret_and_a_new_value_replaces_it():
    login_code = make_code("K7QX2M")
    form = CodeForm({"code": ""}, instance=login_code)
    assert form.is_valid()
    form.save()
    assert LoginCode.objects.get(pk=login_code.pk).code == "K7QX2M"

    form = CodeForm({"code": "NEW999"}, instance=LoginCode.objects.get(pk=login_code.pk))
    assert form.is_valid()
    form.save()
    assert LoginCode.objects.get(pk=login_code.pk).code == "NEW999"


def test_an_unset_secret_shows_no_already_set_hint():
    html = CodeForm().as_div()
    assert "already set" not in html
