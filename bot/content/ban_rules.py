"""The re-entry ban grounds and stay limits of `content/ban_rules.yaml`, validated.

The numbers of the law live in the YAML so that a lawyer can correct a threshold or a duration without
touching code; this model makes sure such an edit still describes something the estimator can evaluate
(a known condition with its parameters, a start the estimator knows how to find, replacements that exist).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, NonNegativeInt, PositiveInt, model_validator

from bot.content.common import ContentFile, Finding, LocalizedText, Sourced, StrictModel, duplicate_ids

Kind = Literal["mandatory", "discretionary"]
Anchor = Literal["departure", "last_ruling", "last_removal", "check_date"]
Country = Literal["russia", "kazakhstan"]


class OverstayCondition(StrictModel):
    """Applies when the days spent after the allowed stay ended exceed `more_than_days` (0: any excess).

    `began_before` limits a ground to overstays whose first day fell before that date: a clause that was
    replaced judges what was done while it was in force, and a later exit cannot undo that.
    """

    type: Literal["overstay"]
    more_than_days: NonNegativeInt
    began_before: date | None = None


class EventCountCondition(StrictModel):
    """Applies when `min_count` dated events fall within `within_years` (None: at any time)."""

    type: Literal["admin_offences", "migration_offences", "removals", "expulsions"]
    min_count: PositiveInt
    within_years: PositiveInt | None = None


class FlagCondition(StrictModel):
    """Applies when the migrant answers yes; it lasts until the cause is cleared."""

    type: Literal["unpaid_fines", "unspent_conviction", "medical_exam"]


Condition = Annotated[OverstayCondition | EventCountCondition | FlagCondition, Field(discriminator="type")]

# Where each kind of condition can start a ban: the estimator knows these dates and no others.
_ANCHORS: dict[str, set[str]] = {
    "overstay": {"departure"},
    "admin_offences": {"last_ruling"},
    "migration_offences": {"last_ruling"},
    "removals": {"last_removal"},
    "expulsions": {"last_removal"},
    "unpaid_fines": {"check_date"},
    "unspent_conviction": {"check_date"},
    "medical_exam": {"check_date"},
}


class BanGround(Sourced):
    """One clause of the law: when it applies, for how long, and from which date it counts.

    `duration_unknown` marks a dated ground whose length the sources do not state (Kazakhstan's refusal of
    entry): the bot then says so instead of printing an end date.
    """

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    country: Country = "russia"
    clause: LocalizedText
    condition: Condition
    duration_years: PositiveInt | None = None
    duration_unknown: bool = False
    kind: Kind
    counts_from: Anchor
    replaced_by: tuple[str, ...] = ()
    title: LocalizedText
    explanation: LocalizedText

    @model_validator(mode="after")
    def _coherent(self) -> BanGround:
        allowed = _ANCHORS[self.condition.type]
        if self.counts_from not in allowed:
            raise ValueError(f"{self.id}: a {self.condition.type} ground counts from {sorted(allowed)}")
        open_ended = isinstance(self.condition, FlagCondition) or self.duration_unknown
        if open_ended != (self.duration_years is None):
            raise ValueError(
                f"{self.id}: only yes/no grounds and duration_unknown ones (and all of them) have no duration_years"
            )
        return self


class ContractRule(Sourced):
    """The EAEU worker rule (EAEU Treaty art. 97 p. 5): the stay lasts for the contract's term, and a
    contract that ends early more than `after_days` days after the entry leaves `grace_days` to sign a new one."""

    grace_days: PositiveInt
    after_days: PositiveInt


class StayRule(Sourced):
    """How long a Kyrgyz citizen may stay in one country.

    `limit_days` within any `rolling_window_days`; from `calendar_year_from` on (when set), `limit_days` per
    calendar year instead. `contract` set means the EAEU worker rule applies (see ContractRule).
    """

    limit_days: PositiveInt
    rolling_window_days: PositiveInt
    calendar_year_from: date | None = None
    contract: ContractRule | None = None

    @model_validator(mode="after")
    def _limit_fits_window(self) -> StayRule:
        if self.limit_days > self.rolling_window_days:
            raise ValueError("limit_days cannot exceed rolling_window_days")
        return self


class MinorOverstay(Sourced):
    """What is said when there was an overstay but no mandatory ground applies: refusal and fines remain."""

    text: LocalizedText


class StayRules(StrictModel):
    russia: StayRule
    kazakhstan: StayRule


class BanRules(ContentFile):
    """The whole file: the ban grounds in the order the bot lists them, the overstay exceptions, the stay rules."""

    grounds: tuple[BanGround, ...] = Field(min_length=1)
    # An overstay that meets no dated ground: what the table cannot rule out, with its own provenance.
    minor_overstay: MinorOverstay
    overstay_exceptions: LocalizedText
    stay: StayRules

    def findings(self) -> list[Finding]:
        """Duplicate ground ids, and `replaced_by` entries naming no other ground, each at its own line."""
        found = duplicate_ids("grounds", [ground.id for ground in self.grounds])
        countries = {ground.id: ground.country for ground in self.grounds}
        ids = {ground.id for ground in self.grounds}
        for index, ground in enumerate(self.grounds):
            for position, other in enumerate(ground.replaced_by):
                if other == ground.id:
                    message = f"{other!r} cannot replace itself"
                elif other not in ids:
                    message = f"unknown ground id {other!r}"
                elif countries[other] != ground.country:
                    message = f"{other!r} is a ground of another country"
                else:
                    continue
                found.append(Finding(loc=("grounds", index, "replaced_by", position), message=message))
        return found

    def grounds_of(self, country: str) -> tuple[BanGround, ...]:
        return tuple(ground for ground in self.grounds if ground.country == country)
