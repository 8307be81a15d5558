"""What a subscriber can choose (region, topics) and whom a broadcast is for.

The ids here are stored in the database and put in callback data, so they are short ASCII and never change;
their labels live in the `broadcasts` catalogue.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from bot.content.catalogue import PLACE_COUNTRY, PLACES
from bot.content.common import LOCALES

# Topics a subscriber can follow. `safety` is on for everyone who starts the bot (0004_broadcasts.sql).
INTERESTS: tuple[str, ...] = ("rules", "jobs", "safety", "events")
SAFETY = "safety"

# Where a subscriber may say they are: the same places as the referral form (the Kyrgyz regions, then the
# large cities of Russia and Kazakhstan and each country for anywhere else in it), one list in
# bot/content/catalogue.py.
REGIONS: tuple[str, ...] = tuple(PLACES)

# A broadcast for one of these countries goes to everyone there, whichever city they chose; their ids are the
# ones /settings offered before the cities existed (a subscriber who chose "russia" then is still reached).
COUNTRY_TARGETS: dict[str, str] = {"russia": "ru", "kazakhstan": "kz"}


def places_of(region: str) -> tuple[str, ...]:
    """The subscriber regions a broadcast for `region` reaches: a whole country, or that place alone."""
    country = COUNTRY_TARGETS.get(region)
    if country is None:
        return (region,)
    return tuple(place for place in REGIONS if PLACE_COUNTRY[place] == country)


@dataclass(frozen=True)
class Audience:
    """Subscribers a broadcast goes to: every field left None means "anyone"; set fields must all match."""

    locale: str | None = None
    region: str | None = None
    interest: str | None = None

    def __post_init__(self) -> None:
        if self.locale is not None and self.locale not in LOCALES:
            raise ValueError(f"unknown locale {self.locale!r}")
        if self.region is not None and self.region not in REGIONS:
            raise ValueError(f"unknown region {self.region!r}")
        if self.interest is not None and self.interest not in INTERESTS:
            raise ValueError(f"unknown interest {self.interest!r}")

    @property
    def is_everyone(self) -> bool:
        return self.locale is None and self.region is None and self.interest is None

    def to_json(self) -> str:
        return json.dumps({key: value for key, value in asdict(self).items() if value is not None})

    @classmethod
    def from_json(cls, raw: str) -> Audience:
        return cls(**json.loads(raw))
