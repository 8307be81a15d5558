"""One schema, one history: the Alembic baseline equals what the legacy SQL files built, a database the
pre-Alembic code wrote upgrades in place with every row, and the migrations match bot/db/tables.py."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.db.connection import Database
from bot.db.legacy import BASELINE_LEGACY, LAST_LEGACY, legacy_migrations, upgrade_legacy
from bot.db.migrate import BASELINE, head
from bot.db.tables import metadata

STAMP = "2026-03-01T09:30:00+00:00"
# One row in every table, as the code before Alembic wrote them (ISO text timestamps).
ROWS = {
    "users": ("INSERT INTO users (id, locale, first_seen, last_seen, blocked, privacy_seen_at, data_consent_at,"
              " telegram_locale) VALUES (7000000001, 'ky', ?, ?, 0, ?, ?, 'ru')", (STAMP,) * 4),
    "fsm_state": ("INSERT INTO fsm_state VALUES ('[1,2,3]', 1, 7000000001, 7000000001, NULL, NULL, 'default',"
                  " 'Form:name', '{\"name\": \"Aigul\"}', ?)", (STAMP,)),
    "staff": ("INSERT INTO staff VALUES (900, 'coordinator', NULL, ?)", (STAMP,)),
    "audit_log": ("INSERT INTO audit_log (actor_id, action, target, details, at) VALUES (900, 'staff.grant', '5',"
                  " '{}', ?)", (STAMP,)),
    "reminders": ("INSERT INTO reminders (user_id, kind, subject_date, due_on, created_at) VALUES (7000000001,"
                  " 'ban_end', '2026-05-01', '2026-04-24', ?)", (STAMP,)),
    "referrals": ("INSERT INTO referrals (user_id, kind, item_id, name, phone, region, city, comment, status,"
                  " created_at, updated_at) VALUES (7000000001, 'training', 'p1', 'Aigul', '+996555123456', 'osh',"
                  " 'Osh', NULL, 'new', ?, ?)", (STAMP, STAMP)),
    "referral_events": ("INSERT INTO referral_events (referral_id, actor_id, at, from_status, to_status, note)"
                        " VALUES (1, 900, ?, 'new', 'contacted', 'called')", (STAMP,)),
    "broadcasts": ("INSERT INTO broadcasts (sender_id, sender_locale, audience, status, scheduled_at, total,"
                   " created_at) VALUES (900, 'ru', '{}', 'done', ?, 1, ?)", (STAMP, STAMP)),
    "broadcast_versions": ("INSERT INTO broadcast_versions VALUES (1, 'ru', 'text', 'Hello', '[]', NULL)", ()),
    "broadcast_recipients": ("INSERT INTO broadcast_recipients VALUES (1, 7000000001, 'ru', 'sent', NULL, 1, ?)",
                             (STAMP,)),
    "broadcast_summaries": ("INSERT INTO broadcast_summaries VALUES (1, 'sent', 1)", ()),
    "cases": ("INSERT INTO cases (user_id, topic, locale, source, chat_id, consent_at, opened_at) VALUES"
              " (7000000001, 'ban', 'ky', 'menu', -1001, ?, ?)", (STAMP, STAMP)),
    "case_messages": ("INSERT INTO case_messages (case_id, direction, kind, user_message_id, created_at) VALUES"
                      " (1, 'in', 'text', 10, ?)", (STAMP,)),
    "outbox": ("INSERT INTO outbox (kind, chat_id, subject_id, not_before, created_at, updated_at) VALUES"
               " ('referral.new', 900, 1, ?, ?, ?)", ("2026-03-01T09:30:00.123+00:00", STAMP, STAMP)),
    "web_login_tokens": ("INSERT INTO web_login_tokens VALUES ('h1', 900, ?, ?, NULL)", (STAMP, STAMP)),
    "web_sessions": ("INSERT INTO web_sessions VALUES ('h2', 900, 'c', 'ru', ?, ?)", (STAMP, STAMP)),
    "web_login_failures": ("INSERT INTO web_login_failures (client, at) VALUES ('1.2.3.4', ?)", (STAMP,)),
}


def _table_of(difference) -> str | None:
    if isinstance(difference, list):
        return difference[0][2]
    constraint = difference[1]
    return getattr(getattr(constraint, "table", None), "name", None)


def legacy_database(path: Path, upto: int = LAST_LEGACY) -> None:
    """A database as the code before Alembic left it: its SQL files, `PRAGMA user_version`, rows."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        for number, _, sql in legacy_migrations():
            if number <= upto:
                conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
        if upto >= BASELINE_LEGACY:
            for sql, params in ROWS.values():
                conn.execute(sql, params)


