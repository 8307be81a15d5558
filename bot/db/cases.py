"""Cases and their messages (migration 0007_cases.sql): the queries of talking to a person.

Portable SQL (SQLite and PostgreSQL): timestamps come from Python, upserts are ON CONFLICT.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.clock import utcnow
from bot.db.connection import Database
from bot.db.tables import as_datetime
from bot.services.cases import Waiting

_CASE_COLUMNS = (
    "id, user_id, topic, locale, region, source, status, urgent, chat_id, thread_id, card_message_id, "
    "assignee_id, unreachable, consent_at, opened_at, first_message_at, first_answer_at, waiting_since, "
    "closed_at, rating, reopened_at"
)


@dataclass(frozen=True)
class Case:
    id: int
    user_id: int | None
    topic: str
    locale: str
    region: str | None
    source: str
    status: str
    urgent: bool
    chat_id: int
    thread_id: int | None
    card_message_id: int | None
    assignee_id: int | None
    unreachable: bool
    consent_at: datetime
    opened_at: datetime
    first_message_at: datetime | None
    first_answer_at: datetime | None
    waiting_since: datetime | None
    closed_at: datetime | None
    rating: int | None
    reopened_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status == "open"


def _case(row) -> Case:
    values = dict(row)
    values["urgent"] = bool(values["urgent"])
    values["unreachable"] = bool(values["unreachable"])
    return Case(**values)


async def get_case(db: Database, case_id: int) -> Case | None:
    row = await db.fetchone(f"SELECT {_CASE_COLUMNS} FROM cases WHERE id = ?", (case_id,))
    return _case(row) if row else None


async def open_case_of(db: Database, user_id: int) -> Case | None:
    row = await db.fetchone(
        f"SELECT {_CASE_COLUMNS} FROM cases WHERE user_id = ? AND status = 'open'", (user_id,)
    )
    return _case(row) if row else None


async def last_closed_case(db: Database, user_id: int) -> Case | None:
    row = await db.fetchone(
        f"SELECT {_CASE_COLUMNS} FROM cases WHERE user_id = ? AND status = 'closed' "
        "ORDER BY closed_at DESC, id DESC LIMIT 1",
        (user_id,),
    )
    return _case(row) if row else None


async def case_in_thread(db: Database, chat_id: int, thread_id: int) -> Case | None:
    row = await db.fetchone(
        f"SELECT {_CASE_COLUMNS} FROM cases WHERE chat_id = ? AND thread_id = ? ORDER BY id DESC LIMIT 1",
        (chat_id, thread_id),
    )
    return _case(row) if row else None


async def open_case(
    db: Database, user_id: int, topic: str, locale: str, region: str | None, source: str, chat_id: int
) -> tuple[Case, bool]:
    """The migrant's open case, created with their consent if there is none; and whether it is new.

    The unique index on open cases makes this safe against a double tap or a second replica: the loser's
    insert does nothing and it reads the winner's case.
    """
    now = utcnow()
    row = await db.fetchone(
        f"""
        INSERT INTO cases (user_id, topic, locale, region, source, chat_id, consent_at, opened_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (user_id) WHERE status = 'open' DO NOTHING
        RETURNING {_CASE_COLUMNS}
        """,
        (user_id, topic, locale, region, source, chat_id, now, now),
    )
    if row is not None:
        return _case(row), True
    case = await open_case_of(db, user_id)
    assert case is not None, "an open case blocked the insert, so it exists"
    return case, False


async def reopen(db: Database, case_id: int) -> bool:
    """Reopen a closed case (the migrant wrote again soon); False when another case is open meanwhile."""
    count = await db.execute_count(
        "UPDATE cases SET status = 'open', closed_at = NULL, rating = NULL, reopened_at = ? "
        "WHERE id = ? AND status = 'closed' "
        "AND NOT EXISTS (SELECT 1 FROM cases other WHERE other.user_id = cases.user_id AND other.status = 'open')",
        (utcnow(), case_id),
    )
    return count == 1


async def close(db: Database, case_id: int) -> bool:
    """Close an open case; False when it was not open (a second Close press does nothing)."""
    count = await db.execute_count(
        "UPDATE cases SET status = 'closed', closed_at = ?, waiting_since = NULL WHERE id = ? AND status = 'open'",
        (utcnow(), case_id),
    )
    return count == 1


async def set_topic(db: Database, case_id: int, thread_id: int | None, card_message_id: int | None) -> None:
    await db.execute(
        "UPDATE cases SET thread_id = ?, card_message_id = ? WHERE id = ?", (thread_id, card_message_id, case_id)
    )


async def assign(db: Database, case_id: int, staff_id: int) -> None:
    await db.execute("UPDATE cases SET assignee_id = ? WHERE id = ?", (staff_id, case_id))


async def mark_urgent(db: Database, case_id: int) -> bool:
    """Returns False when the case was urgent already (the alert goes once)."""
    return await db.execute_count("UPDATE cases SET urgent = 1 WHERE id = ? AND urgent = 0", (case_id,)) == 1


async def set_unreachable(db: Database, case_id: int, unreachable: bool) -> bool:
    """Returns whether this changed anything (the team is told once)."""
    count = await db.execute_count(
        "UPDATE cases SET unreachable = ? WHERE id = ? AND unreachable <> ?",
        (int(unreachable), case_id, int(unreachable)),
    )
    return count == 1


async def rate(db: Database, case_id: int, user_id: int, score: int) -> bool:
    """The migrant's 1-5 for a closed case of theirs, once."""
    count = await db.execute_count(
        "UPDATE cases SET rating = ? WHERE id = ? AND user_id = ? AND status = 'closed' AND rating IS NULL",
        (score, case_id, user_id),
    )
    return count == 1


# -- messages ------------------------------------------------------------------------------------------------
async def add_incoming(
    db: Database, case_id: int, kind: str, user_message_id: int, text_html: str | None, reply_to: int | None
) -> bool:
    """Store a migrant's message until its copy is in the group; returns whether it is the case's first."""
    now = utcnow()
    async with db.transaction() as conn:
        cursor = await conn.execute("SELECT first_message_at FROM cases WHERE id = ?", (case_id,))
        row = await cursor.fetchone()
        await conn.execute(
            "INSERT INTO case_messages (case_id, direction, kind, user_message_id, text_html, reply_to, created_at) "
            "VALUES (?, 'in', ?, ?, ?, ?, ?)",
            (case_id, kind, user_message_id, text_html, reply_to, now),
        )
        await conn.execute(
            "UPDATE cases SET first_message_at = COALESCE(first_message_at, ?), "
            "waiting_since = COALESCE(waiting_since, ?) WHERE id = ?",
            (now, now, case_id),
        )
    return row is not None and row[0] is None


async def add_outgoing(
    db: Database, case_id: int, kind: str, user_message_id: int, group_message_id: int, text_html: str | None = None
) -> None:
    """A staff message that reached the migrant: linked both ways, its text kept for the transcript (like the
    migrant's, until the case is anonymised or forgotten), and the case no longer waits."""
    now = utcnow()
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO case_messages (case_id, direction, kind, user_message_id, group_message_id, text_html, "
            "status, created_at, sent_at) VALUES (?, 'out', ?, ?, ?, ?, 'sent', ?, ?)",
            (case_id, kind, user_message_id, group_message_id, text_html, now, now),
        )
        await conn.execute(
            "UPDATE cases SET first_answer_at = COALESCE(first_answer_at, ?), waiting_since = NULL WHERE id = ?",
            (now, case_id),
        )


async def cases_waiting_delivery(db: Database, limit: int = 100) -> list[int]:
    """Cases with messages not yet in the group, the one waiting longest first."""
    rows = await db.fetchall(
        "SELECT case_id FROM case_messages WHERE status = 'pending' GROUP BY case_id ORDER BY MIN(id) LIMIT ?",
        (limit,),
    )
    return [row["case_id"] for row in rows]


async def waiting_messages(db: Database, case_id: int) -> list[Waiting]:
    rows = await db.fetchall(
        "SELECT id, kind, user_message_id, text_html, reply_to FROM case_messages "
        "WHERE case_id = ? AND status = 'pending' ORDER BY id",
        (case_id,),
    )
    return [Waiting(row["id"], row["kind"], row["user_message_id"], row["text_html"], row["reply_to"]) for row in rows]


async def mark_delivered(db: Database, message_ids: list[int], group_message_id: int) -> None:
    marks = ", ".join("?" for _ in message_ids)
    await db.execute(
        f"UPDATE case_messages SET status = 'sent', group_message_id = ?, sent_at = ? WHERE id IN ({marks})",
        [group_message_id, utcnow(), *message_ids],
    )


async def mark_failed(db: Database, message_ids: list[int]) -> None:
    marks = ", ".join("?" for _ in message_ids)
    await db.execute(f"UPDATE case_messages SET status = 'failed' WHERE id IN ({marks})", message_ids)


@dataclass(frozen=True)
class Link:
    """One message and its copy: `user_message_id` in the migrant's chat, `group_message_id` in the group."""

    id: int
    case_id: int
    direction: str
    kind: str
    user_message_id: int
    group_message_id: int | None
    status: str


_LINK_COLUMNS = "id, case_id, direction, kind, user_message_id, group_message_id, status"


async def link_of_user_message(db: Database, case_id: int, user_message_id: int) -> Link | None:
    row = await db.fetchone(
        f"SELECT {_LINK_COLUMNS} FROM case_messages WHERE case_id = ? AND user_message_id = ? ORDER BY id LIMIT 1",
        (case_id, user_message_id),
    )
    return Link(**dict(row)) if row else None


async def link_of_group_message(db: Database, case_id: int, group_message_id: int) -> Link | None:
    row = await db.fetchone(
        f"SELECT {_LINK_COLUMNS} FROM case_messages WHERE case_id = ? AND group_message_id = ? ORDER BY id LIMIT 1",
        (case_id, group_message_id),
    )
    return Link(**dict(row)) if row else None


async def update_text(db: Database, message_row_id: int, text_html: str | None) -> None:
    await db.execute("UPDATE case_messages SET text_html = ? WHERE id = ?", (text_html, message_row_id))


async def post_texts(db: Database, case_id: int, group_message_id: int) -> list[str]:
    """The texts that make up one post in the group, in order (several when waiting texts went as one)."""
    rows = await db.fetchall(
        "SELECT text_html FROM case_messages WHERE case_id = ? AND group_message_id = ? AND direction = 'in' "
        "ORDER BY id",
        (case_id, group_message_id),
    )
    return [row["text_html"] or "" for row in rows]


# -- lists, history and figures -----------------------------------------------------------------------------
CASE_LISTS = ("open", "closed", "urgent")
# Which cases each list holds, and in what order: open ones waiting longest for an answer first (answered
# ones last; an open case the migrant has not written in yet is no work yet), closed ones latest first,
# urgent ones (open or closed) with the open and waiting ones first.
_LISTS = {
    "open": (
        "status = 'open' AND first_message_at IS NOT NULL",
        "waiting_since IS NULL, waiting_since, first_message_at, id",
    ),
    "closed": ("status = 'closed'", "closed_at DESC, id DESC"),
    "urgent": ("urgent = 1", "status = 'closed', waiting_since IS NULL, waiting_since, id DESC"),
}


async def open_cases(db: Database, limit: int = 50) -> list[Case]:
    """Open cases the migrant wrote in: the one waiting longest for an answer first, answered ones last."""
    return (await list_cases(db, "open", 0, limit))[0]


async def list_cases(db: Database, which: str, offset: int, limit: int) -> tuple[list[Case], int]:
    """One page of a list of CASE_LISTS, and how many cases the list holds."""
    where, order = _LISTS[which]
    rows = await db.fetchall(
        f"SELECT {_CASE_COLUMNS} FROM cases WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?", (limit, offset)
    )
    total = await db.fetchval(f"SELECT COUNT(*) FROM cases WHERE {where}")
    return [_case(row) for row in rows], int(total or 0)


@dataclass(frozen=True)
class Entry:
    """One message of a case as stored: the migrant's (`in`) or the team's answer (`out`)."""

    direction: str
    kind: str
    text_html: str | None
    status: str
    created_at: datetime


async def transcript(db: Database, case_id: int) -> list[Entry]:
    rows = await db.fetchall(
        "SELECT direction, kind, text_html, status, created_at FROM case_messages WHERE case_id = ? ORDER BY id",
        (case_id,),
    )
    return [
        Entry(row["direction"], row["kind"], row["text_html"], row["status"], as_datetime(row["created_at"]))
        for row in rows
    ]


async def earlier_cases(db: Database, user_id: int, before_case_id: int) -> list[Case]:
    rows = await db.fetchall(
        f"SELECT {_CASE_COLUMNS} FROM cases WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT 10",
        (user_id, before_case_id),
    )
    return [_case(row) for row in rows]


async def referrals_of(db: Database, user_id: int) -> list[tuple[int, datetime]]:
    """The migrant's referrals (id, created), newest first: the case card names them."""
    rows = await db.fetchall(
        "SELECT id, created_at FROM referrals WHERE user_id = ? ORDER BY id DESC LIMIT 10", (user_id,)
    )
    return [(row["id"], as_datetime(row["created_at"])) for row in rows]


@dataclass(frozen=True)
class CaseFigures:
    opened: int
    closed: int
    open_now: int
    first_answer_pairs: list[tuple[datetime, datetime]]
    average_rating: float | None
    ratings: int


async def case_figures(db: Database) -> CaseFigures:
    counts = await db.fetchone(
        "SELECT COUNT(*) AS opened, COALESCE(SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END), 0) AS closed, "
        "COUNT(rating) AS ratings, AVG(rating) AS average FROM cases"
    )
    pairs = await db.fetchall(
        "SELECT first_message_at, first_answer_at FROM cases "
        "WHERE first_message_at IS NOT NULL AND first_answer_at IS NOT NULL"
    )
    return CaseFigures(
        opened=counts["opened"],
        closed=counts["closed"],
        open_now=counts["opened"] - counts["closed"],
        first_answer_pairs=[
            (as_datetime(row["first_message_at"]), as_datetime(row["first_answer_at"]))
            for row in pairs
        ],
        average_rating=float(counts["average"]) if counts["average"] is not None else None,
        ratings=counts["ratings"],
    )


# -- forgetting and retention -------------------------------------------------------------------------------
async def topics_of_user(db: Database, user_id: int) -> list[tuple[int, int]]:
    rows = await db.fetchall(
        "SELECT chat_id, thread_id FROM cases WHERE user_id = ? AND thread_id IS NOT NULL", (user_id,)
    )
    return [(row["chat_id"], row["thread_id"]) for row in rows]


async def forget_cases(db: Database, user_id: int) -> int:
    """Delete a migrant's cases and their messages (/forget); returns how many cases went."""
    async with db.transaction() as conn:
        await conn.execute(
            "DELETE FROM case_messages WHERE case_id IN (SELECT id FROM cases WHERE user_id = ?)", (user_id,)
        )
        cursor = await conn.execute("DELETE FROM cases WHERE user_id = ?", (user_id,))
        return cursor.rowcount


async def closed_topics_before(db: Database, cutoff: datetime) -> list[tuple[int, int, int]]:
    rows = await db.fetchall(
        "SELECT id, chat_id, thread_id FROM cases WHERE status = 'closed' AND closed_at < ? "
        "AND (user_id IS NOT NULL OR thread_id IS NOT NULL)",
        (cutoff.isoformat(timespec="seconds"),),
    )
    return [(row["id"], row["chat_id"], row["thread_id"]) for row in rows]


async def anonymise_cases(db: Database, case_ids: list[int]) -> None:
    """Closed long enough: the messages and the link to the person go; topic, language, dates, rating stay."""
    if not case_ids:
        return
    marks = ", ".join("?" for _ in case_ids)
    async with db.transaction() as conn:
        await conn.execute(f"DELETE FROM case_messages WHERE case_id IN ({marks})", case_ids)
        await conn.execute(
            f"UPDATE cases SET user_id = NULL, region = NULL, thread_id = NULL, card_message_id = NULL "
            f"WHERE id IN ({marks})",
            case_ids,
        )
