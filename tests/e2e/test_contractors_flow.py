import pytest
from playwright.sync_api import expect

from contractors.models import Contractor, JobType, PriorityZone
from tests.factories import ContractorFactory, JobTypeFactory, ServiceAreaFactory


@pytest.fixture
def coverage(people):
    garage = JobTypeFactory(label="Garage Door")
    areas = {
        name: ServiceAreaFactory(label=name, zip_code=zip_code, lat=lat, lng=lng)
        for name, zip_code, lat, lng in [
            ("Hialeah", "33010", 25.86, -80.28),
            ("Doral", "33172", 25.78, -80.36),
            ("Coral Gables", "33134", 25.75, -80.27),
        ]
    }
    ContractorFactory(name="Mike Hernandez", job_types=[garage], service_areas=[areas["Doral"]])
    return areas


def pin(page, label):
    return page.locator(f"path.map-pin[data-area='{label}']")


def test_an_owner_adds_a_contractor_and_toggles_its_areas_on_the_map(
    coverage, sign_in, live_server
):
    page = sign_in("owner@example.com")
    page.goto(f"{live_server.url}/contractors")
    expect(pin(page, "Hialeah")).to_have_attribute("fill", "#dc2626")  # nobody covers it: red
    expect(pin(page, "Doral")).to_have_attribute("fill", "#eab308")  # one contractor: yellow

    page.get_by_role("link", name="+ Add Contractor").click()
    page.get_by_label("Name").fill("Best Doors LLC")
    page.get_by_label("Garage Door").check()
    page.get_by_label("Profit share %").fill("30")
    page.get_by_role("button", name="Add contractor").click()
    row = page.locator("[data-contractor-name='Best Doors LLC']")
    expect(row).to_contain_text("0 areas")

    row.get_by_role("link", name="🗺 Areas").click()
    expect(page.locator("[data-map-banner]")).to_contain_text(
        "Editing coverage for Best Doors LLC · Click pins to toggle"
    )
    expect(pin(page, "Hialeah")).to_have_attribute("fill", "#e5e7eb")  # uncovered: gray
    pin(page, "Hialeah").dispatch_event("click")
    expect(pin(page, "Hialeah")).to_have_attribute("fill", "#2563eb")  # covered: blue
    expect(row).to_contain_text("📍 1 area")
    pin(page, "Doral").dispatch_event("click")
    expect(row).to_contain_text("📍 2 areas")
    pin(page, "Doral").dispatch_event("click")  # and off again
    expect(row).to_contain_text("📍 1 area")

    # A save the server refuses flips the pin back and says so.
    page.route("**/areas/**", lambda route: route.fulfill(status=500, body="{}"))
    pin(page, "Coral Gables").dispatch_event("click")
    expect(page.locator(".toast--error")).to_contain_text("Couldn't save Coral Gables")
    expect(pin(page, "Coral Gables")).to_have_attribute("fill", "#e5e7eb")
    page.unroute("**/areas/**")

    page.locator("[data-map-banner]").get_by_role("button", name="Done").click()
    expect(page.locator("[data-map-banner]")).to_be_hidden()
    # Density again, once the map data is reloaded (slower while the suite runs in parallel).
    expect(pin(page, "Hialeah")).to_have_attribute("fill", "#eab308", timeout=15_000)
    best = Contractor.objects.get(name="Best Doors LLC")
    assert [area.label for area in best.service_areas.all()] == ["Hialeah"]


def test_a_viewer_sees_the_map_and_coverage_but_cannot_change_anything(
    coverage, sign_in, live_server
):
    page = sign_in("viewer@example.com")
    page.goto(f"{live_server.url}/contractors")
    expect(page.locator("[data-contractor-name='Mike Hernandez']")).to_contain_text("1 area")
    pin(page, "Doral").hover()
    expect(page.locator(".map-tip")).to_contain_text("Mike Hernandez")
    expect(page.get_by_role("link", name="🗺 Areas")).to_have_count(0)
    expect(page.get_by_role("link", name="+ Add Contractor")).to_have_count(0)
    expect(page.get_by_role("button", name="🎯 Draw priority zone")).to_have_count(0)
    page.locator("[data-contractor-name='Mike Hernandez'] .contractor-row__name").click()
    expect(pin(page, "Doral")).to_have_attribute("fill", "#2563eb")  # its areas highlight
    expect(pin(page, "Hialeah")).to_have_attribute("fill-opacity", "0.25")  # the rest dim
    # The server refuses what the page does not offer, even to a hand-made request.
    token = page.evaluate("JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken']")
    contractor = Contractor.objects.get()
    url = f"{live_server.url}/contractors/{contractor.pk}/areas/{coverage['Hialeah'].pk}"
    response = page.request.post(url, form={"covered": "1"}, headers={"X-CSRFToken": token})
    assert response.status == 403
    assert response.json() == {"error": "Your role cannot change coverage."}
    assert contractor.service_areas.count() == 1


