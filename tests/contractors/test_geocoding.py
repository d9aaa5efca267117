"""Geocoding: offline by default; Google (faked at its HTTP boundary) when a key is set."""

import pytest
from django.urls import reverse

from contractors import geocoding
from contractors.geocoding import geocode_zip
from crm.accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db  # the key may come from CP → Google Places API

HIALEAH = {
    "results": [
        {
            "address_components": [
                {"long_name": "33012", "short_name": "33012", "types": ["postal_code"]},
                {
                    "long_name": "Hialeah",
                    "short_name": "Hialeah",
                    "types": ["locality", "political"],
                },
                {
                    "long_name": "Miami-Dade County",
                    "short_name": "Miami-Dade County",
                    "types": ["administrative_area_level_2", "political"],
                },
                {
                    "long_name": "Florida",
                    "short_name": "FL",
                    "types": ["administrative_area_level_1", "political"],
                },
                {
                    "long_name": "United States",
                    "short_name": "US",
                    "types": ["country", "political"],
                },
            ],
            "formatted_address": "Hialeah, FL 33012, USA",
            "geometry": {
                "location": {"lat": 25.8651, "lng": -80.3045},
                "location_type": "APPROXIMATE",
            },
            "place_id": "ChIJ-fake",
            "types": ["postal_code"],
        }
    ],
    "status": "OK",
}
DENIED = {
    "error_message": "The provided API key is invalid.",
    "results": [],
    "status": "REQUEST_DENIED",
}


@pytest.fixture
def google(fake_google):
    fake_google.answer = (200, HIALEAH)
    return fake_google


def test_without_a_key_a_zip_is_geocoded_from_offline_data(settings):
    settings.GOOGLE_MAPS_API_KEY = ""

    place = geocode_zip("33101")

    assert (place.city, place.state) == ("Miami", "FL")
    assert place.lat == pytest.approx(25.77, abs=0.05)
    assert place.lng == pytest.approx(-80.19, abs=0.05)


@pytest.mark.parametrize("raw", ["", "3310", "33101-1234", "abcde", None])
def test_a_malformed_zip_is_refused_with_a_plain_message(raw, settings):
    settings.GOOGLE_MAPS_API_KEY = ""

    with pytest.raises(ValueError, match="5 digits"):
        geocode_zip(raw)


def test_an_unknown_zip_is_refused(settings):
    settings.GOOGLE_MAPS_API_KEY = ""

    with pytest.raises(ValueError, match="00000 was not found"):
        geocode_zip("00000")


def test_with_a_key_google_answers_for_the_zip_in_the_us(google):
    place = geocode_zip("33012")

    assert place == geocoding.Geocode(city="Hialeah", state="FL", lat=25.8651, lng=-80.3045)
    path, query = google.queries[0]
    assert path == "/maps/api/geocode/json"
    assert query["components"] == ["country:US|postal_code:33012"]
    assert query["key"] == ["AIzaTestKey"]


def test_when_google_refuses_the_key_offline_data_answers(google):
    google.answer = (200, DENIED)

    place = geocode_zip("33101")

    assert (place.city, place.state) == ("Miami", "FL")
    assert len(google.queries) == 1


def test_when_google_fails_with_an_http_error_offline_data_answers(google):
    google.answer = (403, {"error": "forbidden"})

    assert geocode_zip("33101").city == "Miami"


def test_when_google_has_no_result_offline_data_answers(google):
    google.answer = (200, {"results": [], "status": "ZERO_RESULTS"})

    assert geocode_zip("33101").city == "Miami"


def test_a_zip_neither_google_nor_offline_data_knows_is_refused(google):
    google.answer = (200, {"results": [], "status": "ZERO_RESULTS"})

    with pytest.raises(ValueError, match="not found"):
        geocode_zip("00000")


def test_lookup_endpoint_returns_the_place_as_json(client, google, db):
    client.force_login(UserFactory(role=Role.OWNER))

    response = client.get(reverse("contractors:service_area_lookup"), {"zip": "33012"})

    assert response.status_code == 200
    assert response.json() == {
        "status": "success",
        "city": "Hialeah",
        "state": "FL",
        "lat": 25.8651,
        "lng": -80.3045,
    }


def test_lookup_endpoint_explains_a_bad_zip_with_a_400(client, db, settings):
    settings.GOOGLE_MAPS_API_KEY = ""
    client.force_login(UserFactory(role=Role.FINANCE_ADMIN))

    response = client.get(reverse("contractors:service_area_lookup"), {"zip": "12"})

    assert response.status_code == 400
    assert response.json() == {"status": "error", "error": "A ZIP code is 5 digits, like 33101."}
