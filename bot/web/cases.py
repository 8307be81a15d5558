"""The console's Cases pages: the lists of talk-to-a-person cases, a case with its transcript, and Close.

Coordinators and volunteers both work cases, as in the operator group, and see what the group sees: the
case number, language, region, topic and the messages, never the person's name, phone or Telegram id (the
case holds none of them apart from what the migrant chose to write). Close is the very close of `/close`
in the topic (`services.case_closing.close_case`): the migrant gets the closing message and the rating,
the topic closes, and the audit log has it.
"""

from __future__ import annotations

from aiohttp import web

from bot.db import cases as db_cases
from bot.db.cases import CASE_LISTS, Case, Entry
from bot.db.clock import utcnow
from bot.db.staff import COORDINATOR, VOLUNTEER
from bot.db.tables import as_datetime
from bot.db.users import usernames
from bot.handlers.case_texts import source_label, topic_label, waiting_label
from bot.handlers.regions import region_label
from bot.handover import Handover
from bot.i18n import LANGUAGE_NAMES, _, format_date
from bot.services.case_closing import close_case
from bot.services.cases import reference
from bot.services.schedule import format_local_time
from bot.services.telegram_html import TelegramHtmlError, parse_html
from bot.web.app import PAGE_SIZE, _done, _int, app_of, page, page_number, paging, render
from bot.web.auth import Visitor


def list_label(which: str) -> str:
    return {"open": _("Open"), "closed": _("Closed"), "urgent": _("Urgent")}[which]


def kind_label(kind: str) -> str:
    labels = {
        "text": _("text"),
        "photo": _("photo"),
        "document": _("document"),
        "voice": _("voice message"),
        "video": _("video"),
        "audio": _("audio"),
        "location": _("location"),
        "contact": _("contact"),
    }
    return labels.get(kind, kind)


def plain(text_html: str | None) -> str | None:
    """A stored message as the migrant or the operator saw it, without its Telegram markup (the page escapes
    it, so a `<script>` someone typed shows as text)."""
    if text_html is None:
        return None
    try:
        return parse_html(text_html)[0]
    except TelegramHtmlError:
        return text_html


def _row(case: Case, locale: str, names: dict[int, str]) -> dict[str, object]:
    now = utcnow()
    assignee = case.assignee_id
    return {
        "case": case,
        "reference": reference(case.id),
        "waiting": waiting_label(case, now) if case.is_open else "—",
        "assignee": None if assignee is None else names.get(assignee, str(assignee)),
        "topic": topic_label(case.topic),
        "language": LANGUAGE_NAMES.get(case.locale, case.locale),
        "opened": format_date(as_datetime(case.opened_at).date(), locale),
    }


@page(COORDINATOR, VOLUNTEER)
async def cases(request: web.Request, visitor: Visitor) -> web.StreamResponse:
    app = app_of(request)
    which = request.query.get("list", "open")
    if which not in CASE_LISTS:
        which = "open"
    number = page_number(request)
    found, total = await db_cases.list_cases(app.db, which, number * PAGE_SIZE, PAGE_SIZE)
    names = await usernames(app.db, {case.assignee_id for case in found if case.assignee_id is not None})
    return render(
        request,
        visitor,
        "cases.html",
        title=_("Cases"),
        which=which,
        lists=[(key, list_label(key)) for key in CASE_LISTS],
        rows=[_row(case, visitor.locale, names) for case in found],
        total=total,
        paging=paging(request, {"list": which}, number, PAGE_SIZE, total),
    )


def _entry(entry: Entry) -> dict[str, object]:
    return {
        "mine": entry.direction == "in",
        "who": _("Migrant") if entry.direction == "in" else _("Koldoo volunteer"),
        "kind": kind_label(entry.kind),
        "text": plain(entry.text_html),
        "when": format_local_time(entry.created_at),
        "waiting": entry.direction == "in" and entry.status == "pending",
        "failed": entry.status == "failed",
    }


async def _case_of(request: web.Request) -> Case:
    """The case the URL names, or 404."""
    case = await db_cases.get_case(app_of(request).db, _int(request.match_info["id"]))
    if case is None:
        raise web.HTTPNotFound()
    return case


@page(COORDINATOR, VOLUNTEER)
async def case_page(request: web.Request, visitor: Visitor) -> web.StreamResponse:
    app = app_of(request)
    case = await _case_of(request)
    entries = await db_cases.transcript(app.db, case.id)
    return render(
        request,
        visitor,
        "case.html",
        title=reference(case.id),
        row=_row(case, visitor.locale, await usernames(app.db, [case.assignee_id] if case.assignee_id else [])),
        region=region_label(case.region, visitor.locale) if case.region else _("not given"),
        source=source_label(case.source),
        entries=[_entry(entry) for entry in entries],
    )


@page(COORDINATOR, VOLUNTEER)
async def case_close(request: web.Request, visitor: Visitor) -> web.StreamResponse:
    app = app_of(request)
    case = await _case_of(request)
    handover: Handover = app.dp["handover"]
    closed = await close_case(case, app.db, handover, closed_by=visitor.user_id)
    raise _done(f"/cases/{case.id}", "case_closed" if closed else "case_was_closed")


def setup(server: web.Application) -> None:
    server.router.add_get("/cases", cases)
    server.router.add_get(r"/cases/{id:\d{1,15}}", case_page)
    server.router.add_post(r"/cases/{id:\d{1,15}}/close", case_close)
