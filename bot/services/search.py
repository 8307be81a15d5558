"""Full-text search over the guide, for people typing on a phone in Kyrgyz, Russian or English.

Migrants type questions the way they speak: any case, no punctuation, words with endings (патент,
патента, патентке). Each word is reduced to a stem by stripping common endings of its language, and a
query stem also matches longer words that start with it, so "регистр" finds "регистрация". Title
matches outrank body matches; the user's language is searched first, the others fill up the results.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

MAX_RESULTS = 5
MIN_STEM = 3
# A query stem this long also matches words that merely start with it.
MIN_PREFIX = 4
TITLE_WEIGHT = 10
BODY_WEIGHT = 1

_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"\w+")

# Longest endings first. Kyrgyz endings stack (plural + possessive + case), so they are stripped repeatedly.
_ENDINGS = {
    "ky": sorted(
        {
            *(p + v for p in "лдт" for v in ("ар", "ер", "ор", "өр")),
            *(p + v for p in ("д", "т", "н") for v in ("ын", "ин", "ун", "үн")),
            *(p + v for p in ("г", "к", "н") for v in ("а", "е", "о", "ө")),
            *(p + v for p in ("д", "т", "н") for v in ("ы", "и", "у", "ү")),
            *(p + v for p in ("д", "т", "нд") for v in ("а", "е", "о", "ө")),
            *(p + v for p in ("д", "т", "н") for v in ("ан", "ен", "он", "өн")),
            *(p + v for p in ("с", "") for v in ("ы", "и", "у", "ү")),
            "ым", "им", "ум", "үм", "ың", "иң", "уң", "үң", "бы", "би", "бу", "бү",
        },
        key=len,
        reverse=True,
    ),
    "ru": sorted(
        {
            "иями", "ями", "ами", "ого", "его", "ому", "ему", "ыми", "ими", "ией", "ием", "иях",
            "ия", "ии", "ию", "ах", "ях", "ов", "ев", "ей", "ой", "ый", "ий", "ая", "яя", "ое", "ее",
            "ые", "ие", "ую", "юю", "ом", "ем", "ам", "ям", "ть", "а", "я", "о", "е", "ы", "и", "у", "ю", "ь",
        },
        key=len,
        reverse=True,
    ),
}
_ROUNDS = {"ky": 3, "ru": 1}
# Question words that would match half the guide.
_STOP_WORDS = frozenset({
    "the", "and", "for", "with", "what", "how", "can", "who", "where", "when", "you", "your", "are", "does",
    "from", "that", "this", "into",
    "как", "что", "где", "когда", "или", "для", "это", "мне", "меня", "если", "можно", "нужно", "есть", "про",
    "чем", "кто",
    "кантип", "эмне", "кайда", "качан", "жана", "үчүн", "мен", "сиз", "керек", "барбы",
})


def strip_tags(text: str) -> str:
    """Plain text of a Telegram HTML fragment: tags dropped, entities decoded."""
    return html.unescape(_TAG.sub(" ", text))


def stem(word: str, locale: str) -> str:
    """`word` without the common endings of `locale`, never shorter than MIN_STEM letters."""
    if locale == "en":
        return _stem_english(word)
    for _ in range(_ROUNDS.get(locale, 1)):
        for ending in _ENDINGS.get(locale, ()):
            if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
                word = word[: -len(ending)]
                break
        else:
            break
    return word


def _stem_english(word: str) -> str:
    """fine/fines/fined -> fin, country/countries -> countri: one ending off, then a final e or y."""
    for ending in ("ing", "ed", "s"):
        if word.endswith(ending) and not word.endswith("ss") and len(word) - len(ending) >= MIN_STEM:
            word = word[: -len(ending)]
            break
    if len(word) > MIN_STEM and word[-1] == "e":
        return word[:-1]
    if len(word) > MIN_STEM and word[-1] == "y":
        return word[:-1] + "i"
    return word


def terms(text: str, locale: str) -> list[str]:
    """The stems of the meaningful words of `text`, in order, repeats kept."""
    words = _WORD.findall(text.lower().replace("ё", "е"))
    return [
        stem(word, locale)
        for word in words
        if len(word) >= MIN_STEM and word not in _STOP_WORDS
    ]


def has_words(text: str) -> bool:
    """Whether `text` has a word worth searching for: not only numbers (a date), punctuation or stop words."""
    return any(not term.isdigit() for term in terms(text, ""))


@dataclass(frozen=True)
class Document:
    """One page in one language; `key` is what the caller gets back (a topic id)."""

    key: str
    locale: str
    title: str
    body: str


@dataclass
class _LocaleIndex:
    title: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    body: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    order: dict[str, int] = field(default_factory=dict)

    def add(self, doc: Document) -> None:
        self.order.setdefault(doc.key, len(self.order))
        for term in terms(doc.title, doc.locale):
            self.title[term].add(doc.key)
        for term in terms(strip_tags(doc.body), doc.locale):
            self.body[term].add(doc.key)

    def rank(self, query_terms: list[str]) -> list[str]:
        """Keys matching any query word: most title words first, then most words overall, then weight,
        then the order the documents were added in (the guide's own order)."""
        in_title: dict[str, set[str]] = defaultdict(set)
        anywhere: dict[str, set[str]] = defaultdict(set)
        weight: dict[str, int] = defaultdict(int)
        for query_term in dict.fromkeys(query_terms):
            for key in _lookup(self.title, query_term):
                in_title[key].add(query_term)
                anywhere[key].add(query_term)
                weight[key] += TITLE_WEIGHT
            for key in _lookup(self.body, query_term):
                anywhere[key].add(query_term)
                weight[key] += BODY_WEIGHT
        return sorted(anywhere, key=lambda key: (
            -len(in_title[key]), -len(anywhere[key]), -weight[key], self.order[key]
        ))


def _lookup(postings: dict[str, set[str]], query_term: str) -> set[str]:
    found = set(postings.get(query_term, ()))
    if len(query_term) >= MIN_PREFIX:
        for term, keys in postings.items():
            if term.startswith(query_term):
                found |= keys
    return found


class SearchIndex:
    """An in-memory index per language; the guide is small, so a scan over the vocabulary is fast."""

    def __init__(self, documents: Iterable[Document]) -> None:
        self._indexes: dict[str, _LocaleIndex] = defaultdict(_LocaleIndex)
        for doc in documents:
            self._indexes[doc.locale].add(doc)

    def search(self, query: str, locale: str, limit: int = MAX_RESULTS) -> list[str]:
        """Up to `limit` keys: best matches in `locale`, then matches in the other languages."""
        results: list[str] = []
        other_locales = [code for code in self._indexes if code != locale]
        for code in [locale, *other_locales]:
            index = self._indexes.get(code)
            query_terms = terms(query, code)
            if index is None or not query_terms:
                continue
            results += [key for key in index.rank(query_terms) if key not in results]
            if len(results) >= limit:
                break
        return results[:limit]
