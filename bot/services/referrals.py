"""The rules of a referral: its reference number, the moves its status may make, and what a migrant may type.

Kept free of Telegram and SQL so the dialogue, the coordinator card, the export and the database all obey
one definition of each rule.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    ENROLLED = "enrolled"  # training
    COMPLETED = "completed"  # training
    PASSED = "passed"  # service: passed to the organisation
    RESOLVED = "resolved"  # service
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # by the migrant, from /my


class Kind(StrEnum):
    TRAINING = "training"
    SERVICE = "service"


# A referral moves forward one step at a time, or is declined while still open; closed ones stay closed.
# A training place is enrolled and completed; a service request is passed to the organisation and resolved.
_FORWARD: dict[Kind, dict[Status, Status]] = {
    Kind.TRAINING: {
        Status.NEW: Status.CONTACTED,
        Status.CONTACTED: Status.ENROLLED,
        Status.ENROLLED: Status.COMPLETED,
    },
    Kind.SERVICE: {
        Status.NEW: Status.CONTACTED,
        Status.CONTACTED: Status.PASSED,
        Status.PASSED: Status.RESOLVED,
    },
}
OPEN_STATUSES: frozenset[Status] = frozenset(s for steps in _FORWARD.values() for s in steps)
CLOSED_STATUSES: frozenset[Status] = frozenset(Status) - OPEN_STATUSES
UNDO_WINDOW = timedelta(minutes=1)


class DeclineReason(StrEnum):
    """Why a coordinator declined; each reason has the next step the migrant is told (`NEXT_STEP`)."""

    UNREACHABLE = "unreachable"
    NOT_ELIGIBLE = "not_eligible"
    NO_PLACES = "no_places"
    DUPLICATE = "duplicate"
    OTHER = "other"


class NextStep(StrEnum):
    APPLY_AGAIN = "apply_again"  # check the phone number and apply again
    OTHER_OFFERS = "other_offers"  # look at the other programmes and services
    ASK = "ask"  # talk to a consultant (/ask)
    NONE = "none"  # nothing to do: the other request goes on


NEXT_STEP: dict[DeclineReason, NextStep] = {
    DeclineReason.UNREACHABLE: NextStep.APPLY_AGAIN,
    DeclineReason.NOT_ELIGIBLE: NextStep.ASK,
    DeclineReason.NO_PLACES: NextStep.OTHER_OFFERS,
    DeclineReason.DUPLICATE: NextStep.NONE,
    DeclineReason.OTHER: NextStep.ASK,
}


def statuses_for(kind: Kind | None) -> tuple[Status, ...]:
    """The statuses a referral of `kind` can have (all of them for None), in the order of its life."""
    if kind is None:
        return tuple(Status)
    steps = _FORWARD[kind]
    last = tuple(s for s in steps.values() if s not in steps)
    return (*steps, *last, Status.DECLINED, Status.WITHDRAWN)


def allowed_moves(kind: Kind, status: Status) -> tuple[Status, ...]:
    """The statuses a coordinator may move a referral to from `status`, in button order."""
    forward = _FORWARD[kind]
    if status not in forward:
        return ()
    return (forward[status], Status.DECLINED)


def can_move(kind: Kind, current: Status, target: Status) -> bool:
    return target in allowed_moves(kind, current)


def can_withdraw(status: Status) -> bool:
    """A migrant may withdraw a request that is still open."""
    return status in OPEN_STATUSES


def can_undo(moved_at: datetime, now: datetime) -> bool:
    """A status move may be undone for `UNDO_WINDOW` after it was made (a mis-tap, not a change of mind)."""
    return timedelta(0) <= now - moved_at <= UNDO_WINDOW


DUPLICATE_WINDOW = timedelta(days=30)
NAME_MAX = 100
CITY_MAX = 60
COMMENT_MAX = 500
_REFERENCE = re.compile(r"^K-(\d{4})-(\d{6,})$")


def reference(referral_id: int, created_at: datetime | date) -> str:
    """`K-2026-000123`: the year the referral was made and its id, zero-padded to six digits."""
    return f"K-{created_at.year}-{referral_id:06d}"


def parse_reference(text: str) -> int | None:
    """The referral id inside a reference number (`K-2026-000123` -> 123), or None."""
    match = _REFERENCE.match(text.strip().upper())
    return int(match.group(2)) if match else None


def clean_name(text: str) -> str | None:
    """A person's name with spaces tidied, or None when it is empty, too long or has no letter at all."""
    return _clean_words(text, NAME_MAX)


def clean_city(text: str) -> str | None:
    """A city or village name, by the same rules as a person's name."""
    return _clean_words(text, CITY_MAX)


def clean_comment(text: str) -> str | None:
    """The comment without control characters (line breaks kept), or None when longer than `COMMENT_MAX`.

    An empty result means "no comment", as if the migrant had pressed Skip.
    """
    cleaned = _strip_controls(text, keep="\n").strip()
    return cleaned if len(cleaned) <= COMMENT_MAX else None


def only_invisible(text: str) -> bool:
    """True for text that has characters but shows none: spaces, zero-width and filler characters."""
    return bool(text) and not _strip_controls(text).strip()


def _clean_words(text: str, limit: int) -> str | None:
    cleaned = " ".join(_strip_controls(text).split())
    if not cleaned or len(cleaned) > limit or not any(ch.isalpha() for ch in cleaned):
        return None
    return cleaned


# Characters that show nothing yet are letters or symbols to Unicode, so "has a letter" alone accepts them:
# the Hangul fillers (U+3164 is a letter), the braille blank, the Mongolian vowel separator, the combining
# grapheme joiner and the Khmer inherent vowels.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u034f\u17b4\u17b5")


def _strip_controls(text: str, keep: str = "") -> str:
    """`text` without control, format and invisible characters (they break exports and hide text), except
    `keep`."""
    return "".join(
        ch for ch in text if ch in keep or (unicodedata.category(ch)[0] != "C" and ch not in _INVISIBLE)
    )


@dataclass(frozen=True)
class ReferralFilter:
    """Which referrals a coordinator wants to see or export; None means "any"."""

    status: Status | None = None
    region: str | None = None
    item_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    referral_id: int | None = None  # from a reference number


@dataclass(frozen=True)
class Referral:
    """One referral as stored; `name`, `phone` and `comment` are None once the migrant used /forget."""

    id: int
    user_id: int | None
    kind: Kind
    item_id: str
    name: str | None
    phone: str | None
    region: str
    city: str | None
    comment: str | None
    status: Status
    created_at: datetime
    updated_at: datetime
    decline_reason: DeclineReason | None = None

    @property
    def reference(self) -> str:
        return reference(self.id, self.created_at)


@dataclass(frozen=True)
class ReferralEvent:
    """A status change (`from_status` -> `to_status`) or, with both None, a note."""

    id: int
    referral_id: int
    actor_id: int
    at: datetime
    from_status: Status | None
    to_status: Status | None
    note: str | None
