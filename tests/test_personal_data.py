"""/privacy, the consent screen before a referral and `python -m bot user-data` name the same kinds of data:
all three come from services/personal_data.py, and every table that mentions a user belongs to a kind."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.db import ops
from bot.db.connection import Database
from bot.db.referrals import add_note, create_referral
from bot.devtools.fake_telegram import FakeTelegram
from bot.handlers.privacy_texts import data_kind_line
from bot.i18n import Catalogues
from bot.services.personal_data import KINDS, REFERRAL_KINDS, TABLES, DataKind, kinds_found
from bot.services.referrals import Kind
from tests.conftest import RunningApp
from tests.test_training_e2e import open_osh_centre


def _plain(text: str) -> str:
    """A text as the fake Telegram shows it: the HTML tags are entities there."""
    return text.replace("<b>", "").replace("</b>", "")


async def test_every_table_that_mentions_a_user_is_a_kind_privacy_names(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.sqlite3")
    await db.close()
    with sqlite3.connect(tmp_path / "t.sqlite3") as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        mentioning = set()
        for table in tables:
            columns = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
            if columns & set(ops._USER_COLUMNS) or table in ops._ABOUT_USER or table == "users":
                mentioning.add(table)
    assert mentioning - set(TABLES) == set(), "a table with personal data that /privacy does not name"
    assert set(TABLES.values()) == set(KINDS)


def test_kinds_found_follow_the_privacy_order() -> None:
    assert kinds_found({"referral_events", "users", "unknown"}) == [DataKind.ACCOUNT, DataKind.REFERRAL_NOTES]


async def test_user_data_names_the_kinds_and_includes_the_coordinators_notes(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite3"
    db = await Database.open(path)
    try:
        await db.execute("INSERT INTO users (id, first_seen, last_seen, username) VALUES (7, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', 'aigul')")
        referral, _ = await create_referral(
            db, user_id=7, kind=Kind.TRAINING, item_id="p", name="Aigul", phone="+996555123456",
            region="osh", city=None, comment=None,
        )
        await add_note(db, referral.id, actor_id=900, note="Called her brother")
    finally:
        await db.close()
    data = ops.user_data(path, 7)
    assert {"account", "referral", "referral_notes"} <= set(data["kinds"])
    assert data["kinds"] == [kind.value for kind in KINDS if kind.value in data["kinds"]]  # the /privacy order
    assert data["users"][0]["username"] == "aigul"
    assert [e["note"] for e in data["referral_events"]] == ["Called her brother"]


async def test_privacy_and_the_consent_screen_list_the_same_kinds(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(3300, language_code="en")
    [privacy] = await user.send("/privacy")
    i18n = Catalogues()
    with i18n.context(), i18n.use_locale("en"):
        lines = {kind: _plain(data_kind_line(kind)) for kind in KINDS}
    for kind in KINDS:
        assert lines[kind] in privacy.text, kind
    await open_osh_centre(user, "en")
    [consent] = await user.press("Apply")
    for kind in REFERRAL_KINDS:
        assert lines[kind] in consent.text, kind
    assert lines[DataKind.SETTINGS] not in consent.text  # the consent names what the request adds