def _schema(path: Path) -> dict[str, object]:
    with closing(sqlite3.connect(path)) as conn:
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('alembic_version') ORDER BY name")]
        schema: dict[str, object] = {}
        for table in tables:
            # (name, type, not null, default, primary key); a primary key is NOT NULL in the baseline, which
            # only says what the legacy schema meant: none of its keys was ever NULL
            columns = [(c[1], c[2].upper().replace("BIGINT", "INTEGER"), c[3] or c[5] > 0, c[4], c[5])
                       for c in conn.execute(f"PRAGMA table_info({table})")]
            indexes = sorted(
                (index[1], index[2], index[4], tuple(c[2] for c in conn.execute(f"PRAGMA index_info({index[1]})")))
                for index in conn.execute(f"PRAGMA index_list({table})") if index[3] == "c"
            )
            without_rowid = "WITHOUT ROWID" in conn.execute(
                "SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0].upper()
            foreign = sorted((f[2], f[3], f[4], f[6]) for f in conn.execute(f"PRAGMA foreign_key_list({table})"))
            schema[table] = (sorted(columns), indexes, without_rowid, foreign)
        schema["triggers"] = sorted(name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        schema["partial"] = sorted(
            " ".join(sql.split("WHERE", 1)[1].split()) for (sql,) in conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql LIKE '%WHERE%'")
        )
        return schema


async def test_the_baseline_builds_what_the_legacy_files_built(tmp_path: Path) -> None:
    legacy_database(tmp_path / "legacy.sqlite3", upto=LAST_LEGACY)
    with closing(sqlite3.connect(tmp_path / "legacy.sqlite3")) as conn:
        for table in metadata.tables:
            conn.execute(f"DELETE FROM {table}")
        conn.commit()
    db = await Database.open(tmp_path / "new.sqlite3")
    await db.close()
    assert _schema(tmp_path / "new.sqlite3") == _schema(tmp_path / "legacy.sqlite3")


async def test_a_database_of_the_pre_alembic_code_upgrades_in_place_with_every_row(tmp_path: Path) -> None:
    path = tmp_path / "koldoo.sqlite3"
    legacy_database(path)
    db = await Database.open(path)
    try:
        assert await db.fetchval("SELECT version_num FROM alembic_version") == head()
        for table in ROWS:
            assert await db.fetchval(f"SELECT COUNT(*) FROM {table}") == 1, table
        user = await db.fetchone("SELECT id, first_seen, locale FROM users")
        assert tuple(user) == (7000000001, datetime(2026, 3, 1, 9, 30, tzinfo=UTC), "ky")
        not_before = await db.fetchval("SELECT not_before FROM outbox")
        assert not_before == datetime(2026, 3, 1, 9, 30, 0, 123_000, tzinfo=UTC)
        # the triggers still work: a new user is subscribed; forgetting one blanks their referrals
        await db.execute("INSERT INTO users (id, first_seen, last_seen) VALUES (5, ?, ?)", (STAMP, STAMP))
        assert await db.fetchval("SELECT topic FROM user_interests WHERE user_id = 5") == "safety"
        await db.execute("DELETE FROM users WHERE id = 7000000001")
        assert await db.fetchval("SELECT name FROM referrals") is None
    finally:
        await db.close()


async def test_a_database_of_the_code_just_before_alembic_is_stamped_at_its_revision(tmp_path: Path) -> None:
    """Legacy number 10 is the baseline; 11 and 12 (added on main meanwhile) are revisions 0002 and 0003."""
    for upto in (BASELINE_LEGACY, 11):
        path = tmp_path / f"v{upto}.sqlite3"
        legacy_database(path, upto=upto)
        db = await Database.open(path)
        try:
            assert await db.fetchval("SELECT version_num FROM alembic_version") == head()
            assert await db.fetchval("SELECT COUNT(*) FROM referrals") == 1
            assert await db.fetchval("SELECT COUNT(*) FROM referral_events") == 1  # the rebuild kept them
            assert await db.fetchval("SELECT decline_reason FROM referrals") is None
            await db.execute("UPDATE referrals SET status = 'withdrawn'")  # 0003's wider CHECK
        finally:
            await db.close()


async def test_an_older_legacy_database_gets_the_rest_of_the_legacy_files_first(tmp_path: Path) -> None:
    path = tmp_path / "koldoo.sqlite3"
    legacy_database(path, upto=3)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("INSERT INTO users (id, first_seen, last_seen) VALUES (1, ?, ?)", (STAMP, STAMP))
        conn.execute(
            "INSERT INTO reminders (user_id, kind, subject_date, due_on, created_at) VALUES (1, 'ban_end',"
            " '2026-05-01', '2026-04-24', ?)", (STAMP,))
        conn.commit()
    db = await Database.open(path)
    try:
        assert await db.fetchval("SELECT version_num FROM alembic_version") == head()
        assert await db.fetchval("PRAGMA user_version") == BASELINE_LEGACY
        assert await db.fetchval("SELECT subject_date FROM reminders") == "2026-05-01"
        assert await db.fetchval("SELECT topic FROM user_interests WHERE user_id = 1") == "safety"  # 0004's backfill
    finally:
        await db.close()
    assert upgrade_legacy(path) == BASELINE_LEGACY  # managed by Alembic now: left alone


async def test_the_migrations_build_exactly_the_tables_module(database: Database) -> None:
    """On both databases: no difference between the migrated schema and bot/db/tables.py."""
    def differences(connection):
        found = compare_metadata(MigrationContext.configure(connection), metadata)
        if connection.dialect.name == "sqlite":
            # 0003 rebuilds these two with the legacy SQL (see its docstring): INTEGER for BIGINT, unnamed
            # foreign keys, a nullable rowid: the same table to SQLite
            found = [d for d in found if _table_of(d) not in ("referrals", "referral_events")]
        return found

    async with database.transaction() as tx:
        assert await tx.conn.run_sync(differences) == []
        assert await tx.fetchval("SELECT version_num FROM alembic_version") == head()
    assert BASELINE <= head()


async def test_timestamps_are_timestamptz_on_postgresql(database: Database) -> None:
    if database.sqlite:
        return
    kinds = dict(await database.fetchall(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'users'"))
    assert kinds["first_seen"] == "timestamp with time zone"
    assert kinds["id"] == "bigint"
    assert date(2026, 1, 1)  # calendar dates stay ISO text (reminders.subject_date)
