"""`python -m bot` runs the bot; subcommands are tools for operators and content authors."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.config import SettingsError, load_settings
from bot.logs import setup_logging


async def run_bot() -> int:
    from bot.app import App

    settings = load_settings()
    setup_logging(settings.log_level)
    app = await App.create(settings)
    try:
        await app.run_polling()
    finally:
        await app.shutdown()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Koldoo Telegram bot")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command in (None, "run"):
            return asyncio.run(run_bot())
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
