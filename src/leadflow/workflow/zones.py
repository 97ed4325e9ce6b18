"""The patient's time zone, from their phone number or their country.

A callback is agreed in the patient's local time, so the zone comes from what we know of where
they are: the phone number's area (libphonenumber's geocoding, which names the zones a number's
prefix covers), else the country (CLDR's zones of the territory, through Babel). Both are
maintained data; nothing here is a hand-written table.

When a number's prefix covers several zones (a British mobile: London, Jersey, Guernsey, Man; a
US toll-free number: every North American zone), the country's zone wins if it is among them,
then that of the calling code's main country, then the first in alphabetical order, so the
answer is always the same. A country with several zones (the US, Russia) is represented by the
zone of its example fixed-line number (New York, Irkutsk): deterministic, if arbitrary.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import phonenumbers
from babel.core import get_global
from phonenumbers import timezone as number_zones

UNKNOWN = number_zones.UNKNOWN_TIMEZONE


def patient_zone(country: str | None, phone_e164: str | None) -> str | None:
    """The patient's IANA time zone (e.g. "Europe/Berlin"); None when neither the phone number
    nor the country (ISO 3166 alpha-2) tells."""
    home = country_zone(country) if country else None
    return _phone_zone(phone_e164, home) if phone_e164 else home


def country_zone(country: str) -> str | None:
    """The zone of a country (ISO 3166 alpha-2), or None for a code CLDR does not know."""
    zones = [_canonical(z) for z in get_global("territory_zones").get(country.upper(), ())]
    if len(zones) <= 1:
        return zones[0] if zones else None
    example = phonenumbers.example_number(country.upper())
    found = _zones_of(example) if example is not None else []
    return next((z for z in found if z in zones), sorted(zones)[0])


def _phone_zone(phone_e164: str, home: str | None) -> str | None:
    try:
        number = phonenumbers.parse(phone_e164)
    except phonenumbers.NumberParseException:
        return home
    zones = _zones_of(number)
    if not zones:
        return home or _calling_code_zone(number.country_code)
    if len(zones) == 1:
        return zones[0]
    preferred = (home, _calling_code_zone(number.country_code))
    return next((z for z in preferred if z in zones), zones[0])


def _zones_of(number: phonenumbers.PhoneNumber) -> list[str]:
    """The zones the number's prefix covers, in canonical names, sorted; [] when unknown."""
    found = number_zones.time_zones_for_number(number)
    return sorted({_canonical(z) for z in found if z != UNKNOWN})


def _calling_code_zone(calling_code: int | None) -> str | None:
    """The zone of the main country of a calling code (+1: the US, +44: the UK, +7: Russia)."""
    region = phonenumbers.region_code_for_country_code(calling_code or 0)
    return country_zone(region) if region != phonenumbers.UNKNOWN_REGION else None


def _canonical(zone: str) -> str:
    """Today's IANA name of a zone (libphonenumber still says Asia/Calcutta, Europe/Kiev)."""
    return str(get_global("zone_aliases").get(zone, zone))


class WallTimeError(ValueError):
    """A local wall time that names no single instant in its zone."""


class NonexistentTime(WallTimeError):
    def __init__(self, wall: datetime, zone: str) -> None:
        super().__init__(
            f"{wall:%Y-%m-%d %H:%M} does not exist in {zone}: the clocks skip it (summer time "
            "begins); choose another time"
        )


class AmbiguousTime(WallTimeError):
    def __init__(self, wall: datetime, zone: str) -> None:
        super().__init__(
            f"{wall:%Y-%m-%d %H:%M} happens twice in {zone}: the clocks go back (summer time "
            "ends); choose another time, or give the time with its UTC offset"
        )


def wall_time_to_utc(wall: datetime, zone: str) -> datetime:
    """The UTC instant of the wall time `wall` (naive) in `zone`. A time the zone skips or
    repeats at a DST change is refused (`NonexistentTime`, `AmbiguousTime`): a callback
    promised for 02:30 on such a night must be agreed again, not guessed."""
    if wall.tzinfo is not None:
        raise ValueError("a wall time has no UTC offset")
    tz = ZoneInfo(zone)
    first, second = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(UTC)
    instant = first.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != wall:
        raise NonexistentTime(wall, zone)
    raise AmbiguousTime(wall, zone)


def wall_time_in(instant: datetime, zone: str) -> datetime:
    """The wall time (naive) of the aware `instant` in `zone`."""
    return instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
