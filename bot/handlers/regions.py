"""Region names and the region buttons, one source for every screen: the Kyrgyz regions from the training
catalogue, then the large cities of Russia and Kazakhstan and each country for anywhere else in it. The
referral form's region step and /settings offer the same places; a broadcast may go to a place or to all
of Russia or Kazakhstan."""

from __future__ import annotations

from aiogram.utils.i18n import get_i18n

from bot.content.catalogue import ABROAD, PLACE_COUNTRY, PLACES, REGIONS
from bot.i18n import _
from bot.services.subscriptions import COUNTRY_TARGETS

FLAGS = {"kg": "", "ru": "🇷🇺 ", "kz": "🇰🇿 "}


def region_label(region: str, locale: str | None = None) -> str:
    """In `locale`, or in the language of the update being handled."""
    if region in REGIONS:
        return REGIONS[region].get(locale or get_i18n().current_locale)
    if region in ABROAD:  # a city, or a country for anywhere else in it: "Russia (another city)"
        return ABROAD[region].get(locale or get_i18n().current_locale)
    return region


def place_options(locale: str) -> list[tuple[str, str]]:
    """(label, id) of every place, Kyrgyz regions first, then the cities abroad under their country's flag:
    a migrant is often abroad."""
    return [(FLAGS[PLACE_COUNTRY[rid]] + label.get(locale), rid) for rid, label in PLACES.items()]


def target_label(region: str) -> str:
    """A broadcast's region: a country id means everyone in that country, whichever city they chose."""
    countries = {"russia": _("🇷🇺 All of Russia"), "kazakhstan": _("🇰🇿 All of Kazakhstan")}
    if region in COUNTRY_TARGETS:
        return countries[region]
    return FLAGS[PLACE_COUNTRY[region]] + region_label(region) if region in PLACE_COUNTRY else region
