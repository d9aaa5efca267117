"""Settings singletons in the shared cache (crm.singletons): plain dicts under a key that
carries the schema, with a timeout, dropped on save."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from crm.singletons import SINGLETON_SECONDS, schema_version
from jobs.models import SETTINGS_CACHE_KEY, JobsSettings, settings_and_zones

pytestmark = pytest.mark.django_db


def test_the_copy_is_a_plain_dict_of_the_fields_under_a_key_naming_the_schema():
    JobsSettings.load()
    key = JobsSettings.cache_key()
    assert key.startswith(f"{SETTINGS_CACHE_KEY}:") and key != SETTINGS_CACHE_KEY
    values = cache.get(key)
    assert type(values) is dict
    assert set(values) == {"id", "ask_for_update_hours", "auto_advance_enabled"} | {
        "advancing_office_ids"
    }


def test_a_copy_cached_before_a_field_was_added_is_never_read():
    JobsSettings.objects.create(pk=1, ask_for_update_hours=6)
    # What the release before `auto_advance_enabled` existed cached, under its own key.
    old_names = ("id", "ask_for_update_hours", "advancing_office_ids")
    old_key = f"{SETTINGS_CACHE_KEY}:{schema_version(old_names)}"
    assert old_key != JobsSettings.cache_key()
    cache.set(old_key, {"id": 1, "ask_for_update_hours": 99, "advancing_office_ids": ()})
    # And a stale copy of the old shape under today's key, or the pickled model of old.
    cache.set(JobsSettings.cache_key(), {"id": 1, "ask_for_update_hours": 98})
    cache.set(SETTINGS_CACHE_KEY, JobsSettings(pk=1, ask_for_update_hours=97))

    assert JobsSettings.load().ask_for_update_hours == 6
    assert settings_and_zones()[0].ask_for_update_hours == 6


def test_a_cached_copy_is_read_without_a_query(django_assert_num_queries):
    JobsSettings.objects.create(pk=1, ask_for_update_hours=7, auto_advance_enabled=True)
    settings_and_zones()  # caches the zones too
    with django_assert_num_queries(0):
        jobs_settings = JobsSettings.load()
        assert settings_and_zones()[0].ask_for_update_hours == 7
    assert jobs_settings.ask_for_update_hours == 7 and jobs_settings.auto_advance_enabled
    assert jobs_settings.advancing_office_ids == () and jobs_settings.pk == 1


def test_saving_the_row_drops_the_copy(django_capture_on_commit_callbacks):
    jobs_settings = JobsSettings.load()
    jobs_settings.ask_for_update_hours = 9
    with django_capture_on_commit_callbacks(execute=True):
        jobs_settings.save()
    assert cache.get(JobsSettings.cache_key()) is None
    assert JobsSettings.load().ask_for_update_hours == 9


def test_a_copy_saved_from_the_cached_row_updates_the_one_row():
    JobsSettings.load()
    cached = JobsSettings.load()  # from the cache
    cached.ask_for_update_hours = 12
    cached.save()
    assert JobsSettings.objects.get().ask_for_update_hours == 12


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_the_copy_expires_after_an_hour():
    """On the process's own clock: Redis (CI) keeps real time, which time-machine can't move."""
    JobsSettings.load()
    later = timezone.now() + datetime.timedelta(seconds=SINGLETON_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert cache.get(JobsSettings.cache_key()) is None