def test_with_a_google_key_the_map_runs_on_google_maps(coverage, google_maps, sign_in, live_server):
    page = sign_in("owner@example.com")
    page.goto(f"{live_server.url}/contractors")
    marker = page.locator(".fake-marker[data-title^='Hialeah']")
    expect(marker).to_have_attribute("data-fill", "#dc2626")
    assert "key=AIza-test-key" in google_maps[0]
    assert "callback=bookbackGoogleMapsReady" in google_maps[0]
    assert page.locator("link[href*='leaflet']").count() == 0

    row = page.locator("[data-contractor-name='Mike Hernandez']")
    row.get_by_role("link", name="🗺 Areas").click()
    marker.click()
    expect(marker).to_have_attribute("data-fill", "#2563eb")
    expect(row).to_contain_text("📍 2 areas")
    assert Contractor.objects.get().service_areas.filter(label="Hialeah").exists()


def test_an_admin_draws_a_priority_zone_and_orders_it_from_the_keyboard(
    coverage, sign_in, live_server
):
    garage = JobType.objects.get()
    for name in ("Alpha Doors", "Bravo Doors"):
        ContractorFactory(name=name, job_types=[garage])
    ContractorFactory(name="Asleep Doors", job_types=[garage], is_active=False)
    page = sign_in("admin@example.com")
    page.goto(f"{live_server.url}/contractors")
    expect(pin(page, "Hialeah")).to_be_attached()
    page.get_by_role("button", name="🎯 Draw priority zone").click()
    box = page.locator("#coverage-map").bounding_box()
    for x, y in [(0.2, 0.2), (0.8, 0.2), (0.8, 0.8), (0.2, 0.8)]:
        page.mouse.click(box["x"] + box["width"] * x, box["y"] + box["height"] * y)
    expect(page.locator("[data-map-banner]")).to_contain_text("4 so far")
    page.get_by_role("button", name="Finish").click()

    modal = page.locator("#modal-body")
    modal.get_by_label("Name").fill("Miami core")
    modal.get_by_label("Job type").select_option(label="Garage Door")
    search = modal.get_by_role("combobox", name="Add a contractor")
    search.fill("r")  # Alpha, Bravo and Mike offered; Asleep (off) is not
    expect(modal.locator("[data-zone-match]")).to_have_text(
        ["Alpha Doors", "Bravo Doors", "Mike Hernandez"]
    )
    search.press("ArrowDown")
    search.press("Enter")  # Bravo, the highlighted one
    search.press("Enter")  # the menu stays open: now Mike
    expect(modal.locator(".zone-list__name")).to_have_text(["Bravo Doors", "Mike Hernandez"])
    modal.get_by_role("button", name="Move Mike Hernandez up").click()
    expect(modal.locator(".zone-list__name")).to_have_text(["Mike Hernandez", "Bravo Doors"])
    modal.get_by_role("button", name="Save zone").click()
    expect(page.locator("path.map-zone")).to_have_count(1)

    zone = PriorityZone.objects.get()
    assert [entry.contractor.name for entry in zone.entries.all()] == [
        "Mike Hernandez",
        "Bravo Doors",
    ]
    assert len(zone.polygon) == 4


def test_the_bulk_upload_modal_guards_a_picked_file_and_shows_the_result_in_place(
    coverage, sign_in, live_server, tmp_path
):
    sheet = tmp_path / "contractors.csv"
    sheet.write_text("Contractor Name,Contact Person\nSunrise Doors,Ana Diaz\n,No name here\n")
    page = sign_in("owner@example.com")
    page.goto(f"{live_server.url}/contractors")
    page.get_by_role("link", name="📥 Bulk Upload").click()
    modal = page.locator("#modal")
    page.get_by_label("Spreadsheet (.xlsx or .csv)").set_input_files(str(sheet))

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.mouse.click(5, 400)  # outside the modal
    assert questions == ["Close Bulk Upload?"]
    expect(modal).to_have_class("modal-backdrop is-open")  # dismissed: still open

    page.get_by_role("button", name="📥 Upload contractors").click()
    expect(modal).to_contain_text("Added 1 contractor, updated 0. Skipped 1 row")
    expect(modal).to_contain_text("Row 3")
    page.mouse.click(5, 400)  # done: closes without asking
    expect(modal).not_to_have_class("modal-backdrop is-open")
    assert Contractor.objects.filter(name="Sunrise Doors").exists()
