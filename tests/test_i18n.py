"""Every string the code marks for translation exists, translated, in ky, ru and en."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.content.common import LOCALES
from bot.i18n import LOCALES_DIR, Catalogues, format_date, pick_locale, read_catalogue

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*\}")
KYRGYZ_LETTERS = set("ңөүҢӨҮ")


def source_messages() -> set[str]:
    found = extract_from_dir(
        ROOT / "bot",
        # the console's Jinja2 templates call _() too
        method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")],
        keywords={"_": None, "__": None},
        comment_tags=(),
    )
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def po_files() -> list[Path]:
    return sorted(LOCALES_DIR.glob("*/LC_MESSAGES/*.po"))


def test_catalogue_files_exist_for_every_language() -> None:
    names = {locale: {p.name for p in (LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po")} for locale in LOCALES}
    assert names["ru"], "no catalogues found"
    assert names["ky"] == names["ru"] == names["en"], names


@pytest.mark.parametrize("locale", LOCALES)
def test_every_source_string_is_translated(locale: str) -> None:
    catalogue = read_catalogue(locale)
    missing = sorted(msgid for msgid in source_messages() if msgid not in catalogue or not catalogue[msgid].string)
    assert not missing, f"{locale}: untranslated: {missing}"


@pytest.mark.parametrize("path", po_files(), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_no_fuzzy_empty_or_broken_entries(path: Path) -> None:
    with path.open("rb") as fp:
        catalogue = read_po(fp)
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if not message.string:
            problems.append(f"empty: {message.id!r}")
        elif sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string)):
            problems.append(f"placeholders differ: {message.id!r}")
        elif message.id.count("<") != message.string.count("<"):
            problems.append(f"HTML tags differ: {message.id!r}")
    assert not problems, problems


def test_no_msgid_is_defined_in_two_catalogues() -> None:
    seen: dict[str, str] = {}
    duplicates = []
    for path in (LOCALES_DIR / "en" / "LC_MESSAGES").glob("*.po"):
        with path.open("rb") as fp:
            for message in read_po(fp):
                if message.id and message.id in seen:
                    duplicates.append(f"{message.id!r} in {seen[message.id]} and {path.name}")
                seen[message.id] = path.name
    assert not duplicates


def test_no_stale_entries() -> None:
    used = source_messages()
    stale = sorted(msgid for msgid in read_catalogue("en") if msgid.id and msgid.id not in used)
    assert not stale, f"catalogue entries no code uses: {[m.id for m in stale]}"


def test_kyrgyz_is_written_with_kyrgyz_letters() -> None:
    text = "".join(message.string for message in read_catalogue("ky") if message.id)
    assert KYRGYZ_LETTERS & set(text)
    assert not re.search(r"[a-zA-Z]{12,}", re.sub(r"<[^>]+>|/\w+|\{\w+\}|https?://\S+", "", text))


def test_translations_load_and_switch() -> None:
    i18n = Catalogues(default_locale="ru")
    with i18n.context():
        assert i18n.gettext("Main menu", locale="ru") == "Главное меню"
        assert i18n.gettext("Main menu", locale="ky") == "Башкы меню"
        assert i18n.gettext("Main menu", locale="en") == "Main menu"


@pytest.mark.parametrize(
    ("stored", "telegram", "expected"),
    [("en", "ru", "en"), (None, "ky", "ky"), (None, "en-GB", "en"), (None, "de", "ru"), (None, None, "ru"), ("xx", "de", "ru")],
)
def test_locale_order(stored: str | None, telegram: str | None, expected: str) -> None:
    assert pick_locale(stored, telegram, "ru") == expected


def test_dates_follow_the_glossary() -> None:
    from datetime import date

    assert format_date(date(2026, 3, 5), "ky") == "05.03.2026"
    assert format_date(date(2026, 3, 5), "ru") == "05.03.2026"
    assert format_date(date(2026, 3, 5), "en") == "5 March 2026"
