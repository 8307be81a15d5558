"""The help directory: `content/contacts.yaml`, organisations a migrant can turn to, by country and city.

```yaml
countries:
  - id: ru
    name: {ky: Россия, ru: Россия, en: Russia}
    cities:
      - id: moscow
        name: {ky: Москва, ru: Москва, en: Moscow}
contacts:
  - id: ru-emergency
    organisation: {ky: ..., ru: ..., en: ...}
    kind: emergency
    country: ru
    city: moscow                # optional: without it the contact serves the whole country
    phones: ["112"]             # shown as text, never as tel: buttons
    website: https://...        # optional
    hours: {ky: ..., ru: ..., en: ...}        # optional
    languages: [ru]             # optional
    note: {ky: ..., ru: ..., en: ...}         # optional, Telegram HTML
    source: ...
    verified_on: 2026-11-20
    verified: false             # anything not confirmed: shown with a "not verified" mark
```
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from bot.content.common import (
    SLUG_PATTERN,
    ContentFile,
    Finding,
    HtmlText,
    LocalizedText,
    Sourced,
    StrictModel,
    check_url,
    duplicate_ids,
)

ContactKind = Literal["emergency", "consulate", "hotline", "ngo", "legal_aid", "iom", "government"]
CONTACT_KINDS: tuple[str, ...] = ContactKind.__args__  # type: ignore[attr-defined]
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{1,24}$")


class City(StrictModel):
    id: str = Field(pattern=SLUG_PATTERN, max_length=20)
    name: LocalizedText


class Country(StrictModel):
    id: str = Field(pattern=SLUG_PATTERN, max_length=8)
    name: LocalizedText
    cities: tuple[City, ...] = ()


class Contact(Sourced):
    id: str = Field(pattern=SLUG_PATTERN, max_length=40)
    organisation: LocalizedText
    kind: ContactKind
    country: str
    city: str | None = None
    phones: tuple[str, ...] = ()
    website: str | None = None
    hours: LocalizedText | None = None
    languages: tuple[Literal["ky", "ru", "en", "kk"], ...] = ()
    note: HtmlText | None = None

    @field_validator("phones")
    @classmethod
    def _check_phones(cls, phones: tuple[str, ...]) -> tuple[str, ...]:
        for phone in phones:
            if not _PHONE.match(phone):
                raise ValueError(f"{phone!r} is not a phone number (digits, spaces, + - and brackets only)")
        return phones

    @field_validator("website")
    @classmethod
    def _check_website(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value)


class ContactsFile(ContentFile):
    countries: tuple[Country, ...]
    contacts: tuple[Contact, ...] = ()

    def findings(self) -> list[Finding]:
        """Duplicate ids, and contacts placed in a country or city the file does not declare."""
        found = duplicate_ids("countries", [country.id for country in self.countries])
        found += duplicate_ids("contacts", [contact.id for contact in self.contacts])
        cities = {country.id: {city.id for city in country.cities} for country in self.countries}
        for index, contact in enumerate(self.contacts):
            if contact.country not in cities:
                found.append(
                    Finding(
                        loc=("contacts", index, "country"), message=f"unknown country id {contact.country!r}"
                    )
                )
            elif contact.city is not None and contact.city not in cities[contact.country]:
                found.append(
                    Finding(
                        loc=("contacts", index, "city"),
                        message=f"unknown city id {contact.city!r} in country {contact.country!r}",
                    )
                )
            if not contact.phones and contact.website is None:
                found.append(Finding(loc=("contacts", index), message="give at least a phone or a website"))
        return found
