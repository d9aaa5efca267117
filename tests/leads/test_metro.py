import re
from itertools import pairwise

import pytest

from leads.metro import METRO_RANGES, metro_for_zip


def test_miami_zip_maps_to_miami():
    assert metro_for_zip("33101") == "Miami, FL"


def test_los_angeles_and_beverly_hills_map_to_los_angeles():
    assert metro_for_zip("90012") == "Los Angeles, CA"
    assert metro_for_zip("90210") == "Los Angeles, CA"


def test_boston_zip_with_leading_zero():
    assert metro_for_zip("02134") == "Boston, MA"


def test_zip_plus_four_is_accepted():
    assert metro_for_zip("02134-1234") == "Boston, MA"
    assert metro_for_zip("021341234") == "Boston, MA"


def test_surrounding_whitespace_is_ignored():
    assert metro_for_zip(" 33101 ") == "Miami, FL"


@pytest.mark.parametrize(
    ("zip_code", "metro"),
    [
        ("10001", "New York, NY"),  # Manhattan
        ("11201", "New York, NY"),  # Brooklyn
        ("07302", "New York, NY"),  # Jersey City: NJ suburbs belong to New York
        ("60601", "Chicago, IL"),
        ("46320", "Chicago, IL"),  # Hammond, IN
        ("77002", "Houston, TX"),
        ("75201", "Dallas, TX"),
        ("76102", "Fort Worth, TX"),
        ("33301", "Fort Lauderdale, FL"),
        ("33401", "West Palm Beach, FL"),
        ("30303", "Atlanta, GA"),
        ("85004", "Phoenix, AZ"),
        ("19103", "Philadelphia, PA"),
        ("08002", "Philadelphia, PA"),  # Cherry Hill, NJ
        ("98101", "Seattle, WA"),
        ("94103", "San Francisco, CA"),
        ("95113", "San Jose, CA"),
        ("94612", "Oakland, CA"),
        ("92101", "San Diego, CA"),
        ("80202", "Denver, CO"),
        ("48226", "Detroit, MI"),
        ("55401", "Minneapolis, MN"),
        ("33602", "Tampa, FL"),
        ("32801", "Orlando, FL"),
        ("32202", "Jacksonville, FL"),
        ("28202", "Charlotte, NC"),
        ("27601", "Raleigh, NC"),
        ("20001", "Washington, DC"),
        ("22201", "Washington, DC"),  # Arlington, VA
        ("21201", "Baltimore, MD"),
        ("89101", "Las Vegas, NV"),
        ("97201", "Portland, OR"),
        ("98660", "Portland, OR"),  # Vancouver, WA
        ("95814", "Sacramento, CA"),
        ("63101", "St. Louis, MO"),
        ("64105", "Kansas City, MO"),
        ("66101", "Kansas City, MO"),  # Kansas City, KS
        ("78701", "Austin, TX"),
        ("78205", "San Antonio, TX"),
        ("37203", "Nashville, TN"),
        ("84101", "Salt Lake City, UT"),
    ],
)
def test_major_metros_are_mapped(zip_code, metro):
    assert metro_for_zip(zip_code) == metro


def test_unmapped_prefix_gives_empty():
    assert metro_for_zip("59101") == ""  # Billings, MT: rural 59x is left unmapped
    assert metro_for_zip("00501") == ""  # below the first range


@pytest.mark.parametrize("zip_code", ["", None, "abc", "123", "2134", "123456", "ab123"])
def test_malformed_zip_gives_empty(zip_code):
    assert metro_for_zip(zip_code) == ""


def test_ranges_are_sorted_and_do_not_overlap():
    for first, last, _ in METRO_RANGES:
        assert 0 <= first <= last <= 999
    for (_, last, _), (next_first, _, _) in pairwise(METRO_RANGES):
        assert last < next_first


def test_table_has_about_150_ranges():
    assert 130 <= len(METRO_RANGES) <= 180


def test_every_name_is_city_comma_state():
    pattern = re.compile(r"^[A-Z][A-Za-z .'-]+, [A-Z]{2}$")
    for _, _, name in METRO_RANGES:
        assert pattern.match(name), name


def test_every_prefix_in_a_range_gets_that_ranges_metro():
    for first, last, name in METRO_RANGES:
        assert metro_for_zip(f"{first:03d}00") == name
        assert metro_for_zip(f"{last:03d}99") == name
