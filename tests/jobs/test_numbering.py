"""JOB-#### numbers: from 3542, never repeated under concurrent creates, never burnt by a
refused create."""

import threading

import pytest
from django.db import connections

from crm.errors import DomainError
from jobs.models import FIRST_JOB_NUMBER, Job, JobCounter
from jobs.services import create_job

pytestmark = pytest.mark.django_db


def test_the_first_job_is_job_3542_and_the_next_follows(agent, new_job):
    first = create_job(actor=agent, **new_job())
    second = create_job(actor=agent, **new_job(first_name="Carmen"))
    assert (first.display_id, second.display_id) == ("JOB-3542", "JOB-3543")
    assert FIRST_JOB_NUMBER == 3542


def test_a_refused_create_burns_no_number(agent, new_job):
    create_job(actor=agent, **new_job())
    for bad in ({"phone": "123-123-1234"}, {"first_name": " "}, {"job_type": None}):
        with pytest.raises(DomainError):
            create_job(actor=agent, **new_job(**bad))
    assert create_job(actor=agent, **new_job()).number == 3543


def test_numbering_carries_on_when_the_counter_row_is_gone(agent, new_job):
    create_job(actor=agent, **new_job())
    JobCounter.objects.all().delete()  # what a flushed (transactional) test database has
    assert create_job(actor=agent, **new_job()).number == 3543


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("has_counter_row", [True, False], ids=["migrated", "flushed"])
def test_concurrent_creates_never_share_a_number(agent, new_job, has_counter_row):
    if has_counter_row:
        JobCounter.objects.get_or_create(pk=1)  # an earlier flush may have emptied the table
    else:
        JobCounter.objects.all().delete()
    fields = new_job()
    numbers, errors = [], []
    start = threading.Barrier(8)

    def book(index: int) -> None:
        try:
            start.wait()
            job = create_job(actor=agent, **{**fields, "first_name": f"Client {index}"})
            numbers.append(job.number)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()  # each thread had its own connection

    threads = [threading.Thread(target=book, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(numbers) == list(range(FIRST_JOB_NUMBER, FIRST_JOB_NUMBER + 8))
    assert Job.objects.count() == 8
