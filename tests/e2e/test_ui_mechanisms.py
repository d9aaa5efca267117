from django.core import mail
from playwright.sync_api import expect

from crm.accounts.models import Office
from crm.accounts.services import set_jobs_feature


def test_users_directory_slides_in_from_the_left_and_escape_closes_it(people, sign_in):
    page = sign_in("agent@example.com")
    page.get_by_role("link", name="👥 Users").click()
    panel = page.locator("#left-panel")
    expect(panel).to_have_class("panel-left is-open")
    expect(panel).to_contain_text("Olivia")
    page.keyboard.press("Escape")
    expect(panel).to_have_class("panel-left")


def open_add_user_modal(sign_in, live_server):
    page = sign_in("owner@example.com")
    page.goto(f"{live_server.url}/cp/users")
    page.get_by_role("link", name="+ Add user").click()
    modal = page.locator("#modal")
    expect(modal).to_have_class("modal-backdrop is-open")
    return page, modal


def test_a_dirty_modal_asks_before_an_outside_click_closes_it(people, sign_in, live_server):
    page, modal = open_add_user_modal(sign_in, live_server)
    page.get_by_label("First name").fill("Dana")

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.mouse.click(5, 400)  # outside the dialog box
    expect(modal).to_have_class("modal-backdrop is-open")

    page.once("dialog", lambda dialog: dialog.accept())
    page.mouse.click(5, 400)
    expect(modal).to_have_class("modal-backdrop")


def test_a_clean_modal_closes_on_an_outside_click_without_asking(people, sign_in, live_server):
    page, modal = open_add_user_modal(sign_in, live_server)
    page.mouse.click(5, 400)
    expect(modal).to_have_class("modal-backdrop")


def test_audit_row_opens_the_right_panel_and_the_cross_closes_it(people, sign_in, live_server):
    set_jobs_feature(actor=people["owner"], office=Office.objects.get(name="Garage"), enabled=False)
    page = sign_in("owner@example.com")
    page.goto(f"{live_server.url}/audit-log")
    page.get_by_text("Jobs feature disabled for Garage").click()
    panel = page.locator("#right-panel")
    expect(panel).to_have_class("panel-right is-open")
    expect(panel).to_contain_text('"is_jobs_enabled": false')
    panel.get_by_role("button", name="Close").click()
    expect(panel).to_have_class("panel-right")


def test_office_settings_toggle_saves_on_change_and_the_audit_log_updates_live(
    people, sign_in, live_server
):
    owner_page = sign_in("owner@example.com")
    audit_page = owner_page.context.new_page()
    audit_page.goto(f"{live_server.url}/audit-log")
    owner_page.goto(f"{live_server.url}/cp/office-settings")
    card = owner_page.locator(".office-card", has_text="Garage")
    card.get_by_label("Enabled").uncheck()
    expect(owner_page.locator(".office-card", has_text="Garage")).to_contain_text(
        "🔧 Jobs disabled"
    )
    # The other tab polls /api/last-change and refreshes its rows without a reload.
    expect(audit_page.get_by_text("Jobs feature disabled for Garage")).to_be_visible(timeout=10_000)


def test_sign_in_with_an_emailed_code(people, page, live_server):
    page.goto(f"{live_server.url}/login")
    page.get_by_role("link", name="Email me a code").click()
    page.get_by_label("Email").fill("viewer@example.com")
    page.get_by_role("button", name="Email me a code").click()
    expect(page.get_by_text("we just emailed it a 6-character code")).to_be_visible()
    code = mail.outbox[-1].subject.rsplit(" ", 1)[-1]
    page.get_by_label("6-character code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("header.topbar .role")).to_have_text("Viewer")
