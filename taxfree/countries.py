"""Nationality codes: ISO 3166-1 alpha-3 plus the extra codes ICAO 9303 uses on documents."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext_lazy as _
from iso3166 import countries_by_alpha3

# ICAO Doc 9303 part 3: codes that are not ISO countries but appear as nationality.
ICAO_EXTRA = {
    "D": "Germany (ICAO)",
    "EUE": "European Union",
    "GBD": "British Overseas Territories Citizen",
    "GBN": "British National (Overseas)",
    "GBO": "British Overseas Citizen",
    "GBP": "British Protected Person",
    "GBS": "British Subject",
    "RKS": "Kosovo",
    "UNA": "United Nations specialized agency",
    "UNK": "Kosovo (UNMIK)",
    "UNO": "United Nations",
    "XOM": "Sovereign Military Order of Malta",
    "XXA": "Stateless person",
    "XXB": "Refugee (1951 Convention)",
    "XXC": "Refugee (other)",
    "XXX": "Unspecified nationality",
}


def country_name(code: str, language: str | None = None) -> str:
    """The country's name in the UI language (CLDR data through Babel); ICAO's extra codes in English."""
    if code in ICAO_EXTRA:
        return ICAO_EXTRA[code]
    country = countries_by_alpha3.get(code)
    if country is None:
        return code
    return _territories(language or get_language() or "en").get(country.alpha2) or country.name


@lru_cache(maxsize=16)
def _territories(language: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(to_locale(language)).territories)
    except (ValueError, UnknownLocaleError):
        return {}


def validate_nationality(value: str) -> None:
    if value not in ICAO_EXTRA and value not in countries_by_alpha3:
        raise ValidationError(
            _("'%(code)s' is not an ISO 3166-1 alpha-3 or ICAO nationality code."),
            code="nationality",
            params={"code": value},
        )


def nationality_choices(language: str | None = None) -> list[tuple[str, str]]:
    """Every code, ordered by its name in the UI language, shown as "name (CODE)"."""
    codes = set(countries_by_alpha3) | set(ICAO_EXTRA) - {"D"}
    named = [(c, country_name(c, language)) for c in codes]
    return [(c, f"{name} ({c})") for c, name in sorted(named, key=lambda pair: pair[1])]


@lru_cache(maxsize=16)
def alpha2_choices(language: str) -> tuple[tuple[str, str], ...]:
    """ISO 3166-1 alpha-2 codes with their names in `language`, ordered by name (banks' countries)."""
    from iso3166 import countries_by_alpha2

    names = _territories(language)
    return tuple(sorted(((c, names.get(c) or k.name) for c, k in countries_by_alpha2.items()), key=lambda p: p[1]))
