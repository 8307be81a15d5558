"""One word for one thing in each language: the glossary's choices the checker can hold texts to.

The full glossary is `shared/domain/GLOSSARY.md`; these are the terms that have been written more than one way
(two names for one body, a loanword and a calque), each with the spellings that must not come back. Content
texts and the `.po` catalogues are both checked against it, so a migrant meets one name per body and per term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.content.lang_checks import without_addresses


@dataclass(frozen=True)
class Term:
    locale: str
    preferred: str
    variants: tuple[str, ...]


TERMS: tuple[Term, ...] = (
    # bodies
    Term("ky", "ЭМУ", ("IOM",)),  # Эл аралык миграция уюму; Latin letters do not belong in a Kyrgyz text
    Term("ru", "МОМ", ("IOM",)),
    Term("ky", "жумушка орноштуруу борбору", ("жумуш менен камсыз кылуу борбор",)),
    Term("ky", "квалификацияны ырастоо борбору", ("квалификацияны таануу борбор",)),
    Term("ru", "подтверждения квалификаций", ("признания квалификаций",)),
    Term("ru", "Акыйкатчы", ("Акыйкатчи",)),
    # places and terms
    Term("ky", "Россия", ("Орусия",)),
    Term("ru", "Кыргызстан", ("Киргизия", "Киргизстан")),
    Term("ru", "волонтёр", ("волонтер",)),
    Term("ky", "ыктыярчы", ("волонтёр", "волонтер")),
    Term("en", "Kyrgyzstan", ("Kirghizia", "Kirgizia")),
)


def term_problems(text: str, locale: str) -> list[str]:
    """`'X' is written 'Y' in the glossary` for each variant spelling found in `text` (a whole-word match)."""
    text = without_addresses(text)  # kyrgyzstan.iom.int is an address, not the word IOM
    found = []
    for term in TERMS:
        if term.locale != locale:
            continue
        for variant in term.variants:
            if re.search(rf"(?<!\w){re.escape(variant)}", text, re.IGNORECASE):
                found.append(f"{variant!r} is written {term.preferred!r} (one word per term: see the glossary)")
    return found
