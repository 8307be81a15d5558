"""One flag per fact across every content file, checked after each file has validated on its own.

The same fact often appears in several files (Russia's 112 in the guide, the help directory and the services;
a ban clause in the rules and in a guide page). A fact shown as certain in one place and marked "not verified"
in another tells the migrant two things at once, so the checker compares every place a fact appears: the
facts an entry names in `facts`, each phone number of a contact (per country) and each contact's website.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from pydantic import BaseModel

from bot.content.common import LOCALES, Finding, HtmlText, Location, Sourced, walk_model
from bot.content.contacts import Contact

# A source names a public page or document; our own research notes are not one, nor is a remark.
_OWN_NOTES = re.compile(r"FACTS\.md|shared/domain|GLOSSARY\.md|\bour (own )?notes\b", re.IGNORECASE)
_REMARK = re.compile(r"\bnot (yet )?(checked|confirmed|verified)\b", re.IGNORECASE)
FLAG_MARK = "⚠️"


@dataclass(frozen=True)
class Claim:
    """One place (`file`, `loc`) that states the fact `key`, flagged there or not."""

    file: str
    loc: Location
    key: str
    flagged: bool


def source_findings(model: BaseModel) -> Iterator[Finding]:
    """Sources that are our own notes or a remark instead of a page or a document."""
    for loc, value in walk_model(model, ()):
        if not isinstance(value, Sourced):
            continue
        source = value.source
        sources = [source] if isinstance(source, str) else [source.get(locale) for locale in LOCALES]
        if any(_OWN_NOTES.search(text) for text in sources):
            yield Finding(
                loc=loc + ("source",),
                message="the source is our own notes: cite the public page or document the fact comes from",
            )
        elif any(_REMARK.search(text) for text in sources):
            yield Finding(
                loc=loc + ("source",),
                message="a source names a page or a document; say that a fact is unconfirmed with verified: false",
            )


def flag_mark_findings(model: BaseModel) -> Iterator[Finding]:
    """An entry that flags some of its facts must show the mark in its text, in every language."""
    for loc, value in walk_model(model, ()):
        if not isinstance(value, Sourced) or not value.flagged:
            continue
        texts = [(name, getattr(value, name)) for name in type(value).model_fields]
        html = [(name, text) for name, text in texts if isinstance(text, HtmlText)]
        for locale in LOCALES:
            if html and not any(FLAG_MARK in text.get(locale) for _name, text in html):
                yield Finding(
                    loc=loc + (html[0][0], locale),
                    message=f"flagged facts {list(value.flagged)} need the {FLAG_MARK} mark in the text",
                )


def claims(file: str, model: BaseModel) -> Iterator[Claim]:
    """Every fact, phone and website a file states, with whether it is flagged where it is stated."""
    for loc, value in walk_model(model, ()):
        if not isinstance(value, Sourced):
            continue
        for fact in dict.fromkeys(value.facts + value.flagged):
            yield Claim(file, loc + ("facts",), fact, not value.verified or fact in value.flagged)
        country = getattr(value, "country", None)
        for index, phone in enumerate(getattr(value, "phones", ())):
            digits = re.sub(r"\D", "", phone)
            yield Claim(file, loc + ("phones", index), f"phone {digits} in {country}", not value.verified)
        website = getattr(value, "website", None)
        if (
            isinstance(value, Contact) and website is not None
        ):  # a contact is its site; an offer only links one
            yield Claim(file, loc + ("website",), f"website {_site(website)}", not value.verified)


def conflicts(found: list[Claim]) -> Iterator[tuple[Claim, Claim]]:
    """(a place showing a fact as certain, the first place flagging it), for each fact stated both ways."""
    first_flagged: Mapping[str, Claim] = {}
    for claim in found:
        if claim.flagged:
            first_flagged.setdefault(claim.key, claim)  # type: ignore[attr-defined]
    for claim in found:
        if not claim.flagged and claim.key in first_flagged:
            yield claim, first_flagged[claim.key]


def _site(url: str) -> str:
    """A website as a fact: host without `www.` and path without a trailing slash (`mfa.gov.kg`)."""
    url = re.sub(r"^https?://", "", url.strip().lower())
    return re.sub(r"^www\.", "", url).rstrip("/")
