"""The safe-migration guide: browsing the topic tree, topic pages, deep links, sharing, and `/reload`."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router, html
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.config import Settings
from bot.content.loader import Content, ContentStore, reload_into
from bot.content.topics import Topic
from bot.filters.roles import IsCoordinator
from bot.handlers.start import show_menu
from bot.i18n import _, format_date
from bot.keyboards.callbacks import MenuCb, ShareCb, TopicCb
from bot.keyboards.guide import topic_keyboard
from bot.keyboards.menu import menu_only_keyboard
from bot.replies import answer, edit_or_send

log = logging.getLogger(__name__)
router = Router(name="guide")

DEEP_LINK_PREFIX = "topic-"


def root_text() -> str:
    return _("<b>Safe migration guide</b>\nChoose a section:")


def not_verified_mark() -> str:
    """Shown next to anything whose `verified` is false in the content files."""
    return "⚠️ " + _("not verified")


def topic_text(topic: Topic, locale: str) -> str:
    """Title, body (HTML written by the content authors) and where the facts come from."""
    mark = "\n" + not_verified_mark() if not topic.verified else ""
    checked = _("Source: {source}. Checked: {date}.").format(
        source=html.quote(topic.source_in(locale)), date=format_date(topic.verified_on, locale)
    )
    return (
        f"<b>{html.quote(topic.title.get(locale))}</b>{mark}\n\n{topic.body.get(locale)}\n\n<i>{checked}</i>"
    )


def screen(content: Content, topic_id: str, page: int, locale: str) -> tuple[str, InlineKeyboardMarkup]:
    """The text and keyboard of a tree level: the root for an empty or unknown id."""
    topic = content.topics.get(topic_id)
    text = topic_text(topic, locale) if topic is not None else root_text()
    return text, topic_keyboard(content, topic, page, locale)


@router.message(Command("guide"))
async def guide_command(message: Message, content: ContentStore, locale: str) -> None:
    await answer(message, *screen(content.current, "", 0, locale))


@router.callback_query(MenuCb.filter(F.section == "guide"))
async def guide_from_menu(callback: CallbackQuery, content: ContentStore, locale: str) -> None:
    await edit_or_send(callback, *screen(content.current, "", 0, locale))


@router.callback_query(TopicCb.filter())
async def open_topic(
    callback: CallbackQuery, callback_data: TopicCb, content: ContentStore, locale: str
) -> None:
    """A stale id (the topic was removed by a reload) lands on the root rather than failing."""
    await edit_or_send(callback, *screen(content.current, callback_data.id, callback_data.page, locale))


@router.message(CommandStart(deep_link=True, magic=F.args.startswith(DEEP_LINK_PREFIX)))
async def deep_link(message: Message, command: CommandObject, content: ContentStore, locale: str) -> None:
    topic_id = (command.args or "").removeprefix(DEEP_LINK_PREFIX)
    known = topic_id in content.current.topics
    log.info("guide.deep_link", extra={"user_id": message.from_user.id, "known": known})
    if not known:
        await show_menu(message)
        return
    await answer(message, *screen(content.current, topic_id, 0, locale))


@router.callback_query(ShareCb.filter())
async def share(
    callback: CallbackQuery, callback_data: ShareCb, content: ContentStore, bot: Bot, locale: str
) -> None:
    topic = content.current.topics.get(callback_data.id)
    if topic is None:
        await edit_or_send(callback, *screen(content.current, "", 0, locale))
        return
    me = await bot.me()
    link = f"https://t.me/{me.username}?start={DEEP_LINK_PREFIX}{topic.id}"
    text = _("Send this link to share the page «{title}»:").format(title=html.quote(topic.title.get(locale)))
    await bot.send_message(callback.from_user.id, f"{text}\n{link}", reply_markup=menu_only_keyboard())


@router.message(Command("reload"), IsCoordinator())
async def reload_content(message: Message, settings: Settings, content: ContentStore) -> None:
    """Re-read `content/`; a broken file never replaces what is running, and the author gets its lines."""
    fresh, problems = reload_into(content, settings.content_dir)
    report = "\n".join(html.quote(str(problem)) for problem in problems)
    if fresh is None:
        log.warning(
            "content.reload_failed", extra={"user_id": message.from_user.id, "problems": len(problems)}
        )
        await answer(
            message, _("Content was NOT reloaded: the bot keeps the previous version.") + "\n\n" + report
        )
        return
    log.info("content.reloaded", extra={"user_id": message.from_user.id, "topics": len(fresh.topics)})
    done = _("Content reloaded: {topics} topics, {contacts} contacts.").format(
        topics=len(fresh.topics), contacts=len(fresh.contacts)
    )
    await answer(message, f"{done}\n\n{report}" if report else done)


@router.message(Command("reload"))
async def reload_refused(message: Message) -> None:
    await answer(message, _("Only coordinators can reload the content."), menu_only_keyboard())
