"""Building blocks shared by every content file: trilingual text and provenance.

Every fact a migrant reads carries where it came from and when a person last checked it,
so these two shapes are used by topics, contacts, the training catalogue and the ban rules alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

LOCALES: tuple[str, ...] = ("ky", "ru", "en")
# Ids end up in callback data and deep links: lower-case ASCII words joined by hyphens.
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class StrictModel(BaseModel):
    """Unknown keys are errors: a typo in a YAML key must not silently drop a fact."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(StrictModel):
    """One text in Kyrgyz, Russian and English; all three are required and non-empty."""

    ky: str
    ru: str
    en: str

    @field_validator("ky", "ru", "en")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty")
        return value.strip()

    def get(self, locale: str) -> str:
        """The text in `locale`, or in Russian when the locale is unknown."""
        return getattr(self, locale, None) or self.ru


FACT_PATTERN = r"^[a-z0-9]+([-.][a-z0-9]+)*$"


class Sourced(StrictModel):
    """Provenance of a fact: where it comes from, when it was checked, and whether it is confirmed.

    `facts` names the facts an entry states that other entries state too (`ru-112`, `114fz-27-1-2.1`), so
    the checker can hold every file to one flag per fact; `flagged` lists those of them that this entry,
    though confirmed as a whole, shows marked as not verified in its text.
    """

    source: str | LocalizedText  # a page or a document; in three languages when its name is words
    verified_on: date
    verified: bool = True
    facts: tuple[Annotated[str, Field(pattern=FACT_PATTERN)], ...] = ()
    flagged: tuple[Annotated[str, Field(pattern=FACT_PATTERN)], ...] = ()

    @field_validator("source")
    @classmethod
    def _source_not_blank(cls, value: str | LocalizedText) -> str | LocalizedText:
        if isinstance(value, LocalizedText):
            return value
        if not value.strip():
            raise ValueError("source is empty")
        return value.strip()

    def source_in(self, locale: str) -> str:
        """The source as a migrant reads it: in their language when it was written in three."""
        return self.source.get(locale) if isinstance(self.source, LocalizedText) else self.source


class HtmlText(LocalizedText):
    """A LocalizedText whose values are Telegram HTML (b, i, a, code, blockquote...).

    A distinct type so the content checker knows which fields to parse as HTML: every other text is
    plain and gets escaped by the handlers before it is sent.
    """


Location = tuple[str | int, ...]


class Finding(StrictModel):
    """A problem a content file reports about itself, located by a path into its YAML document."""

    loc: Location
    message: str
    severity: str = "error"


class ContentFile(StrictModel):
    """The root model of one YAML file in `content/`.

    Rules that span entries (unknown references, duplicate ids, cycles) cannot be pydantic validators
    without hiding every other problem of the file, so they live in `findings()`, run after validation.
    """

    def findings(self) -> list[Finding]:
        return []


def check_url(value: str) -> str:
    """An http(s) URL with a host, its host in ASCII (punycode) so Telegram accepts it in a button."""
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(ch.isspace() for ch in value):
        raise ValueError("bad URL: only http:// or https:// addresses with a host are allowed")
    try:
        ascii_host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError("bad URL: the host name is not valid") from exc
    netloc = ascii_host if parts.port is None else f"{ascii_host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def duplicate_ids(section: str, ids: list[str]) -> list[Finding]:
    """One finding at each repeat of an id already used earlier in `section`."""
    seen: set[str] = set()
    found = []
    for index, item_id in enumerate(ids):
        if item_id in seen:
            found.append(Finding(loc=(section, index, "id"), message=f"duplicate id {item_id!r}"))
        seen.add(item_id)
    return found


def walk_model(value: Any, loc: Location) -> Iterator[tuple[Location, Any]]:
    """Every value inside a content model with its path, the model itself first."""
    yield loc, value
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from walk_model(getattr(value, name), loc + (name,))
    elif isinstance(value, (tuple, list)):
        for index, item in enumerate(value):
            yield from walk_model(item, loc + (index,))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from walk_model(item, loc + (key,))
