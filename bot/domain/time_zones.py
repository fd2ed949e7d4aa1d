"""Turning what a client types ("London", "new york", "Europe/Paris", "Sydny") into IANA zones.

Pure: the list of zones comes from the installed tz database (`zoneinfo`), nothing else.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from rapidfuzz import fuzz, process

# Offered as buttons after the configured default zone (DESIGN.md: UK practice by default).
LIKELY_ZONES: tuple[str, ...] = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Madrid",
    "America/New_York",
    "Australia/Sydney",
)
MAX_SUGGESTIONS = 3
# WRatio score (0-100) above which a misspelt city ("Londn", "Sydny") is still offered.
FUZZY_CUTOFF = 85.0
# Longer input is not a place name; matching it would only waste time.
MAX_INPUT_CHARS = 64

_AREAS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)
_ALIASES: dict[str, str] = {
    "uk": "Europe/London",
    "united kingdom": "Europe/London",
    "england": "Europe/London",
    "scotland": "Europe/London",
    "wales": "Europe/London",
    "northern ireland": "Europe/London",
    "britain": "Europe/London",
    "great britain": "Europe/London",
    "gb": "Europe/London",
    "ireland": "Europe/Dublin",
    "utc": "UTC",
}


@cache
def _city_index() -> dict[str, tuple[str, ...]]:
    """City name (lower case, spaces) → the zones named after it."""
    index: dict[str, list[str]] = {}
    for zone in available_timezones():
        if zone.startswith(_AREAS):
            city = zone.rsplit("/", 1)[1].replace("_", " ").lower()
            index.setdefault(city, []).append(zone)
    return {city: tuple(sorted(zones)) for city, zones in index.items()}


@cache
def _zones_by_lower_name() -> dict[str, str]:
    return {zone.lower(): zone for zone in available_timezones()}


def is_time_zone(name: str) -> bool:
    """True for an installed IANA zone name, spelt exactly (as in callback data)."""
    return _zones_by_lower_name().get(name.lower()) == name


def match_time_zones(text: str) -> tuple[str, ...]:
    """Zones the text most likely means, best first; empty when nothing is close.

    One result means a confident match; several mean "did you mean…?".
    """
    cleaned = " ".join(text.strip().split())
    if not cleaned or len(cleaned) > MAX_INPUT_CHARS:
        return ()
    lowered = cleaned.lower()
    exact = _zones_by_lower_name().get(lowered.replace(" ", "_"))
    if exact is not None:
        return (exact,)
    place = lowered.split(",", 1)[0].strip()
    if place in _ALIASES:
        return (_ALIASES[place],)
    cities = _city_index()
    if place in cities:
        return cities[place][:MAX_SUGGESTIONS]
    found = process.extract(
        place, list(cities), scorer=fuzz.WRatio, limit=MAX_SUGGESTIONS, score_cutoff=FUZZY_CUTOFF
    )
    zones: list[str] = []
    for city, _score, _index in found:
        zones.extend(cities[city])
    return tuple(dict.fromkeys(zones))[:MAX_SUGGESTIONS]


def suggested_zones(default_zone: str) -> tuple[str, ...]:
    """The configured default first, then the other likely zones, without repeats."""
    return tuple(dict.fromkeys((default_zone, *LIKELY_ZONES)))


def zone_city(zone: str) -> str:
    """ "America/New_York" → "New York", for button labels."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")
