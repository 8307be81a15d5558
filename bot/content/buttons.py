"""Labels that become buttons must fit a phone: at most `BUTTON_MAX` characters in every language.

Telegram cuts a longer label with an ellipsis, often in the middle of the word that mattered. Guide titles,
link labels, catalogue titles and country and city names are buttons; region names share a row two by two,
so they get `REGION_MAX`.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from bot.content.catalogue import Offer
from bot.content.common import LOCALES, Finding, LocalizedText, walk_model
from bot.content.contacts import City, Country
from bot.content.topics import Link, Topic

BUTTON_MAX = 30
REGION_MAX = 20
# Which field of which model is shown on a button.
_BUTTON_FIELDS: tuple[tuple[type[BaseModel], str], ...] = (
    (Topic, "title"),
    (Link, "label"),
    (Offer, "title"),
    (Country, "name"),
    (City, "name"),
)


def too_long(label: LocalizedText, limit: int = BUTTON_MAX) -> Iterator[tuple[str, int]]:
    """(locale, length) of each language whose label is over `limit`."""
    for locale in LOCALES:
        if len(label.get(locale)) > limit:
            yield locale, len(label.get(locale))


def button_findings(model: BaseModel) -> Iterator[Finding]:
    for loc, value in walk_model(model, ()):
        for kind, name in _BUTTON_FIELDS:
            if isinstance(value, kind):
                for locale, length in too_long(getattr(value, name)):
                    yield Finding(
                        loc=loc + (name, locale),
                        message=f"a button label of {length} characters: {BUTTON_MAX} at most fit a phone",
                    )
