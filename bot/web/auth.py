"""Who is at the console: one-time login links sent by the bot, the Telegram Login Widget, sessions, CSRF.

No passwords. A link's token and a session's token leave the process only in the message and the cookie;
the database keeps their SHA-256 hashes. The role is read from the database on every request, so a revoked
coordinator is out at the next click.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.content.common import LOCALES
from bot.db import web as store
from bot.db.connection import Database
from bot.db.staff import audit, role_of
from bot.db.users import get_user
from bot.db.web import WebSession

LINK_TTL = timedelta(minutes=10)
IDLE_TIMEOUT = timedelta(hours=8)
WIDGET_MAX_AGE = timedelta(days=1)
WIDGET_CLOCK_SKEW = timedelta(minutes=5)
FAILURES_ALLOWED = 10  # failed logins from one address ...
FAILURE_WINDOW = timedelta(minutes=15)  # ... within this long, then the address waits
TOUCH_EVERY = timedelta(minutes=1)  # how stale `seen_at` may get before a request writes it
COOKIE = "koldoo_session"
_TOKEN_MAX = 64  # longer cookie or link tokens are not ours: refused before hashing


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def plausible(token: str | None) -> bool:
    return bool(token) and len(token) <= _TOKEN_MAX and token.isascii()


async def issue_link(db: Database, user_id: int, base_url: str, now: datetime) -> str:
    """A fresh one-time login link for `user_id`; any earlier unused link of theirs stops working."""
    token = new_token()
    await store.issue_login_token(db, user_id, token_hash(token), now, LINK_TTL)
    return f"{base_url}/login/{token}"


async def redeem_link(db: Database, token: str, now: datetime) -> int | None:
    """The user a valid, unused, unexpired link belongs to; the link is spent either way it went."""
    if not plausible(token):
        return None
    return await store.redeem_login_token(db, token_hash(token), now)


def widget_user(fields: Mapping[str, str], bot_token: str, now: datetime) -> int | None:
    """The Telegram user id the Login Widget vouches for, or None when the hash or the date is wrong.

    https://core.telegram.org/widgets/login#checking-authorization: HMAC-SHA256 of the sorted
    `key=value` lines, keyed with SHA-256 of the bot token; auth_date at most a day old.
    """
    received = fields.get("hash", "")
    check = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()) if key != "hash")
    secret = hashlib.sha256(bot_token.encode()).digest()
    expected = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, received):
        return None
    raw_date, raw_id = fields.get("auth_date", ""), fields.get("id", "")
    if not raw_date.isdigit() or not raw_id.isdigit():
        return None
    signed = datetime.fromtimestamp(int(raw_date), UTC)
    if not now - WIDGET_MAX_AGE <= signed <= now + WIDGET_CLOCK_SKEW:
        return None
    return int(raw_id)


async def too_many_failures(db: Database, client: str, now: datetime) -> bool:
    return await store.count_failures(db, client, now - FAILURE_WINDOW) >= FAILURES_ALLOWED


async def record_failure(db: Database, client: str, now: datetime) -> None:
    await store.record_failure(db, client, now)


@dataclass(frozen=True)
class Visitor:
    """A signed-in staff member, as of this request."""

    user_id: int
    role: str
    locale: str
    session: WebSession
    cookie: str  # the session token, to look the session up again (locale change, logout)

    @property
    def csrf(self) -> str:
        return self.session.csrf_token


async def open_session(db: Database, user_id: int, method: str, now: datetime) -> str:
    """A new session for `user_id`, its login in the audit log; returns the cookie value."""
    token = new_token()
    await store.prune(db, now, IDLE_TIMEOUT, FAILURE_WINDOW)
    await store.create_session(db, token_hash(token), user_id, new_token(), None, now)
    await audit(db, user_id, "web.login", user_id, {"method": method})
    return token


async def visitor_of(
    db: Database, cookie: str | None, admin_ids: list[int], default_locale: str, now: datetime
) -> Visitor | None:
    """The staff member behind the cookie; None for no, a tampered or an idle session, or a lost role."""
    if not plausible(cookie):
        return None
    session = await store.get_session(db, token_hash(cookie))
    if session is None:
        return None
    if now - session.seen_at > IDLE_TIMEOUT:
        await store.delete_session(db, session.token_hash)
        return None
    role = await role_of(db, session.user_id, admin_ids)
    if role is None:
        await store.delete_session(db, session.token_hash)
        return None
    if now - session.seen_at > TOUCH_EVERY:
        await store.touch_session(db, session.token_hash, now)
    locale = session.locale
    if locale not in LOCALES:
        user = await get_user(db, session.user_id)
        locale = (user.language if user else None) or default_locale
    return Visitor(session.user_id, role, locale, session, cookie)


def csrf_ok(visitor: Visitor, submitted: object) -> bool:
    return isinstance(submitted, str) and hmac.compare_digest(visitor.csrf.encode(), submitted.encode())


async def close_session(db: Database, visitor: Visitor) -> None:
    await store.delete_session(db, visitor.session.token_hash)
    await audit(db, visitor.user_id, "web.logout", visitor.user_id)


async def choose_locale(db: Database, visitor: Visitor, locale: str) -> bool:
    if locale not in LOCALES:
        return False
    await store.set_session_locale(db, visitor.session.token_hash, locale)
    return True
