import pytest
from playwright.sync_api import expect

from crm.accounts.models import Role

# (role, badge text, tools the topbar must show); every other tool must be absent.
TOOLS = ["👥 Users", "📋 Timeline", "📋 Audit Log", "⚙️ Control Panel"]
EXPECTED = [
    (Role.OWNER, "Owner", TOOLS),
    (Role.ADMIN, "Admin", ["👥 Users", "📋 Timeline"]),
    (Role.FINANCE_ADMIN, "Finance Admin", ["👥 Users", "📋 Timeline"]),
    (Role.AGENT, "Agent", ["👥 Users"]),
    (Role.VIEWER, "Viewer", ["👥 Users", "📋 Timeline"]),
    (Role.PARTNER, "Partner", []),  # an outside company: no staff directory
]


@pytest.mark.parametrize(("role", "badge", "tools"), EXPECTED)
def test_each_role_signs_in_and_sees_only_its_topbar(people, sign_in, role, badge, tools):
    page = sign_in(people[role].email)
    topbar = page.locator("header.topbar")
    expect(topbar.locator(".role")).to_have_text(badge)
    expect(topbar.locator(f".role--{role}")).to_be_visible()
    if topbar.locator(".navmenu").count():  # two rarer tools or more: under "More"
        topbar.get_by_text("More", exact=True).click()
    for tool in TOOLS:
        link = topbar.get_by_role("link", name=tool, exact=True)
        expect(link).to_have_count(1 if tool in tools else 0)
    expect(topbar.get_by_role("button", name="Sign Out")).to_be_visible()


def test_sign_out_returns_to_the_sign_in_screen(people, sign_in, live_server):
    page = sign_in("agent@example.com")
    page.get_by_role("button", name="Sign Out").click()
    expect(page).to_have_url(f"{live_server.url}/login")
    page.goto(f"{live_server.url}/users")
    expect(page).to_have_url(f"{live_server.url}/login?next=/users")


def test_the_owners_full_topbar_fits_1366_px_with_the_rarer_tools_under_more(
    people, sign_in, live_server
):
    page = sign_in(people[Role.OWNER].email)
    page.set_viewport_size({"width": 1366, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    topbar = page.locator("header.topbar")
    timeline = topbar.get_by_role("link", name="📋 Timeline", exact=True)
    expect(timeline).to_be_hidden()  # folded away until asked for
    topbar.get_by_text("More", exact=True).click()
    for tool in ["🔍 Check Duplicates", "👥 Users", "📋 Timeline", "📋 Audit Log"]:
        expect(topbar.get_by_role("link", name=tool, exact=True)).to_be_visible()
    timeline.click()
    expect(page).to_have_url(f"{live_server.url}/timeline")
    # On one of its pages the menu's button is lit, so she can tell where she is.
    expect(page.locator(".navmenu > summary")).to_have_class("navlink navlink--active")
