"""`python -m bot` runs the bot; subcommands are tools for operators and content authors."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from bot.config import PROJECT_DIR, DatabaseSettings, SettingsError, load_settings
from bot.content.common import LOCALES
from bot.content.loader import ContentError, content_report
from bot.db import ops, preflight
from bot.db.connection import describe_database_failure
from bot.errors import HttpListenError
from bot.logs import setup_logging
from bot.runtime import settle_memory, tune_interpreter


async def run_bot() -> int:
    settings = load_settings()  # before aiogram's seconds of import: a missing token is said at once
    setup_logging(settings.log_level)
    if settings.is_sqlite:
        preflight.check_database(settings.database_path)
    from bot.app import App, StartError

    tune_interpreter()
    # One bot process per SQLite file; PostgreSQL serves any number of them.
    lock = ops.running_lock(settings.database_path) if settings.is_sqlite else contextlib.nullcontext()
    with lock:
        try:
            app = await App.create(settings)
            settle_memory()
            try:
                await app.run()
            finally:
                await app.shutdown()
        except StartError as error:
            print(error, file=sys.stderr)
            return 1
    return 0


def _sqlite_file(tool: str) -> Path:
    database = load_settings(DatabaseSettings).database_path
    if database is None:
        raise ops.OpsError(f"{tool} works on a SQLite file; for PostgreSQL use pg_dump / pg_restore")
    return database


def migrate() -> int:
    """Apply the migrations and say where the database stands."""
    settings = load_settings(DatabaseSettings)
    if settings.is_sqlite:
        preflight.check_database(settings.database_path)
    revision = asyncio.run(_migrate(settings.database_url))
    print(f"database at revision {revision}")
    return 0


async def _migrate(url: str) -> str | None:

    db = await _open(url)
    try:
        return await db.migrate()
    finally:
        await db.close()


async def _open(url: str, setting: str = "DATABASE_URL"):
    from bot.db.connection import Database, sqlite_path

    try:
        return await Database.open(url)
    except (OSError, DBAPIError) as error:
        if sqlite_path(url) is not None:
            raise ops.OpsError(f"{setting}: {error}") from None
        raise ops.OpsError(f"{setting}: {describe_database_failure(error, url)}") from None


def copy_db(source: str, target: str) -> int:
    from bot.db.copy import copy_database

    for name, url in (("SOURCE_URL", source), ("TARGET_URL", target)):
        if "://" not in url or url.partition("://")[0] not in ("sqlite", "postgresql", "postgres"):
            raise ops.OpsError(f"{name} {url!r} must be a sqlite:/// or postgresql:// URL")
    counts = asyncio.run(_copy(copy_database, source, target))
    print(f"copied {sum(counts.values())} rows in {len(counts)} tables; row counts match")
    return 0


async def _copy(copy_database, source: str, target: str) -> dict[str, int]:
    from bot.db.connection import sqlite_path

    try:
        return await copy_database(source.replace("postgres://", "postgresql://", 1),
                                   target.replace("postgres://", "postgresql://", 1))
    except (OSError, DBAPIError) as error:
        url = target if sqlite_path(target.replace("postgres://", "postgresql://", 1)) is None else source
        raise ops.OpsError(describe_database_failure(error, url) if "postgres" in url else str(error)) from None


def backup(target: Path) -> int:
    database = _sqlite_file("backup")
    size = ops.backup(database, target)
    print(f"backup written to {target} ({size} bytes), integrity ok")
    return 0


def restore(source: Path) -> int:
    database = _sqlite_file("restore")
    ops.restore(source, database)
    print(f"{database} restored from {source}, integrity ok")
    return 0


def user_data(user_id: int) -> int:
    settings = load_settings(DatabaseSettings)
    database = settings.database_path if settings.is_sqlite else settings.database_url
    try:
        data = ops.user_data(database, user_id)
    except (OSError, DBAPIError) as error:
        raise ops.OpsError(f"DATABASE_URL: {describe_database_failure(error, settings.database_url)}") from None
    print(json.dumps(data, ensure_ascii=False, indent=2))
    return 0


def print_check(directory: Path) -> int:
    """`check-content`: one line per problem on stdout, exit 1 on any error; a summary line when all is well."""
    report = content_report(directory)
    for problem in report.problems:
        print(problem)
    if report.exit_code == 0:
        print(report.summary())
    return report.exit_code


def print_i18n_report(directory: Path, mark: bool) -> int:
    from bot.i18n_report import mark_reviewed, report

    if mark:
        print(f"{mark_reviewed(directory)} texts recorded as reviewed")
        return 0
    for line in report(directory):
        print(line)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Koldoo Telegram bot")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default)")
    check = sub.add_parser("check-content", help="validate the YAML content files; exit 1 on any error")
    check.add_argument("dir", nargs="?", type=Path, default=PROJECT_DIR / "content")
    i18n = sub.add_parser("i18n-report", help="translation coverage per language and what changed since a review")
    i18n.add_argument("dir", nargs="?", type=Path, default=PROJECT_DIR / "content")
    i18n.add_argument("--mark-reviewed", action="store_true", help="record today's texts as reviewed")
    chat = sub.add_parser("chat", help="talk to the bot in this terminal, against a fake Telegram")
    chat.add_argument("--lang", choices=LOCALES, default="ru")
    sub.add_parser("backup", help="online, verified backup of the database").add_argument("path", type=Path)
    sub.add_parser("restore", help="restore a verified backup (the bot must be stopped)").add_argument(
        "path", type=Path
    )
    sub.add_parser("user-data", help="everything stored about one user, as JSON").add_argument("user_id", type=int)
    sub.add_parser("migrate", help="apply the database migrations (the bot also does at start)")
    copy = sub.add_parser("copy-db", help="copy every table to an empty database, e.g. SQLite to PostgreSQL")
    copy.add_argument("source_url", help="e.g. sqlite:///data/koldoo.sqlite3")
    copy.add_argument("target_url", help="e.g. postgresql://koldoo:secret@127.0.0.1/koldoo")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command in (None, "run"):
            return asyncio.run(run_bot())
        if args.command == "check-content":
            return print_check(args.dir)
        if args.command == "i18n-report":
            return print_i18n_report(args.dir, args.mark_reviewed)
        if args.command == "chat":
            from bot.devtools.chat import run_chat

            return asyncio.run(run_chat(args.lang))
        if args.command == "backup":
            return backup(args.path)
        if args.command == "restore":
            return restore(args.path)
        if args.command == "user-data":
            return user_data(args.user_id)
        if args.command == "migrate":
            return migrate()
        if args.command == "copy-db":
            return copy_db(args.source_url, args.target_url)
    except (SettingsError, ContentError, HttpListenError) as error:
        print(error, file=sys.stderr)
        return 2
    except ops.OpsError as error:
        print(error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
