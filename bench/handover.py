"""Benchmark: N migrants write to the team at once; how long until every message is in its case's topic,
and how many posts that took in groups limited to 20 messages a minute.

    python -m bench.handover [--migrants 200] [--messages 2] [--groups 1] [--per-minute 20]

The real bot (dispatcher with concurrent updates, the handover worker) runs in this process against the
fake Bot API with forums. Each migrant already has an open case (consent given); then all of them send
`--messages` texts at the same moment. `--groups 3` adds OPERATOR_CHAT_ID_KY/_RU/_EN and spreads the
migrants over the three languages. `--per-minute` scales the group limit on both sides (fake and bot) so a
run takes seconds instead of Telegram's real minutes; the report gives the time at 20 a minute as well.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from bot.app import App
from bot.config import load_settings
from bot.db import cases as db_cases
from bot.db.clock import now_iso
from bot.devtools.fake_telegram import FakeTelegram
from bot.services.pace import Limits, MemoryPace

GROUPS = {"main": -1001000000000, "ky": -1001000000001, "ru": -1001000000002, "en": -1001000000003}
LOCALES = ("ky", "ru", "en")


async def main(migrants: int, messages: int, groups: int, per_minute: int) -> int:
    async with FakeTelegram() as tg:
        chats = {"operator_chat_id": GROUPS["main"]}
        if groups == 3:
            chats |= {f"operator_chat_id_{locale}": GROUPS[locale] for locale in LOCALES}
        for chat_id in chats.values():
            tg.forum(chat_id, per_minute=per_minute)
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(
                _env_file=None,
                bot_token=tg.token,
                bot_api_url=tg.base_url,
                database_path=Path(tmp) / "bench.sqlite3",
                **chats,
            )
            scale = per_minute / 20  # Telegram's limits into groups, scaled as the fake's are
            pace = MemoryPace(Limits(group_count=per_minute, chat_rate=scale, chat_burst=max(3, int(3 * scale))))
            app = await App.create(settings, pace=pace)
            users = [tg.user(20_000 + i, language_code=LOCALES[i % 3]) for i in range(migrants)]
            now = now_iso()
            await app.db.executemany(
                "INSERT INTO users (id, locale, first_seen, last_seen) VALUES (?, ?, ?, ?)",
                [(user.id, user.language_code, now, now) for user in users],
            )
            for user in users:
                await db_cases.open_case(
                    app.db, user.id, "work", user.language_code, None, "menu",
                    settings.operator_chat_for(user.language_code),
                )
            polling = asyncio.create_task(
                app.run_polling(handle_as_tasks=True, handle_signals=False, polling_timeout=1)
            )
            await tg.wait_for(lambda: app.started.is_set(), timeout=10)
            started = time.monotonic()
            for n in range(messages):
                for user in users:
                    tg.push_update(user.message_update(f"message {n + 1} from migrant {user.id}"))
            total = migrants * messages
            while True:
                sent = await app.db.fetchval("SELECT COUNT(*) FROM case_messages WHERE status = 'sent'")
                if sent == total:
                    break
                await asyncio.sleep(0.1)
            elapsed = time.monotonic() - started
            in_topics = sum(
                len(tg.thread(chat_id, topic.thread_id)) - 1
                for chat_id in chats.values()
                for topic in tg.topics(chat_id)
            )
            await app.dp.stop_polling()
            await polling
            await app.shutdown()
    group_posts = [
        call for call in tg.calls
        if call.ok and call.method in ("sendMessage", "copyMessage") and call.params.get("chat_id", 0) < 0
    ]
    cards = sum(1 for call in group_posts if call.params.get("reply_markup"))
    throttled = sum(1 for call in tg.calls if call.status == 429)
    used_groups = 3 if groups == 3 else 1  # with three language groups, the main one gets no case
    real_minutes = len(group_posts) / (20 * used_groups)
    print(f"migrants x messages   {migrants} x {messages} = {total} messages, {used_groups} group(s)")
    print(f"group limit           {per_minute} posts/min per group (Telegram: 20)")
    print(f"time until all in     {elapsed:.1f} s")
    print(f"posts used            {len(group_posts)} ({cards} case cards, {len(group_posts) - cards} with messages)")
    print(f"posts in topics       {in_topics} besides the cards; topics {sum(len(tg.topics(c)) for c in chats.values())}")
    print(f"429s met              {throttled}")
    print(f"at 20 posts/min       {real_minutes:.1f} min")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--migrants", type=int, default=200)
    parser.add_argument("--messages", type=int, default=2)
    parser.add_argument("--groups", type=int, choices=(1, 3), default=1)
    parser.add_argument("--per-minute", type=int, default=20)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.migrants, args.messages, args.groups, args.per_minute)))
