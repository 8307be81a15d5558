"""`python -m bot` runs the bot; subcommands are tools for operators and content authors."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot.config import PROJECT_DIR, DatabaseSettings, SettingsError, load_settings
from bot.content.common import LOCALES
from bot.content.loader import ContentError, content_report
from bot.db import ops, preflight
from bot.errors import HttpListenError
from bot.logs import setup_logging
from bot.runtime import settle_memory, tune_interpreter


async def run_bot() -> int:
    settings = load_settings()  # before aiogram's seconds of import: a missing token is said at once
    setup_logging(settings.log_level)
    preflight.check_database(settings.database_path)
    from bot.app import App, StartError

    tune_interpreter()
    with ops.running_lock(settings.database_path):
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


def backup(target: Path) -> int:
    database = load_settings(DatabaseSettings).database_path
    size = ops.backup(database, target)
    print(f"backup written to {target} ({size} bytes), integrity ok")
    return 0


def restore(source: Path) -> int:
    database = load_settings(DatabaseSettings).database_path
    ops.restore(source, database)
    print(f"{database} restored from {source}, integrity ok")
    return 0


def user_data(user_id: int) -> int:
    database = load_settings(DatabaseSettings).database_path
    print(json.dumps(ops.user_data(database, user_id), ensure_ascii=False, indent=2))
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
