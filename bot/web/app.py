"""The staff console: server-rendered pages on the bot's own HTTP application, another edge like handlers.

Each route translates HTTP into the same `services/` and `db/` calls the bot's handlers make (the referral
moves of `bot.referral_actions`, the broadcast cancel rule of `bot.broadcasting`, the filter parser of
`services.export`, the content reload of `content.loader`), so a rule exists once. `@page(...)` signs the
visitor in from the cookie, checks the role in the database, checks the CSRF token of every POST, and sets
the visitor's language for `_()`.

New pages: write `bot/web/<page>.py` with a `setup(server: web.Application) -> None` that adds its routes
(using `page`, `render` and, for a list, `page_number`/`paging` with the `pager` macro of _pager.html), add
it to `PAGE_MODULES`, and add its `NavItem` to `NAV`. The Cases pages (`bot/web/cases.py`) are built so.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import aiohttp_jinja2
import jinja2
from aiogram.utils.i18n import get_i18n
from aiohttp import web

from bot.broadcasting import broadcast_info_text, cancel_as, may_cancel
from bot.broadcasting import status_label as broadcast_status
from bot.content.catalogue import PLACES
from bot.content.loader import read_content, reload_into
from bot.content.registry import CONTENT_FILES
from bot.content.validate import stale_entries
from bot.db import broadcasts as broadcast_store
from bot.db.clock import utcnow
from bot.db.referrals import (
    add_note,
    count_by_status,
    get_referral,
    list_events,
    page_referrals,
)
from bot.db.staff import (
    COORDINATOR,
    ROLES,
    VOLUNTEER,
    audit,
    audit_actions,
    list_audit,
    list_staff,
    revoke,
    role_of,
)
from bot.db.stats import collect
from bot.db.tables import as_datetime
from bot.db.users import usernames
from bot.handlers.broadcast import audience_label
from bot.handlers.referral_texts import reason_label, status_label
from bot.handlers.regions import region_label
from bot.handlers.staff import never_used_warning, role_label
from bot.handlers.stats import weekly_png
from bot.i18n import LANGUAGE_NAMES, _, pick_locale
from bot.referral_actions import exported, move_referral, people, undo_referral
from bot.services.export import FilterError, filter_of
from bot.services.referrals import (
    COMMENT_MAX,
    DeclineReason,
    ReferralFilter,
    Status,
    allowed_moves,
    clean_comment,
)
from bot.services.schedule import format_local_time
from bot.services.staff import find_person, give_role
from bot.web import auth

if TYPE_CHECKING:
    from bot.app import App

HERE = Path(__file__).resolve().parent
APP_KEY = web.AppKey("koldoo_app", object)
PAGE_SIZE = 25
AUDIT_PAGE_SIZE = 50
REVIEW_AFTER = timedelta(days=183)  # content facts checked longer ago than about 6 months are listed
REFRESH_SECONDS = 3  # the broadcasts page reloads itself this often while one is sending
FILTER_FIELDS = ("status", "region", "programme", "from", "to", "reference")
PAGE_MODULES: list[str] = ["bot.web.cases"]  # modules with setup(server) adding their own pages

Handler = Callable[[web.Request, auth.Visitor], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class NavItem:
    path: str
    label: Callable[[], str]
    roles: tuple[str, ...]


NAV: list[NavItem] = [
    NavItem("/referrals", lambda: _("Referrals"), (COORDINATOR,)),
    NavItem("/cases", lambda: _("Cases"), (COORDINATOR, VOLUNTEER)),
    NavItem("/broadcasts", lambda: _("Broadcasts"), (COORDINATOR, VOLUNTEER)),
    NavItem("/stats", lambda: _("Stats"), (COORDINATOR,)),
    NavItem("/staff", lambda: _("Staff"), (COORDINATOR,)),
    NavItem("/content", lambda: _("Content"), (COORDINATOR,)),
]


def notices() -> dict[str, str]:
    """What a page says after a POST redirected to it with `?done=CODE`: codes only, never echoed text."""
    return {
        "status": _("The status is changed; the person was told in their language."),
        "moved": _("This request has changed meanwhile; here it is as it is now."),
        "undone": _("Undone."),
        "too_late": _("Too late to undo (a minute has passed, or the request changed since)."),
        "note": _("Note saved."),
        "bad_note": _("A note must have 1 to {limit} characters.").format(limit=COMMENT_MAX),
        "cancelled": _("The broadcast is cancelled."),
        "ended": _("The broadcast had already ended."),
        "granted": _("The role is given."),
        "revoked": _("The role is taken away."),
        "no_role": _("This person has no staff role."),
        "admin": _("This person is a coordinator through the ADMIN_IDS setting; change the setting instead."),
        "bad_user": _("Type a Telegram user id (digits only) or an @username, and choose a role."),
        "reloaded": _("Content reloaded."),
        "not_reloaded": _("Content was NOT reloaded: the bot keeps the previous version. See the problems below."),
        "case_closed": _("The case is closed: the migrant got the closing message and the rating, the topic is closed."),
        "case_was_closed": _("This case was closed already."),
    }


def guest_locale(request: web.Request) -> str:
    """Before login: the browser's first language when we speak it, else the default."""
    first = request.headers.get("Accept-Language", "").split(",")[0].split(";")[0].strip()
    return pick_locale(None, first, app_of(request).settings.default_locale)


