"""What a subscriber can choose (region, topics) and whom a broadcast is for.

The ids here are stored in the database and put in callback data, so they are short ASCII and never change;
their labels live in the `broadcasts` catalogue.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from bot.content.common import LOCALES

# Topics a subscriber can follow. `safety` is on for everyone who starts the bot (0004_broadcasts.sql).
INTERESTS: tuple[str, ...] = ("rules", "jobs", "safety", "events")
SAFETY = "safety"

# The two cities of republican significance and the seven oblasts (the same ids as the referrals catalogue),
# then the two countries most migrants work in.
REGIONS: tuple[str, ...] = (
    "bishkek",
    "osh_city",
    "chuy",
    "osh",
    "jalal_abad",
    "batken",
    "issyk_kul",
    "naryn",
    "talas",
    "russia",
    "kazakhstan",
)


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
