"""Nationality codes: ISO 3166-1 alpha-3 plus the extra codes ICAO 9303 uses on documents."""

from __future__ import annotations

from django.core.exceptions import ValidationError
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


def country_name(code: str) -> str:
    if code in ICAO_EXTRA:
        return ICAO_EXTRA[code]
    country = countries_by_alpha3.get(code)
    return country.name if country else code


def validate_nationality(value: str) -> None:
    if value not in ICAO_EXTRA and value not in countries_by_alpha3:
        raise ValidationError(
            _("'%(code)s' is not an ISO 3166-1 alpha-3 or ICAO nationality code."),
            code="nationality", params={"code": value},
        )


def nationality_choices() -> list[tuple[str, str]]:
    codes = sorted(set(countries_by_alpha3) | set(ICAO_EXTRA) - {"D"})
    return [(c, f"{c} — {country_name(c)}") for c in codes]
