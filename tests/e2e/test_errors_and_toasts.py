"""Errors a person can see and toasts that survive the answer that closes a modal (1366x900)."""

import re

import pytest
from playwright.sync_api import expect


@pytest.fixture
def new_job(dispatch, sign_in, live_server):
    page = sign_in("agent@example.com")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/jobs")
    page.get_by_role("link", name="+ New Job").click()
    expect(page.locator("#modal-body")).to_contain_text("Create Job")
    return page


def test_an_empty_new_job_shows_every_error_at_once_and_the_first_in_view(new_job):
    page = new_job
    modal = page.locator("#modal-body")
    create = modal.get_by_role("button", name="Create Job")
    create.scroll_into_view_if_needed()  # the agent is at the foot of the form, as in the report
    create.click()
    errors = modal.locator(".field--error .errorlist")
    expect(errors).to_have_count(6)  # first name, phone, date, from, job type, source
    for text in ("first name", "Enter a phone number", "job type", "job source", "date"):
        expect(modal.locator(".errorlist", has_text=re.compile(text, re.I))).to_be_visible()
    expect(errors.first).to_be_in_viewport()
    expect(modal.get_by_label("First name")).to_be_focused()


def test_creating_a_job_closes_the_modal_and_its_toast_is_seen(new_job):
    page = new_job
    modal = page.locator("#modal-body")
    modal.get_by_label("First name").fill("Emily")
    modal.get_by_label("Phone").fill("(305) 555-0142")
    modal.get_by_label("ZIP").fill("33132")
    modal.get_by_label("Job type").select_option(label="Garage Door")
    modal.get_by_label("Job source").select_option(label="GDQ")
    modal.get_by_label("Date").fill("2030-05-02")
    modal.get_by_label("From").fill("09:00")
    modal.get_by_role("button", name="Create Job").click()
    expect(page.locator("#modal")).not_to_have_class(re.compile(r"is-open"))
    toast = page.locator("#toasts .toast", has_text=re.compile(r"JOB-\d+ created for Emily"))
    expect(toast).to_be_visible()
    expect(toast).to_be_in_viewport()


def test_a_failed_htmx_request_says_so_in_a_toast(new_job):
    page = new_job
    # A 404 answer (the job was deleted meanwhile) is not swapped by htmx: a toast tells why.
    page.evaluate("htmx.ajax('GET', '/jobs/999999', {target: '#right-panel-body'})")
    expect(page.locator("#toasts .toast--error")).to_be_visible()
