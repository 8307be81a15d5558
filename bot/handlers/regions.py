"""Region names, one source for every screen: the Kyrgyz regions from the training catalogue, and the two
countries migrants work in (subscribers may choose those in /settings) and their large cities (a referral's
place)."""

from __future__ import annotations

from aiogram.utils.i18n import get_i18n

from bot.content.catalogue import ABROAD, REGIONS
from bot.i18n import _


def region_label(region: str, locale: str | None = None) -> str:
    """In `locale`, or in the language of the update being handled."""
    if region in REGIONS:
        return REGIONS[region].get(locale or get_i18n().current_locale)
    countries = {"russia": _("In Russia"), "kazakhstan": _("In Kazakhstan")}
    if region in countries:
        return countries[region]
    if region in ABROAD:
        return ABROAD[region].get(locale or get_i18n().current_locale)
    return region
