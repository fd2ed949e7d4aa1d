"""Typed places → IANA zones: the practice's country first, then the world (GeoNames data)."""

from __future__ import annotations

import pytest

from bot.domain.time_zones import country_of_zone, match_time_zones

UK = "Europe/London"


@pytest.mark.parametrize(
    ("typed", "home", "zones"),
    [
        ("manchester", UK, ("Europe/London",)),  # not Manchester, New Hampshire
        ("Leeds", UK, ("Europe/London",)),
        ("cardiff", UK, ("Europe/London",)),
        ("manchester", "America/New_York", ("America/New_York",)),  # a US practice: NH
        ("Perth", UK, ("Europe/London", "Australia/Perth")),  # Scotland first, Australia too
        ("Zürich", UK, ("Europe/Zurich",)),
        ("zurich", UK, ("Europe/Zurich",)),
        ("São Paulo", UK, ("America/Sao_Paulo",)),
        ("Los Angeles", UK, ("America/Los_Angeles",)),
        ("Londn", UK, ("Europe/London",)),  # misspelt
        ("Europe/Berlin", UK, ("Europe/Berlin",)),
        ("xyzzy", UK, ()),
    ],
)
def test_a_typed_place_means_the_zones_a_person_would_expect(
    typed: str, home: str, zones: tuple[str, ...]
) -> None:
    assert match_time_zones(typed, home_zone=home) == zones


def test_a_name_shared_abroad_only_is_offered_as_a_choice() -> None:
    found = match_time_zones("springfield", home_zone=UK)
    assert len(found) > 1 and all(zone.startswith("America/") for zone in found)


def test_the_practice_country_comes_from_the_tz_database() -> None:
    assert country_of_zone("Europe/London") == "GB"
    assert country_of_zone("Australia/Sydney") == "AU"
    assert country_of_zone("Not/AZone") is None
