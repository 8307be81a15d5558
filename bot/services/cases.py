"""Case rules for talking to a person, pure: which case a migrant's /ask leads to, what a topic is called,
how waiting messages become posts, who may write to whom, and the pace an operator group allows.

No Telegram and no database here: handlers and the handover pass plain values in and act on what comes out.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.content.catalogue import PLACE_COUNTRY

# The topics a migrant chooses from, in menu order; ids are stored and shown in topic names.
TOPICS: tuple[str, ...] = ("ban", "work", "documents", "training", "health", "safety", "other")
URGENT_TOPIC = "safety"
SOURCES: tuple[str, ...] = ("menu", "command", "ban", "search", "referral")
REOPEN_DAYS = 7  # writing again within this many days of the close reopens the same case
# What the migrant may send; anything else (stickers, polls...) gets a clear "cannot pass this on".
PASSED_KINDS = frozenset({"text", "photo", "document", "voice", "video", "audio", "location", "contact"})
CAPTIONED_KINDS = frozenset({"photo", "document", "voice", "video", "audio"})
NOTE_PREFIX = "!"  # a staff message starting with it is an internal note, never sent to the migrant
POST_LIMIT = 4000  # a combined post stays under Telegram's 4096 characters, with room for separators
REGION_COUNTRY = {"russia": "ru", "kazakhstan": "kz"}  # any other region id is a Kyrgyz region
REGION_COUNTRY |= {rid: country for rid, country in PLACE_COUNTRY.items() if country != "kg"}  # and cities
EMERGENCY_COUNTRIES = ("ru", "kz", "kg")  # shown all, in this order, when the migrant's country is unknown


def reference(case_id: int) -> str:
    return f"#C-{case_id}"


def topic_name(case_id: int, locale: str, topic: str, urgent: bool = False) -> str:
    """Case number, language and topic only: the group sees no name, no phone, no region."""
    name = f"{reference(case_id)} · {locale} · {topic}"
    return f"🆘 {name}" if urgent else name


AskStep = Literal["open", "reopen", "new"]


def ask_step(open_case: bool, last_closed_at: datetime | None, now: datetime) -> AskStep:
    """/ask with an open case shows it; a case closed within REOPEN_DAYS reopens; otherwise a new one."""
    if open_case:
        return "open"
    if last_closed_at is not None and now - last_closed_at <= timedelta(days=REOPEN_DAYS):
        return "reopen"
    return "new"


def is_urgent_topic(topic: str) -> bool:
    return topic == URGENT_TOPIC


def may_reach_migrant(status: str | None, unreachable: bool) -> bool:
    """Staff write to a migrant only through an open case whose migrant has not blocked the bot."""
    return status == "open" and not unreachable


def is_note(text: str | None) -> bool:
    return bool(text) and text.lstrip().startswith(NOTE_PREFIX)


def country_of(region: str | None) -> str | None:
    """The country a migrant is in, from their region setting (None when they set none)."""
    if region is None:
        return None
    return REGION_COUNTRY.get(region, "kg")


def emergency_countries(region: str | None) -> tuple[str, ...]:
    country = country_of(region)
    return (country,) if country else EMERGENCY_COUNTRIES


@dataclass(frozen=True)
class Waiting:
    """A migrant's message not yet in the group."""

    id: int
    kind: str
    user_message_id: int
    text_html: str | None = None
    reply_to: int | None = None


@dataclass(frozen=True)
class Post:
    """One message the group receives: a copy of one message, or several waiting texts as one."""

    messages: tuple[Waiting, ...]

    @property
    def combined(self) -> bool:
        return len(self.messages) > 1

    @property
    def text_html(self) -> str:
        return join_texts(message.text_html or "" for message in self.messages)


def join_texts(texts: Iterable[str]) -> str:
    return "\n\n".join(texts)


def plan_posts(waiting: Sequence[Waiting]) -> list[Post]:
    """Waiting texts that follow one another go as one post (the group allows 20 messages a minute);
    media, replies and texts that would make a post too long go on their own. Order is kept."""
    posts: list[list[Waiting]] = []
    for message in waiting:
        joinable = message.kind == "text" and message.reply_to is None and message.text_html is not None
        last = posts[-1] if posts else None
        if (
            joinable
            and last is not None
            and all(item.kind == "text" and item.reply_to is None for item in last)
            and len(join_texts(item.text_html or "" for item in [*last, message])) <= POST_LIMIT
        ):
            last.append(message)
        else:
            posts.append([message])
    return [Post(tuple(post)) for post in posts]


def median_minutes(durations: Iterable[timedelta]) -> float | None:
    values = [duration.total_seconds() / 60 for duration in durations]
    return statistics.median(values) if values else None


