"""Building blocks shared by every content file: trilingual text and provenance.

Every fact a migrant reads carries where it came from and when a person last checked it,
so these two shapes are used by topics, contacts, the training catalogue and the ban rules alike.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, field_validator

LOCALES: tuple[str, ...] = ("ky", "ru", "en")


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


class Sourced(StrictModel):
    """Provenance of a fact: where it comes from, when it was checked, and whether it is confirmed."""

    source: str
    verified_on: date
    verified: bool = True

    @field_validator("source")
    @classmethod
    def _source_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("source is empty")
        return value.strip()
