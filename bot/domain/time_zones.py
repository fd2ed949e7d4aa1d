"""Turning what a client types ("London", "new york", "Europe/Paris", "Sydny", "Manchester")
into IANA zones.

Pure, from two read-only data sets: the installed tz database (`zoneinfo`, and its
`zone.tab` saying which country each zone is in) and GeoNames' cities of 15,000 people or more
with their zones (bot/data/city_zones.tsv.gz, built by scripts/build_city_zones.py). A city in
the practice's own country (the country of `DEFAULT_TIMEZONE`) wins over a namesake abroad:
"Manchester" is Europe/London for a UK practice, not New Hampshire.
"""

from __future__ import annotations

import gzip
import unicodedata
from functools import cache
from importlib import resources
from zoneinfo import available_timezones

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


# One GeoNames place: (ISO country code, IANA zone).
_Place = tuple[str, str]


def folded_place_name(name: str) -> str:
    """Lower case, accents off, spaces single: "Zürich " → "zurich" (also the data's key)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join((ascii_name or name).lower().replace("-", " ").split())


@cache
def _places() -> dict[str, list[_Place]]:
    """GeoNames city (folded name) → every place of that name, most populous first.

    The file is stored folded and in that order (scripts/build_city_zones.py), so loading is
    one split per line: about 0.2 s and 17 MB for 34,000 places, once, in a worker thread
    (the caller runs the lookup with `asyncio.to_thread`).
    """
    raw = resources.files("bot.data").joinpath("city_zones.tsv.gz").read_bytes()
    found: dict[str, list[_Place]] = {}
    for line in gzip.decompress(raw).decode().splitlines()[1:]:
        name, country, zone = line.split("\t", 3)[:3]
        found.setdefault(name, []).append((country, zone))
    return found


@cache
def country_of_zone(zone: str) -> str | None:
    """ISO country code of an IANA zone (tz database's zone.tab), e.g. Europe/London → GB."""
    try:
        table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text()
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - tzdata is a dependency
        return None
    for line in table.splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            if len(fields) >= 3 and fields[2] == zone:
                return fields[0]
    return None


@cache
def _home_places(country: str) -> dict[str, str]:
    """The practice country's cities (folded name → zone of its most populous namesake)."""
    return {
        name: home[0][1]
        for name, places in _places().items()
        if (home := [p for p in places if p[0] == country])
    }


def _distinct_zones(places: list[_Place]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(zone for _, zone in places))[:MAX_SUGGESTIONS]


def match_time_zones(text: str, *, home_zone: str | None = None) -> tuple[str, ...]:
    """Zones the text most likely means, best first; empty when nothing is close.

    One result means a confident match; several mean "did you mean…?". `home_zone` is the
    practice's zone (DEFAULT_TIMEZONE): a city of its country is matched first, then any city
    of the world (namesakes abroad offered as choices), then misspellings.
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
    folded = folded_place_name(place)
    country = country_of_zone(home_zone) if home_zone else None
    home = _home_places(country) if country else {}
    cities = _city_index()
    if folded in home:
        # A home city that is also a zone's city elsewhere (Perth, Scotland and Australia):
        # home first, the other offered beside it.
        abroad = [z for z in cities.get(place, ()) if country_of_zone(z) not in (None, country)]
        return tuple(dict.fromkeys((home[folded], *abroad)))[:MAX_SUGGESTIONS]
    if place in cities:
        return cities[place][:MAX_SUGGESTIONS]
    world = _places().get(folded)
    if world:
        return _distinct_zones(world)
    # Misspellings: among the zone cities, then the home country's (a few hundred names),
    # never the whole world's 34,000, which would be slow and match far-off namesakes. Home
    # places are compared whole (plain ratio): WRatio's partial matching would find a town
    # inside any sentence ("under the sea"). rapidfuzz is imported here, on the first
    # misspelling: most bots never need it, and it is a few megabytes held for nothing.
    from rapidfuzz import fuzz, process

    zones: list[str] = []
    for city, _score, _index in process.extract(
        place, list(cities), scorer=fuzz.WRatio, limit=MAX_SUGGESTIONS, score_cutoff=FUZZY_CUTOFF
    ):
        zones.extend(cities[city])
    for city, _score, _index in process.extract(
        folded, list(home), scorer=fuzz.ratio, limit=MAX_SUGGESTIONS, score_cutoff=FUZZY_CUTOFF
    ):
        zones.append(home[city])
    return tuple(dict.fromkeys(zones))[:MAX_SUGGESTIONS]


def suggested_zones(default_zone: str) -> tuple[str, ...]:
    """The configured default first, then the other likely zones, without repeats."""
    return tuple(dict.fromkeys((default_zone, *LIKELY_ZONES)))


def zone_city(zone: str) -> str:
    """ "America/New_York" → "New York", for button labels."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")