def app_of(request: web.Request) -> App:
    return request.app[APP_KEY]  # type: ignore[return-value]


def render(
    request: web.Request, visitor: auth.Visitor | None, template: str, status: int = 200, **context: Any
) -> web.Response:
    nav = [item for item in NAV if visitor and visitor.role in item.roles]
    response = aiohttp_jinja2.render_template(
        template,
        request,
        {
            "_": _,
            "visitor": visitor,
            "nav": nav,
            "path": request.path,
            "languages": LANGUAGE_NAMES,
            "notice": notices().get(request.query.get("done", "")),
            "refresh": None,
            "lang": get_i18n().current_locale,
            **context,
        },
        status=status,
    )
    return response


def refusal(request: web.Request, visitor: auth.Visitor | None, status: int, text: str) -> web.Response:
    return render(request, visitor, "message.html", status=status, title=_("Not allowed"), text=text)


def page(*roles: str) -> Callable[[Handler], Callable[[web.Request], Awaitable[web.StreamResponse]]]:
    """A console route for these roles: signed in, role checked now, CSRF checked on POST, language set."""

    def decorate(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def route(request: web.Request) -> web.StreamResponse:
            app = app_of(request)
            visitor = await auth.visitor_of(
                app.db,
                request.cookies.get(auth.COOKIE),
                app.settings.admin_ids,
                app.settings.default_locale,
                utcnow(),
            )
            if visitor is None:
                if request.method == "GET":
                    raise web.HTTPSeeOther("/login")
                with app.i18n.context(), app.i18n.use_locale(guest_locale(request)):
                    return refusal(request, None, 403, _("Please log in again: send /web to the bot."))
            with app.i18n.context(), app.i18n.use_locale(visitor.locale):
                if visitor.role not in roles:
                    return refusal(request, visitor, 403, _("Sorry, this page is only for Koldoo coordinators."))
                if request.method == "POST":
                    form = await request.post()
                    if not auth.csrf_ok(visitor, form.get("csrf")):
                        return refusal(request, visitor, 403, _("This form has expired. Open the page again."))
                return await handler(request, visitor)

        return route

    return decorate


def _done(location: str, code: str) -> web.HTTPSeeOther:
    separator = "&" if "?" in location else "?"
    return web.HTTPSeeOther(f"{location}{separator}done={code}")


def _local_path(value: object) -> str:
    """A redirect target only inside the console (no `//evil.example`, no scheme)."""
    text = value if isinstance(value, str) else ""
    return text if text.startswith("/") and not text.startswith("//") and "\\" not in text else "/"


def _int(value: object, default: int = 0, limit: int = 2**53) -> int:
    text = value if isinstance(value, str) else ""
    return int(text) if text.isdigit() and int(text) < limit else default


@dataclass(frozen=True)
class Paging:
    """Where a list page is: its number (from 0), how many there are, and the links to its neighbours with
    the same filters. Templates show it with the `pager` macro of _pager.html."""

    page: int
    pages: int
    prev_url: str | None
    next_url: str | None


def page_number(request: web.Request) -> int:
    """The page asked for in `?page=` (from 0); nonsense is the first page."""
    return _int(request.query.get("page"), limit=10**6)


def paging(
    request: web.Request, kept: dict[str, str], number: int, size: int, total: int, path: str | None = None
) -> Paging:
    """Page `number` of `total` rows shown `size` at a time; the links keep the non-empty `kept` filters and
    lead to `path` (the request's own by default)."""
    pages = max(1, -(-total // size))
    query = {key: value for key, value in kept.items() if value}

    def url(to: int) -> str:
        return f"{path or request.path}?{urlencode(query | {'page': to})}"

    return Paging(
        page=number,
        pages=pages,
        prev_url=url(number - 1) if number > 0 else None,
        next_url=url(number + 1) if number + 1 < pages else None,
    )


# -- login -----------------------------------------------------------------------------------------------
async def login_page(request: web.Request) -> web.Response:
    app = app_of(request)
    with app.i18n.context(), app.i18n.use_locale(guest_locale(request)):
        widget = None
        if app.settings.web_login_widget:
            me = await app.bot.me()
            widget = {"bot": me.username, "auth_url": f"{app.settings.web_base_url}/login/telegram"}
        return render(request, None, "login.html", title=_("Log in"), widget=widget)


async def _login_refused(request: web.Request, app: App, client: str, now: datetime) -> web.Response:
    await auth.record_failure(app.db, client, now)
    return refusal(
        request, None, 403, _("This login link is not valid: it was used, it expired, or it is not yours. Send /web to the bot for a new one.")
    )


async def _sign_in(request: web.Request, app: App, user_id: int, method: str, now: datetime) -> web.StreamResponse:
    if await role_of(app.db, user_id, app.settings.admin_ids) is None:
        return refusal(request, None, 403, _("Sorry, the console is only for Koldoo staff."))
    cookie = await auth.open_session(app.db, user_id, method, now)
    redirect = web.HTTPSeeOther("/")
    redirect.set_cookie(
        auth.COOKIE,
        cookie,
        httponly=True,
        samesite="Lax",
        secure=app.settings.web_base_url.startswith("https://"),
        path="/",
    )
    raise redirect


async def _login(request: web.Request, method: str, user_of: Callable[[App, datetime], Awaitable[int | None]]) -> web.StreamResponse:
    app = app_of(request)
    now = utcnow()
    client = request.remote or "unknown"
    with app.i18n.context(), app.i18n.use_locale(guest_locale(request)):
        if await auth.too_many_failures(app.db, client, now):
            return refusal(request, None, 429, _("Too many failed logins. Wait a quarter of an hour and try again."))
        user_id = await user_of(app, now)
        if user_id is None:
            return await _login_refused(request, app, client, now)
        return await _sign_in(request, app, user_id, method, now)


async def login_link(request: web.Request) -> web.StreamResponse:
    token = request.match_info["token"]
    return await _login(request, "link", lambda app, now: auth.redeem_link(app.db, token, now))


async def login_widget(request: web.Request) -> web.StreamResponse:
    fields = {key: value for key, value in request.query.items()}

    async def user_of(app: App, now: datetime) -> int | None:
        if not app.settings.web_login_widget:
            return None
        return auth.widget_user(fields, app.settings.bot_token.get_secret_value(), now)

    return await _login(request, "widget", user_of)


@page(COORDINATOR, VOLUNTEER)
async def logout(request: web.Request, visitor: auth.Visitor) -> web.StreamResponse:
    await auth.close_session(app_of(request).db, visitor)
    redirect = web.HTTPSeeOther("/login")
    redirect.del_cookie(auth.COOKIE, path="/")
    raise redirect


@page(COORDINATOR, VOLUNTEER)
async def language(request: web.Request, visitor: auth.Visitor) -> web.StreamResponse:
    form = await request.post()
    await auth.choose_locale(app_of(request).db, visitor, str(form.get("locale", "")))
    raise web.HTTPSeeOther(_local_path(form.get("next")))


@page(COORDINATOR, VOLUNTEER)
async def home(request: web.Request, visitor: auth.Visitor) -> web.StreamResponse:
    raise web.HTTPSeeOther("/referrals" if visitor.role == COORDINATOR else "/broadcasts")


# -- referrals -------------------------------------------------------------------------------------------
def _filter_values(source: Any) -> dict[str, str]:
    return {key: str(source.get(key, "")).strip()[:100] for key in FILTER_FIELDS}


def _filter(values: dict[str, str]) -> tuple[ReferralFilter | None, str | None]:
    """The filter, or None and the value that could not be read."""
    try:
        return filter_of({key: value for key, value in values.items() if value}), None
    except FilterError as error:
        return None, error.token


@page(COORDINATOR)
async def referrals(request: web.Request, visitor: auth.Visitor) -> web.StreamResponse:
    app = app_of(request)
    values = _filter_values(request.query)
    flt, bad_value = _filter(values)
    number = page_number(request)
    titles = app.content.current.catalogue.titles(visitor.locale)
    rows, total, counts = [], 0, {}
    if flt is not None:
        rows, total = await page_referrals(app.db, flt, number, PAGE_SIZE)
        counts = await count_by_status(app.db, flt)
    return render(
        request,
        visitor,
        "referrals.html",
        title=_("Referrals"),
        values=values,
        bad_value=bad_value,
        rows=[
            {
                "referral": referral,
                "title": titles.get((referral.kind, referral.item_id), referral.item_id),
                "region": region_label(referral.region, visitor.locale),
                "status": status_label(referral.status),
                "created": format_local_time(referral.created_at),
            }
            for referral in rows
        ],
        total=total,
        counts=[(status, status_label(status), counts.get(status, 0)) for status in Status],
        statuses=[(status.value, status_label(status)) for status in Status],
        regions=[(rid, label.get(visitor.locale)) for rid, label in PLACES.items()],
        programmes=sorted({(item, title) for (_kind, item), title in titles.items()}, key=lambda pair: pair[1]),
        paging=paging(request, values, number, PAGE_SIZE, total),
    )


@page(COORDINATOR)
async def export(request: web.Request, visitor: auth.Visitor) -> web.StreamResponse:
    app = app_of(request)
    form = await request.post()
    flt, bad_value = _filter(_filter_values(form))
    kind = form.get("format")
    if flt is None or kind not in ("csv", "xlsx"):
        return refusal(request, visitor, 400, _("This filter value is not valid: {value}").format(value=bad_value or kind))
    titles = app.content.current.catalogue.titles(visitor.locale)
    async with exported(app.db, flt, titles, visitor.user_id, app.settings.exports_dir) as files:
        path = files.csv_path if kind == "csv" else files.xlsx_path
        media = "text/csv" if kind == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = web.StreamResponse(
            headers={"Content-Type": media, "Content-Disposition": f'attachment; filename="{path.name}"'}
        )
        await response.prepare(request)
        with path.open("rb") as file:
            while chunk := await asyncio.to_thread(file.read, 256 * 1024):
                await response.write(chunk)
        await response.write_eof()
    return response


@page(COORDINATOR)
async def referral(request: web.Request, visitor: auth.Visitor) -> web.StreamResponse:
    app = app_of(request)
    found = await get_referral(app.db, _int(request.match_info["id"]))
    if found is None:
        raise web.HTTPNotFound()
    item = app.content.current.catalogue.item(found.kind, found.item_id)
    events = await list_events(app.db, found.id)
    names = await people(app.db, found, events)
    return render(
        request,
        visitor,
        "referral.html",
        title=found.reference,
        referral=found,
        item_title=item.title.get(visitor.locale) if item else found.item_id,
        status_text=status_label(found.status),
        region=region_label(found.region, visitor.locale),
        created=format_local_time(found.created_at),
        moves=[(target.value, status_label(target)) for target in allowed_moves(found.kind, found.status)],
        reasons=[(reason.value, reason_label(reason)) for reason in DeclineReason],
        status_label_declined=status_label(Status.DECLINED),
        decline_reason=reason_label(found.decline_reason) if found.decline_reason else None,
        can_undo=request.query.get("done") == "status",
        names=names,
        events=[
            {
                "event": event,
                "when": format_local_time(event.at),
                "change": (
                    f"{status_label(event.from_status)} → {status_label(event.to_status)}"
                    if event.to_status is not None and event.from_status is not None
                    else None
                ),
            }
            for event in events
        ],
        comment_max=COMMENT_MAX,
    )


@page(COORDINATOR)
async def referral_status(request: web.Request, visitor: auth.Visitor) -> web.StreamResponse:
    app = app_of(request)
    referral_id = _int(request.match_info["id"])
    form = await request.post()
    target = str(form.get("to", ""))
    if target not in set(Status):
        raise web.HTTPBadRequest()
    reason = str(form.get("reason", "")) or DeclineReason.OTHER.value
    if reason not in set(DeclineReason):
        raise web.HTTPBadRequest()
    decline = DeclineReason(reason) if target == Status.DECLINED else None
    moved = await move_referral(app.db, app.outbox, referral_id, Status(target), visitor.user_id, decline)
    raise _done(f"/referrals/{referral_id}", "status" if moved else "moved")


@page(COORDINATOR)
async def referral_undo(request: web.Request, visitor: auth.Visitor) -> web.StreamResponse:
    app = app_of(request)
    referral_id = _int(request.match_info["id"])
    undone = await undo_referral(app.db, app.outbox, referral_id, visitor.user_id)
    raise _done(f"/referrals/{referral_id}", "undone" if undone else "too_late")


@page(COORDINATOR)
async def referral_note(request: web.Request, visitor: auth.Visitor) -> web.StreamResponse:
    app = app_of(request)
    referral_id = _int(request.match_info["id"])
    note = clean_comment(str((await request.post()).get("note", "")))
    if not note:
        raise _done(f"/referrals/{referral_id}", "bad_note")
    if not await add_note(app.db, referral_id, visitor.user_id, note):
        raise web.HTTPNotFound()
    raise _done(f"/referrals/{referral_id}", "note")


# -- broadcasts ------------------------------------------------------------------------------------------
@page(COORDINATOR, VOLUNTEER)
async def broadcasts(request: web.Request, visitor: auth.Visitor) -> web.StreamResponse:
    app = app_of(request)
    sender = None if visitor.role == COORDINATOR else visitor.user_id
    found = await broadcast_store.recent_broadcasts(app.db, 30, sender_id=sender)
    items = []
    for info in found:
        total = info.counts.done + info.counts.left
        items.append(
            {
                "info": info,
                "status": broadcast_status(info.status),
                "when": format_local_time(info.scheduled_at if info.status == "scheduled" else (info.started_at or info.scheduled_at)),
                "audience": audience_label(info.audience),
                "percent": round(100 * info.counts.done / total) if total else 0,
                "cancellable": info.status in ("scheduled", "running") and may_cancel(info, visitor.user_id, visitor.role),
            }
        )
    return render(
        request,
        visitor,
        "broadcasts.html",
        title=_("Broadcasts"),
        items=items,
        refresh=REFRESH_SECONDS if any(info.status == "running" for info in found) else None,
    )


@page(COORDINATOR, VOLUNTEER)
async def broadcast_cancel(request: web.Request, visitor: auth.Visitor) -> web.StreamResponse:
    app = app_of(request)
    info = await broadcast_store.get_broadcast(app.db, _int(request.match_info["id"]))
    if info is None or not may_cancel(info, visitor.user_id, visitor.role):
        return refusal(request, visitor, 403, _("Only its sender or a coordinator can cancel this broadcast."))
    if (await request.post()).get("sure") != "1":  # asked once, as in the bot
        question = _("Cancel broadcast #{id}?").format(id=info.id)
        return render(
            request, visitor, "confirm.html", title=question, text=broadcast_info_text(info).replace("\n", " · "),
            action=f"/broadcasts/{info.id}/cancel", yes=_("Yes, cancel it"), back="/broadcasts",
        )
    cancelled = await cancel_as(app.broadcaster, app.db, info.id, visitor.user_id)
    raise _done("/broadcasts", "cancelled" if cancelled else "ended")


# -- stats -----------------------------------------------------------------------------------------------
def _bars(counts: dict, label: Callable[[Any], str]) -> list[dict[str, Any]]:
    top = max(counts.values(), default=0)
    return [
        {"label": label(key), "count": value, "percent": round(100 * value / top) if top else 0}
        for key, value in counts.items()
    ]


@page(COORDINATOR)
async def stats(request: web.Request, visitor: auth.Visitor) -> web.StreamResponse:
    app = app_of(request)
    figures = await collect(app.db, app.settings.default_locale)
    return render(
        request,
        visitor,
        "stats.html",
        title=_("Stats"),
        stats=figures,
        by_locale=_bars(figures.by_locale, lambda code: LANGUAGE_NAMES.get(code, code)),
        by_region=_bars(figures.by_region, lambda rid: region_label(rid, visitor.locale) if rid else _("not chosen")),
        broadcasts=_bars(figures.broadcasts, broadcast_status),
        referrals=_bars(figures.referrals or {}, lambda code: status_label(Status(code))),
    )


@page(COORDINATOR)
async def stats_chart(request: web.Request, visitor: auth.Visitor) -> web.StreamResponse:
    app = app_of(request)
    png = await weekly_png(await collect(app.db, app.settings.default_locale))
    return web.Response(body=png, content_type="image/png")


# -- staff -----------------------------------------------------------------------------------------------
def _day_bound(value: str, next_day: bool = False) -> str | None:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return (day + timedelta(days=1 if next_day else 0)).isoformat()


@page(COORDINATOR)
async def staff(request: web.Request, visitor: auth.Visitor) -> web.StreamResponse:
    return await _staff_page(request, visitor)


async def _staff_page(
    request: web.Request, visitor: auth.Visitor, problem: str | None = None, who: str = ""
) -> web.Response:
    """The staff list, the grant form and the audit log; after a refused grant, with why and what was typed."""
    app = app_of(request)
    query = {key: request.query.get(key, "").strip()[:40] for key in ("actor", "action", "from", "to")}
    actions = await audit_actions(app.db)
    number = page_number(request)
    entries, total = await list_audit(
        app.db,
        actor_id=_int(query["actor"], default=-1) if query["actor"] else None,
        action=query["action"] if query["action"] in actions else None,
        since=_day_bound(query["from"]),
        until=_day_bound(query["to"], next_day=True),
        limit=AUDIT_PAGE_SIZE,
        offset=number * AUDIT_PAGE_SIZE,
    )
    members = [(uid, role_label(COORDINATOR), True) for uid in app.settings.admin_ids]
    members += [
        (member.user_id, role_label(member.role), False)
        for member in await list_staff(app.db)
        if member.user_id not in app.settings.admin_ids
    ]
    done = request.query.get("done", "")
    notice = notices().get(done)
    if done == "granted_new" and (new_id := _int(request.query.get("user"))):  # the bot's warning, with the id
        notice = f"{notices()['granted']} {never_used_warning(new_id)}"
    return render(
        request,
        visitor,
        "staff.html",
        status=200 if problem is None else 400,
        path="/staff",  # also after a refused grant, answered at /staff/grant: its links are this page's
        title=_("Staff"),
        notice=notice,
        problem=problem,
        who=who,
        members=members,
        roles=[(role, role_label(role)) for role in ROLES],
        query=query,
        actions=actions,
        entries=entries,
        when={entry.id: format_local_time(as_datetime(entry.at)) for entry in entries},
        names=await usernames(app.db, {uid for uid, _role, _admin in members} | {e.actor_id for e in entries}),
        total=total,
        paging=paging(request, query, number, AUDIT_PAGE_SIZE, total, path="/staff"),
    )


@page(COORDINATOR)
async def staff_grant(request: web.Request, visitor: auth.Visitor) -> web.StreamResponse:
    app = app_of(request)
    form = await request.post()
    who, role = str(form.get("user_id", "")).strip()[:40], str(form.get("role", ""))
    person = await find_person(app.db, who) if role in ROLES else None
    if person is not None and person.unknown_username:  # said on the page itself: notice codes never echo
        problem = _(
            "Nobody with the username {username} has started the bot. Ask them to send /start to the bot, "
            "then try again."
        ).format(username=who)
        return await _staff_page(request, visitor, problem, who)
    if person is None or person.user_id is None:
        raise _done("/staff", "bad_user")
    granted = await give_role(app.db, visitor.user_id, person.user_id, role, app.settings.admin_ids)
    if not granted.given:
        raise _done("/staff", "admin")
    if not granted.known:
        raise web.HTTPSeeOther(f"/staff?done=granted_new&user={person.user_id}")
    raise _done("/staff", "granted")


@page(COORDINATOR)
async def staff_revoke(request: web.Request, visitor: auth.Visitor) -> web.StreamResponse:
    app = app_of(request)
    user_id = _int((await request.post()).get("user_id"))
    if not user_id:
        raise _done("/staff", "bad_user")
    if user_id in app.settings.admin_ids:
        raise _done("/staff", "admin")
    had = await revoke(app.db, visitor.user_id, user_id)
    raise _done("/staff", "revoked" if had else "no_role")


# -- content ---------------------------------------------------------------------------------------------
@page(COORDINATOR)
async def content(request: web.Request, visitor: auth.Visitor) -> web.StreamResponse:
    app = app_of(request)
    directory = app.settings.content_dir
    _fresh, problems = await asyncio.to_thread(read_content, directory)
    stale = await asyncio.to_thread(stale_entries, directory, utcnow().date() - REVIEW_AFTER)
    files = []
    for name in CONTENT_FILES:
        path = directory / name
        modified = datetime.fromtimestamp(path.stat().st_mtime).astimezone() if path.exists() else None
        files.append({"name": name, "modified": modified and format_local_time(modified), "problems": sum(p.file == str(path) for p in problems)})
    current = app.content.current
    return render(
        request,
        visitor,
        "content.html",
        title=_("Content"),
        files=files,
        problems=problems,
        stale=stale,
        served={"topics": len(current.topics), "contacts": len(current.contacts)},
    )


@page(COORDINATOR)
async def content_reload(request: web.Request, visitor: auth.Visitor) -> web.StreamResponse:
    app = app_of(request)
    fresh, problems = await asyncio.to_thread(reload_into, app.content, app.settings.content_dir)
    await audit(app.db, visitor.user_id, "content.reload", None, {"ok": fresh is not None, "problems": len(problems)})
    raise _done("/content", "reloaded" if fresh is not None else "not_reloaded")


# -- wiring ----------------------------------------------------------------------------------------------
async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    widget = "https://telegram.org" if app_of(request).settings.web_login_widget else ""
    response.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'self'; script-src 'self' {widget}; frame-src https://oauth.telegram.org; "
        "img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")


def setup_console(server: web.Application, app: App) -> None:
    """Add the console's routes, templates and stylesheet to the process's one HTTP application."""
    server[APP_KEY] = app
    aiohttp_jinja2.setup(
        server,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    server.on_response_prepare.append(_security_headers)
    router = server.router
    router.add_static("/static/", HERE / "static")
    router.add_get("/", home)
    router.add_get("/login", login_page)
    router.add_get("/login/telegram", login_widget)
    router.add_get("/login/{token}", login_link)
    router.add_post("/logout", logout)
    router.add_post("/language", language)
    router.add_get("/referrals", referrals)
    router.add_post("/referrals/export", export)
    router.add_get(r"/referrals/{id:\d{1,15}}", referral)
    router.add_post(r"/referrals/{id:\d{1,15}}/status", referral_status)
    router.add_post(r"/referrals/{id:\d{1,15}}/note", referral_note)
    router.add_post(r"/referrals/{id:\d{1,15}}/undo", referral_undo)
    router.add_get("/broadcasts", broadcasts)
    router.add_post(r"/broadcasts/{id:\d{1,15}}/cancel", broadcast_cancel)
    router.add_get("/stats", stats)
    router.add_get("/stats/weekly.png", stats_chart)
    router.add_get("/staff", staff)
    router.add_post("/staff/grant", staff_grant)
    router.add_post("/staff/revoke", staff_revoke)
    router.add_get("/content", content)
    router.add_post("/content/reload", content_reload)
    for module in PAGE_MODULES:
        importlib.import_module(module).setup(server)

