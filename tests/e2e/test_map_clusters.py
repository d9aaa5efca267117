"""Crowded pins on the Leaflet coverage map (no Google key) cluster: one counted bubble at the
fitted zoom instead of pins drawn over each other; a click on it zooms in to the single pins,
which open as they always did."""

import pytest
from playwright.sync_api import expect

from contractors.models import Contractor
from tests.e2e.test_csp import REPORT_VIOLATIONS
from tests.factories import ContractorFactory, JobTypeFactory, ServiceAreaFactory

# Four Miami ZIPs a mile or two apart: a dozen pixels at the map's fitted zoom, so they overlap.
DOWNTOWN = [
    ("Downtown", "33131", 25.7680, -80.1890),
    ("Overtown", "33136", 25.7800, -80.1990),
    ("Little Havana", "33135", 25.7720, -80.2080),
    ("Edgewater", "33137", 25.7880, -80.1880),
]


@pytest.fixture
def crowded(people):
    garage = JobTypeFactory(label="Garage Door")
    areas = [
        ServiceAreaFactory(label=label, zip_code=zip_code, lat=lat, lng=lng)
        for label, zip_code, lat, lng in DOWNTOWN
    ]
    hialeah = ServiceAreaFactory(label="Hialeah", zip_code="33010", lat=25.86, lng=-80.28)
    ContractorFactory(name="Mike Hernandez", job_types=[garage], service_areas=[*areas, hialeah])
    ContractorFactory(name="Best Doors LLC", job_types=[garage])


@pytest.fixture
def problems(page):
    """The vendored cluster script and styles load under the CSP, and nothing throws."""
    found = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda m: found.append(m.text) if "Content Security" in m.text else None)
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def pin(page, label):
    return page.locator(f"path.map-pin[data-area='{label}']")


def expect_one_cluster_of_downtown(page):
    cluster = page.locator(".marker-cluster")
    expect(cluster).to_have_count(1)
    expect(cluster).to_have_text("4")
    # Slate, not the plugin's green: green is the legend's "2+ active contractors".
    expect(cluster.locator("div")).to_have_css("background-color", "rgba(71, 85, 105, 0.85)")
    expect(pin(page, "Hialeah")).to_be_visible()  # miles away: a pin of its own
    for label, *_ in DOWNTOWN:
        expect(pin(page, label)).to_have_count(0)
    return cluster


def zoom_into(page, cluster):
    cluster.click()
    for label, *_ in DOWNTOWN:
        expect(pin(page, label)).to_be_visible()
    expect(page.locator(".marker-cluster")).to_have_count(0)


def test_crowded_service_areas_cluster_and_a_pin_opens_once_zoomed_in(
    crowded, problems, sign_in, live_server
):
    page = sign_in("owner@example.com")
    page.goto(f"{live_server.url}/service-areas")
    cluster = expect_one_cluster_of_downtown(page)
    zoom_into(page, cluster)

    pin(page, "Overtown").click()  # a real click: nothing covers the pin any more
    popup = page.locator(".leaflet-popup")
    expect(popup).to_contain_text("Overtown")
    expect(popup).to_contain_text("Miami, FL 33136")
    expect(popup).to_contain_text("1 contractor covering")
    expect(page.locator("path.map-ring")).to_have_count(1)
    assert not problems, "\n".join(problems)


def test_on_the_contractors_map_clustered_pins_keep_their_colors_and_toggle_in_edit_mode(
    crowded, problems, sign_in, live_server
):
    page = sign_in("owner@example.com")
    page.goto(f"{live_server.url}/contractors")
    cluster = expect_one_cluster_of_downtown(page)
    zoom_into(page, cluster)
    expect(pin(page, "Edgewater")).to_have_attribute("fill", "#eab308")  # one contractor: yellow
    expect(pin(page, "Edgewater")).to_have_attribute("aria-label", "Edgewater, Miami FL")
    pin(page, "Edgewater").hover()
    tip = page.locator(".leaflet-tooltip.map-tip", has_text="Edgewater")
    expect(tip).to_contain_text("Mike Hernandez")

    row = page.locator("[data-contractor-name='Best Doors LLC']")
    row.get_by_role("link", name="🗺 Areas").click()
    pin(page, "Little Havana").click()
    expect(pin(page, "Little Havana")).to_have_attribute("fill", "#2563eb")  # covered: blue
    expect(row).to_contain_text("📍 1 area")
    best = Contractor.objects.get(name="Best Doors LLC")
    assert [area.label for area in best.service_areas.all()] == ["Little Havana"]
    assert not problems, "\n".join(problems)
