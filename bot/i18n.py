"""Translations: the gettext catalogues in `locales/`, read straight from their `.po` sources.

Each feature keeps its strings in its own catalogue file (`locales/<lang>/LC_MESSAGES/<feature>.po`); all
files of a language are merged into one translation at start. Reading `.po` files directly means a fresh
clone needs no `pybabel compile` step and can never run with stale `.mo` files.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _  # noqa: F401  (re-exported for handlers)
from aiogram.utils.i18n import lazy_gettext as __  # noqa: F401
from babel.dates import format_date as babel_format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.content.common import LOCALES

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGE_NAMES = {"ky": "Кыргызча", "ru": "Русский", "en": "English"}

# GLOSSARY.md: ky and ru write dates as 05.03.2026, English as 5 March 2026.
_DATE_PATTERNS = {"ky": "dd.MM.yyyy", "ru": "dd.MM.yyyy", "en": "d MMMM yyyy"}


def read_catalogue(locale: str, locales_dir: Path = LOCALES_DIR) -> Catalog:
    """All `.po` files of one language merged into one catalogue."""
    merged = Catalog(locale=locale, domain="messages")
    for po_path in sorted((locales_dir / locale / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as fp:
            for message in read_po(fp, locale=locale):
                if message.id:
                    merged[message.id] = message
    return merged


def compile_catalogue(catalogue: Catalog) -> gettext.GNUTranslations:
    """Compile in memory; fuzzy entries are left out, as gettext does."""
    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Catalogues(I18n):
    """aiogram's I18n, fed from `.po` sources instead of compiled `.mo` files."""

    def __init__(self, default_locale: str = "ru", path: Path = LOCALES_DIR) -> None:
        super().__init__(path=path, default_locale=default_locale, domain="messages")

    @contextmanager
    def context(self) -> Iterator[I18n]:
        """Make this the current I18n for `_()`; aiogram looks it up on the base class's context variable."""
        token = I18n.set_current(self)
        try:
            yield self
        finally:
            I18n.reset_current(token)

    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        return {locale: compile_catalogue(read_catalogue(locale, self.path)) for locale in LOCALES}


def telegram_locale(telegram_code: str | None) -> str | None:
    """Our locale for a Telegram `language_code` ("ru", "en-US", "ky"), or None when we don't speak it."""
    if telegram_code:
        short = telegram_code.split("-")[0].lower()
        if short in LOCALES:
            return short
    return None


def pick_locale(stored: str | None, telegram_code: str | None, default: str) -> str:
    """The user's stored choice, else Telegram's language when we speak it, else the default."""
    if stored in LOCALES:
        return stored
    return telegram_locale(telegram_code) or default


def format_date(value: date, locale: str) -> str:
    return babel_format_date(value, _DATE_PATTERNS.get(locale, "dd.MM.yyyy"), locale=locale)
