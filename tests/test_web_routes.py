"""The staff console over HTTP: login links, sessions, roles, CSRF, filters that try SQL or HTML, and the
same referral moves, exports, broadcast cancels and grants as the bot, with their audit lines."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import logging
import socket
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from bot.db import broadcasts as broadcast_store
from bot.db.broadcasts import Content
from bot.db.referrals import get_referral
from bot.db.staff import grant, revoke, role_of
from bot.devtools.fake_telegram import FakeTelegram
from bot.services.referrals import Status
from bot.services.subscriptions import Audience
from bot.web import auth
from tests.conftest import COORDINATOR_ID
from tests.web_helpers import (
    Console,
    browser_session,
    csrf_of,
    free_port,
    logged_in,
    login_link,
    seed_referral,
    start_console,
)

VOLUNTEER_ID = 950
MIGRANT_ID = 3001


@pytest.fixture
async def console(make_app) -> Console:
    return await start_console(make_app)


async def audit_actions(console: Console) -> list[str]:
    return [row["action"] for row in await console.app.db.fetchall("SELECT action FROM audit_log ORDER BY id")]


# -- login -----------------------------------------------------------------------------------------------
async def test_a_link_logs_in_once_and_only_its_owner(tg: FakeTelegram, console: Console) -> None:
    link = await login_link(tg, COORDINATOR_ID)
    async with browser_session() as http:
        response = await http.get(link)
        assert response.status == 200 and response.url.path == "/referrals"
        cookie = response.history[0].cookies[auth.COOKIE]
        assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["secure"]
    async with browser_session() as http:  # someone else opening the same link later
        response = await http.get(link)
        assert response.status == 403 and "not valid" in await response.text()
        assert (await http.get(f"{console.base}/referrals", allow_redirects=False)).status == 303
    stored = await console.app.db.fetchall("SELECT token_hash FROM web_login_tokens")
    token = link.rsplit("/", 1)[1]
    assert [row["token_hash"] for row in stored] == [hashlib.sha256(token.encode()).hexdigest()]
    assert "web.login" in await audit_actions(console)


async def test_an_expired_link_and_an_older_link_are_refused(tg: FakeTelegram, console: Console) -> None:
    old = await login_link(tg, COORDINATOR_ID)
    new = await login_link(tg, COORDINATOR_ID)
    await console.app.db.execute("UPDATE web_login_tokens SET expires_at = ?", ((datetime.now(UTC) - timedelta(seconds=1)).isoformat(),))
    async with browser_session() as http:
        assert (await http.get(old)).status == 403  # replaced by the newer one
        assert (await http.get(new)).status == 403  # expired
        assert (await http.get(f"{console.base}/login/{'x' * 500}")).status == 403


async def test_the_link_lasts_ten_minutes(tg: FakeTelegram, console: Console) -> None:
    before = datetime.now(UTC)
    await login_link(tg, COORDINATOR_ID)
    expires = await console.app.db.fetchval("SELECT expires_at FROM web_login_tokens")
    assert timedelta(minutes=9) < expires - before <= timedelta(minutes=10, seconds=1)


async def test_web_is_for_staff_only_and_says_when_the_console_is_off(tg: FakeTelegram, make_app) -> None:
    app = await make_app()  # the test settings leave WEB_LISTEN empty
    [reply] = await tg.user(MIGRANT_ID, language_code="en").send("/web")
    assert reply.text == "Sorry, the console is only for Koldoo staff."
    [reply] = await tg.user(COORDINATOR_ID, language_code="en").send("/web")
    assert reply.text == "The staff console is turned off on this bot (WEB_LISTEN is empty)."
    assert await app.db.fetchval("SELECT COUNT(*) FROM web_login_tokens") == 0


async def test_failed_logins_are_rate_limited(tg: FakeTelegram, console: Console) -> None:
    async with browser_session() as http:
        for attempt in range(auth.FAILURES_ALLOWED):
            assert (await http.get(f"{console.base}/login/guess{attempt}")).status == 403
        link = await login_link(tg, COORDINATOR_ID)
        response = await http.get(link)
        assert response.status == 429 and "Too many failed logins" in await response.text()


async def test_tampered_missing_and_idle_cookies_lead_to_the_login_page(tg: FakeTelegram, console: Console) -> None:
    async with await logged_in(tg, console, COORDINATOR_ID) as http:
        [good] = [c.value for c in http.cookie_jar if c.key == auth.COOKIE]
    async with aiohttp.ClientSession() as http:  # cookies written by hand
        for value in (good[:-1] + ("A" if good[-1] != "A" else "B"), good.upper(), "x" * 1000, "' OR 1=1 --", None):
            headers = {"Cookie": f"{auth.COOKIE}={value}"} if value is not None else {}
            response = await http.get(f"{console.base}/referrals", allow_redirects=False, headers=headers)
            assert (response.status, response.headers.get("Location")) == (303, "/login"), value
            response = await http.post(
                f"{console.base}/staff/grant", data={"user_id": "5", "role": "coordinator"}, headers=headers
            )
            assert response.status == 403
        headers = {"Cookie": f"{auth.COOKIE}={good}"}
        assert (await http.get(f"{console.base}/referrals", allow_redirects=False, headers=headers)).status == 200
        idle = (datetime.now(UTC) - auth.IDLE_TIMEOUT - timedelta(minutes=1)).isoformat()
        await console.app.db.execute("UPDATE web_sessions SET seen_at = ?", (idle,))
        assert (await http.get(f"{console.base}/referrals", allow_redirects=False, headers=headers)).status == 303
    assert await console.app.db.fetchval("SELECT COUNT(*) FROM web_sessions") == 0
    assert await console.app.db.fetchval("SELECT COUNT(*) FROM staff") == 0


async def test_logout_ends_the_session(tg: FakeTelegram, console: Console) -> None:
    async with await logged_in(tg, console, COORDINATOR_ID) as http:
        page = await (await http.get(f"{console.base}/referrals")).text()
        response = await http.post(f"{console.base}/logout", data={"csrf": csrf_of(page)}, allow_redirects=False)
        assert (response.status, response.headers["Location"]) == (303, "/login")
        assert await console.app.db.fetchval("SELECT COUNT(*) FROM web_sessions") == 0
    assert (await audit_actions(console))[-1] == "web.logout"


async def test_a_revoked_coordinator_is_out_at_the_next_click(tg: FakeTelegram, console: Console) -> None:
    await grant(console.app.db, COORDINATOR_ID, 951, "coordinator")
    async with await logged_in(tg, console, 951) as http:
        assert (await http.get(f"{console.base}/staff")).status == 200
        await grant(console.app.db, COORDINATOR_ID, 951, "volunteer")
        assert (await http.get(f"{console.base}/staff")).status == 403
        await revoke(console.app.db, COORDINATOR_ID, 951)
        response = await http.get(f"{console.base}/broadcasts", allow_redirects=False)
        assert (response.status, response.headers["Location"]) == (303, "/login")


# -- the Login Widget ------------------------------------------------------------------------------------
def signed(fields: dict[str, str], token: str) -> dict[str, str]:
    check = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    digest = hmac.new(hashlib.sha256(token.encode()).digest(), check.encode(), hashlib.sha256).hexdigest()
    return fields | {"hash": digest}


def test_widget_hash_and_age_are_checked() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    fields = {"id": "900", "first_name": "A", "auth_date": str(int(now.timestamp()) - 60)}
    assert auth.widget_user(signed(fields, "1:T"), "1:T", now) == 900
    assert auth.widget_user(signed(fields, "1:T") | {"id": "901"}, "1:T", now) is None  # tampered
    assert auth.widget_user(signed(fields, "2:X"), "1:T", now) is None  # another bot's
    old = fields | {"auth_date": str(int((now - timedelta(days=1, minutes=1)).timestamp()))}
    assert auth.widget_user(signed(old, "1:T"), "1:T", now) is None
    assert auth.widget_user({k: v for k, v in signed(fields, "1:T").items() if k != "hash"}, "1:T", now) is None


async def test_widget_login_when_enabled(tg: FakeTelegram, make_app) -> None:
    console = await start_console(make_app, web_login_widget=True)
    fields = signed({"id": str(COORDINATOR_ID), "first_name": "A", "auth_date": str(int(datetime.now(UTC).timestamp()))}, tg.token)
    async with browser_session() as http:
        page = await (await http.get(f"{console.base}/login")).text()
        assert 'data-telegram-login="koldoo_test_bot"' in page
        response = await http.get(f"{console.base}/login/telegram", params=fields)
        assert response.status == 200 and response.url.path == "/referrals"
        response = await http.get(f"{console.base}/login/telegram", params=fields | {"id": "5"})
        assert response.status == 403


async def test_widget_is_refused_when_not_enabled(tg: FakeTelegram, console: Console) -> None:
    fields = signed({"id": str(COORDINATOR_ID), "auth_date": str(int(datetime.now(UTC).timestamp()))}, tg.token)
    async with browser_session() as http:
        assert "telegram-widget" not in await (await http.get(f"{console.base}/login")).text()
        assert (await http.get(f"{console.base}/login/telegram", params=fields)).status == 403


# -- roles and privacy -----------------------------------------------------------------------------------
async def test_volunteers_are_refused_referral_pages_and_never_see_a_name(tg: FakeTelegram, console: Console) -> None:
    referral = await seed_referral(tg, console.app, MIGRANT_ID)
    await grant(console.app.db, COORDINATOR_ID, VOLUNTEER_ID, "volunteer")
    async with await logged_in(tg, console, VOLUNTEER_ID) as http:
        home = await http.get(f"{console.base}/")
        assert home.url.path == "/broadcasts"
        page = await home.text()
        assert 'href="/referrals"' not in page and "Aigul" not in page
        for path in ("/referrals", f"/referrals/{referral.id}", "/stats", "/stats/weekly.png", "/staff", "/content"):
            response = await http.get(f"{console.base}{path}")
            body = await response.text()
            assert response.status == 403 and "Aigul" not in body and "+996" not in body, path
        csrf = csrf_of(page)
        for path, data in (
            ("/referrals/export", {"format": "csv"}),
            (f"/referrals/{referral.id}/status", {"to": "contacted"}),
            (f"/referrals/{referral.id}/note", {"note": "x"}),
            ("/staff/grant", {"user_id": str(VOLUNTEER_ID), "role": "coordinator"}),
            ("/staff/grant", {"user_id": "@someone", "role": "coordinator"}),
        ):
            response = await http.post(f"{console.base}{path}", data=data | {"csrf": csrf})
            assert response.status == 403 and "Aigul" not in await response.text(), path
    assert (await get_referral(console.app.db, referral.id)).status == Status.NEW
    assert "referrals.export" not in await audit_actions(console)


# -- referrals -------------------------------------------------------------------------------------------
async def test_a_status_change_needs_the_csrf_token_and_tells_the_migrant(tg: FakeTelegram, console: Console) -> None:
    referral = await seed_referral(tg, console.app, MIGRANT_ID)
    migrant = tg.user(MIGRANT_ID)
    async with await logged_in(tg, console, COORDINATOR_ID) as http:
        url = f"{console.base}/referrals/{referral.id}"
        page = await (await http.get(url)).text()
        for data in ({"to": "contacted"}, {"to": "contacted", "csrf": "forged"}):
            assert (await http.post(f"{url}/status", data=data)).status == 403
        assert (await get_referral(console.app.db, referral.id)).status == Status.NEW
        response = await http.post(f"{url}/status", data={"to": "contacted", "csrf": csrf_of(page)})
        assert response.status == 200 and "The status is changed" in await response.text()
        # the notice is queued with the change and sent by the outbox loop
        await tg.wait_for(lambda: (migrant.last.text or "").startswith(f"Your request {referral.reference}"))
        assert "Contacted" in migrant.last.text
        # a move the rules do not allow from "contacted" changes nothing
        response = await http.post(f"{url}/status", data={"to": "completed", "csrf": csrf_of(page)})
        assert "changed meanwhile" in await response.text()
        response = await http.post(f"{url}/note", data={"note": "Called <b>twice</b>", "csrf": csrf_of(page)})
        body = await response.text()
        assert "Note saved." in body and "Called &lt;b&gt;twice&lt;/b&gt;" in body
    assert (await get_referral(console.app.db, referral.id)).status == Status.CONTACTED
    line = await console.app.db.fetchone("SELECT actor_id, target, details FROM audit_log WHERE action = 'referral.status'")
    assert (line["actor_id"], line["target"], json.loads(line["details"])) == (
        COORDINATOR_ID, str(referral.id), {"from": "new", "to": "contacted"}
    )


async def test_names_and_comments_are_shown_as_text(tg: FakeTelegram, console: Console) -> None:
    referral = await seed_referral(tg, console.app, MIGRANT_ID, name="<script>alert(1)</script>", comment='"><img src=x onerror=alert(1)>')
    async with await logged_in(tg, console, COORDINATOR_ID) as http:
        for path in ("/referrals", f"/referrals/{referral.id}"):
            body = await (await http.get(f"{console.base}{path}")).text()
            assert "<script>alert" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
            assert "<img src=x" not in body


@pytest.mark.parametrize(
    "query",
    [
        {"status": "new' OR '1'='1"},
        {"region": "osh_city'; DROP TABLE referrals; --"},
        {"programme": "x' OR 1=1 --"},
        {"from": "2026-01-01' OR '1'='1"},
        {"reference": "<script>alert(1)</script>"},
        {"region": '"><script>alert(1)</script>'},
    ],
    ids=["status-sql", "region-sql", "programme-sql", "date-sql", "reference-html", "region-html"],
)
async def test_filter_values_that_try_sql_or_html(tg: FakeTelegram, console: Console, query: dict[str, str]) -> None:
    await seed_referral(tg, console.app, MIGRANT_ID)
    async with await logged_in(tg, console, COORDINATOR_ID) as http:
        response = await http.get(f"{console.base}/referrals", params=query)
        body = await response.text()
        assert response.status == 200
        assert "This filter value is not valid" in body and "Found: 0" in body and "Aigul" not in body
        assert "<script>alert" not in body
    assert await console.app.db.fetchval("SELECT COUNT(*) FROM referrals") == 1


async def test_filters_counts_and_pages(tg: FakeTelegram, console: Console) -> None:
    osh = [await seed_referral(tg, console.app, MIGRANT_ID + n, name=f"Osh Person {n}") for n in range(3)]
    naryn = await seed_referral(tg, console.app, MIGRANT_ID + 10, region="naryn", name="Naryn Person")
    async with await logged_in(tg, console, COORDINATOR_ID) as http:
        body = await (await http.get(f"{console.base}/referrals", params={"region": "osh_city"})).text()
        assert "Found: 3" in body and "Naryn Person" not in body and all(r.reference in body for r in osh)
        body = await (await http.get(f"{console.base}/referrals", params={"reference": naryn.reference})).text()
        assert "Found: 1" in body and "Naryn Person" in body and "Osh Person" not in body
        today = datetime.now(UTC).date()
        body = await (await http.get(f"{console.base}/referrals", params={"to": str(today - timedelta(days=1))})).text()
        assert "Found: 0" in body
        body = await (await http.get(f"{console.base}/referrals", params={"status": "declined"})).text()
        assert "Found: 0" in body and "New: 4" in body  # counts per status beside the filtered list
        body = await (await http.get(f"{console.base}/referrals", params={"page": "999"})).text()
        assert "Page 1000 of 1" in body and "Osh Person" not in body


async def test_export_csv_of_the_filtered_set_is_audited(tg: FakeTelegram, console: Console) -> None:
    await seed_referral(tg, console.app, MIGRANT_ID, name="=HYPERLINK(1)")
    await seed_referral(tg, console.app, MIGRANT_ID + 1, region="naryn", name="Naryn Person")
    async with await logged_in(tg, console, COORDINATOR_ID) as http:
        page = await (await http.get(f"{console.base}/referrals")).text()
        response = await http.post(
            f"{console.base}/referrals/export", data={"csrf": csrf_of(page), "format": "csv", "region": "osh_city"}
        )
        assert response.status == 200 and response.headers["Content-Type"].startswith("text/csv")
        assert "attachment" in response.headers["Content-Disposition"]
        rows = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig"))))
        response = await http.post(
            f"{console.base}/referrals/export", data={"csrf": csrf_of(page), "format": "pdf"}
        )
        assert response.status == 400
    assert len(rows) == 2 and rows[1][rows[0].index("Name")] == "'=HYPERLINK(1)"
    details = json.loads(await console.app.db.fetchval("SELECT details FROM audit_log WHERE action = 'referrals.export'"))
    assert details == {"filters": {"region": "osh_city"}, "rows": 1}


# -- broadcasts, staff, content, language ----------------------------------------------------------------
async def make_broadcast(console: Console, sender_id: int) -> int:
    now = datetime.now(UTC)
    return await broadcast_store.create_broadcast(
        console.app.db, sender_id=sender_id, sender_locale="en", versions={"en": Content("text", "Hello")},
        audience=Audience(), scheduled_at=now + timedelta(days=1), now=now,
    )


async def test_volunteers_see_and_cancel_their_own_broadcasts(tg: FakeTelegram, console: Console) -> None:
    await grant(console.app.db, COORDINATOR_ID, VOLUNTEER_ID, "volunteer")
    own, other = await make_broadcast(console, VOLUNTEER_ID), await make_broadcast(console, COORDINATOR_ID)
    async with await logged_in(tg, console, VOLUNTEER_ID) as http:
        page = await (await http.get(f"{console.base}/broadcasts")).text()
        assert f"/broadcasts/{own}/cancel" in page and f"/broadcasts/{other}/cancel" not in page
        response = await http.post(f"{console.base}/broadcasts/{other}/cancel", data={"csrf": csrf_of(page)})
        assert response.status == 403
        response = await http.post(f"{console.base}/broadcasts/{own}/cancel", data={"csrf": csrf_of(page)})
        body = await response.text()  # asked once first
        assert f"Cancel broadcast #{own}?" in body and 'name="sure"' in body
        assert (await broadcast_store.get_broadcast(console.app.db, own)).status == "scheduled"
        response = await http.post(
            f"{console.base}/broadcasts/{own}/cancel", data={"csrf": csrf_of(page), "sure": "1"}
        )
        assert "The broadcast is cancelled." in await response.text()
    assert (await broadcast_store.get_broadcast(console.app.db, own)).status == "cancelled"
    assert (await broadcast_store.get_broadcast(console.app.db, other)).status == "scheduled"
    async with await logged_in(tg, console, COORDINATOR_ID) as http:
        page = await (await http.get(f"{console.base}/broadcasts")).text()
        assert f"/broadcasts/{other}/cancel" in page and f"<td>{own}</td>" in page


async def test_grant_and_revoke_from_the_staff_page_are_audited(tg: FakeTelegram, console: Console) -> None:
    async with await logged_in(tg, console, COORDINATOR_ID) as http:
        page = await (await http.get(f"{console.base}/staff")).text()
        csrf = csrf_of(page)
        body = await (await http.post(f"{console.base}/staff/grant", data={"csrf": csrf, "user_id": "952", "role": "volunteer"})).text()
        assert "The role is given." in body and "<code>952</code>" in body
        body = await (await http.post(f"{console.base}/staff/grant", data={"csrf": csrf, "user_id": "1 OR 1", "role": "volunteer"})).text()
        assert "Type a Telegram user id" in body
        body = await (await http.post(f"{console.base}/staff/revoke", data={"csrf": csrf, "user_id": str(COORDINATOR_ID)})).text()
        assert "ADMIN_IDS setting" in body
        body = await (await http.post(f"{console.base}/staff/revoke", data={"csrf": csrf, "user_id": "952"})).text()
        assert "The role is taken away." in body
        body = await (await http.get(f"{console.base}/staff", params={"action": "staff.grant"})).text()
        assert "Found: 1" in body and "staff.revoke" not in body.split("Audit log")[1].split("</select>")[1]
    assert await console.app.db.fetchval("SELECT COUNT(*) FROM staff") == 0
    actions = await audit_actions(console)
    assert actions.count("staff.grant") == 1 and actions.count("staff.revoke") == 1


async def test_grant_by_username_from_the_staff_page_as_in_the_bot(tg: FakeTelegram, console: Console) -> None:
    await tg.user(4101, language_code="en", username="Aida_K").send("/start")
    await tg.user(4102, language_code="en").send("/start")
    async with await logged_in(tg, console, COORDINATOR_ID) as http:
        page = await (await http.get(f"{console.base}/staff")).text()
        assert "Telegram user id or @username" in page
        csrf = csrf_of(page)
        response = await http.post(f"{console.base}/staff/grant", data={"user_id": "@aida_k", "role": "volunteer"})
        assert response.status == 403  # no CSRF token: refused, whatever is typed
        assert await role_of(console.app.db, 4101, []) is None

        body = await (await http.post(f"{console.base}/staff/grant", data={"csrf": csrf, "user_id": " @AIDA_K ", "role": "volunteer"})).text()
        assert "The role is given." in body and "⚠️" not in body
        assert "@aida_k <code>4101</code>" in body  # the list names the person, as /staff does
        assert await role_of(console.app.db, 4101, []) == "volunteer"

        response = await http.post(f"{console.base}/staff/grant", data={"csrf": csrf, "user_id": "@nobody_here", "role": "volunteer"})
        body = await response.text()
        assert response.status == 400
        assert "Nobody with the username @nobody_here has started the bot. Ask them to send /start to the bot" in body
        assert 'value="@nobody_here"' in body and 'name="csrf"' in body  # the form is back, filled in
        assert 'name="next" value="/staff"' in body  # its links are the Staff page's, not the POST's
        response = await http.post(f"{console.base}/staff/grant", data={"csrf": csrf, "user_id": "@<b>x</b>", "role": "volunteer"})
        body = await response.text()
        assert response.status == 400 and "@&lt;b&gt;x&lt;/b&gt;" in body and "<b>x</b>" not in body

        body = await (await http.post(f"{console.base}/staff/grant", data={"csrf": csrf, "user_id": "4999", "role": "coordinator"})).text()
        assert "The role is given. ⚠️ 4999 has never used the bot: check the id." in body  # the bot's warning
        body = await (await http.post(f"{console.base}/staff/grant", data={"csrf": csrf, "user_id": "4102", "role": "volunteer"})).text()
        assert "The role is given." in body and "⚠️" not in body
        body = await (await http.post(f"{console.base}/staff/grant", data={"csrf": csrf, "user_id": "aida_k", "role": "volunteer"})).text()
        assert "Type a Telegram user id (digits only) or an @username, and choose a role." in body
        body = await (await http.post(f"{console.base}/staff/grant", data={"csrf": csrf, "user_id": "@aida_k", "role": "boss"})).text()
        assert "Type a Telegram user id" in body
        body = await (await http.get(f"{console.base}/staff", params={"done": "granted_new", "user": "<i>1</i>"})).text()
        assert "<i>1</i>" not in body and "never used the bot" not in body  # only a number is ever shown
    assert await role_of(console.app.db, 4999, []) == "coordinator"
    assert await role_of(console.app.db, 4102, []) == "volunteer"
    rows = await console.app.db.fetchall("SELECT actor_id, target, details FROM audit_log WHERE action = 'staff.grant' ORDER BY id")
    assert [(row["actor_id"], row["target"]) for row in rows] == [(COORDINATOR_ID, "4101"), (COORDINATOR_ID, "4999"), (COORDINATOR_ID, "4102")]
    assert json.loads(rows[0]["details"]) == {"role": "volunteer"}


async def test_content_page_and_reload(tg: FakeTelegram, console: Console) -> None:
    async with await logged_in(tg, console, COORDINATOR_ID) as http:
        page = await (await http.get(f"{console.base}/content")).text()
        assert "topics.yaml" in page and "training.yaml" in page
        response = await http.post(f"{console.base}/content/reload", data={"csrf": csrf_of(page)})
        assert "Content reloaded." in await response.text()
    details = await console.app.db.fetchval("SELECT details FROM audit_log WHERE action = 'content.reload'")
    assert json.loads(details)["ok"] is True


async def test_the_visitor_picks_the_language(tg: FakeTelegram, console: Console) -> None:
    async with await logged_in(tg, console, COORDINATOR_ID) as http:
        page = await (await http.get(f"{console.base}/stats")).text()
        assert "By region" in page
        response = await http.post(
            f"{console.base}/language", data={"csrf": csrf_of(page), "locale": "ky", "next": "//evil.example/"}
        )
        assert response.url.host == "127.0.0.1" and response.url.path == "/referrals"
        page = await (await http.get(f"{console.base}/stats")).text()
        assert "Колдонуучулар" in page and 'lang="ky"' in page


# -- serving ---------------------------------------------------------------------------------------------
async def test_a_port_in_use_is_one_log_line_and_the_bot_goes_on(
    tg: FakeTelegram, make_app, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with caplog.at_level(logging.ERROR):
            await make_app(web_listen=f"127.0.0.1:{port}")
        [reply] = await tg.user(MIGRANT_ID, language_code="en").send("/help")
        assert reply.text
    assert [r.message for r in caplog.records if r.levelno >= logging.ERROR] == ["web.listen_failed"]


async def test_webhook_and_console_share_one_server(tg: FakeTelegram, make_app, tmp_path) -> None:
    import asyncio

    from bot.app import App
    from tests.conftest import test_settings

    port = free_port()
    settings = test_settings(
        tg, tmp_path, webhook_url="https://bot.example.org/hook", webhook_secret="s3cret", web_listen=f"127.0.0.1:{port}"
    )
    app = await App.create(settings)
    stop = asyncio.Event()
    task = asyncio.create_task(app.run_webhook(stop))
    try:
        await tg.wait_for(lambda: tg.calls_of("setWebhook"))
        async with browser_session() as http:
            assert (await http.get(f"http://127.0.0.1:{port}/login")).status == 200
            assert (await http.get(f"http://127.0.0.1:{port}/healthz")).status == 200
            assert (await http.post(f"http://127.0.0.1:{port}/hook", json={})).status == 401
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await app.shutdown()


def test_web_listen_settings(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from bot.config import load_settings

    monkeypatch.chdir(tmp_path)
    for name in ("WEB_LISTEN", "WEBHOOK_LISTEN", "WEB_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_TOKEN", "1:abc")
    default = load_settings()
    assert (default.console_enabled, default.listen_host_port, default.web_base_url) == (
        True, ("127.0.0.1", 8080), "http://127.0.0.1:8080"
    )
    monkeypatch.setenv("WEBHOOK_LISTEN", "0.0.0.0:9000")  # the deprecated name still works
    assert load_settings().listen_host_port == ("0.0.0.0", 9000)
    monkeypatch.setenv("WEB_LISTEN", "127.0.0.1:8181")  # and gives way to the new one
    assert load_settings().listen_host_port == ("127.0.0.1", 8181)
    monkeypatch.setenv("WEB_LISTEN", "")
    assert not load_settings().console_enabled
    (tmp_path / ".env").write_text("WEB_LISTEN=\n")
    monkeypatch.delenv("WEB_LISTEN")
    assert not load_settings().console_enabled


async def test_python_m_bot_serves_the_console_beside_polling(tg: FakeTelegram, tmp_path) -> None:
    import signal

    from tests.process import BotProcess

    port = free_port()
    process = BotProcess(tg, tmp_path, WEB_LISTEN=f"127.0.0.1:{port}", WEB_BASE_URL=f"http://127.0.0.1:{port}", ADMIN_IDS=str(COORDINATOR_ID))
    await process.start()
    try:
        async with browser_session() as http:
            assert (await http.get(f"http://127.0.0.1:{port}/healthz")).status == 200
            link = await login_link(tg, COORDINATOR_ID)
            response = await http.get(link)
            assert response.status == 200 and response.url.path == "/referrals"
    finally:
        assert await process.stop(signal.SIGTERM) == 0


async def test_the_broadcasts_page_refreshes_while_one_is_sending(tg: FakeTelegram, console: Console) -> None:
    broadcast_id = await make_broadcast(console, COORDINATOR_ID)
    async with await logged_in(tg, console, COORDINATOR_ID) as http:
        assert 'http-equiv="refresh"' not in await (await http.get(f"{console.base}/broadcasts")).text()
        await console.app.db.execute("UPDATE broadcasts SET status = 'running' WHERE id = ?", (broadcast_id,))
        page = await (await http.get(f"{console.base}/broadcasts")).text()
        assert 'http-equiv="refresh"' in page and "<progress" in page


async def test_the_console_declines_with_a_reason_and_undoes_a_mis_tap(tg: FakeTelegram, console: Console) -> None:
    referral = await seed_referral(tg, console.app, MIGRANT_ID)
    migrant = tg.user(MIGRANT_ID)
    async with await logged_in(tg, console, COORDINATOR_ID) as http:
        url = f"{console.base}/referrals/{referral.id}"
        page = await (await http.get(url)).text()
        assert 'name="reason"' in page and "No places left" in page and "times in Bishkek time" in page
        bad = await http.post(f"{url}/status", data={"to": "declined", "reason": "bored", "csrf": csrf_of(page)})
        assert bad.status == 400
        response = await http.post(f"{url}/status", data={"to": "declined", "reason": "no_places", "csrf": csrf_of(page)})
        body = await response.text()
        assert "Decline reason: No places left" in body and "/undo" in body
        await tg.wait_for(lambda: "Reason: No places left" in (migrant.last.text or ""))
        assert "What you can do: Look at the other programmes and services" in migrant.last.text
        response = await http.post(f"{url}/undo", data={"csrf": csrf_of(page)})
        assert "Undone." in await response.text()
        assert (await get_referral(console.app.db, referral.id)).status == Status.NEW
        await tg.wait_for(lambda: (migrant.last.text or "").startswith("Correction:"))
        response = await http.post(f"{url}/undo", data={"csrf": csrf_of(page)})  # nothing left to undo
        assert "Too late to undo" in await response.text()
    assert "referral.undo" in await audit_actions(console)


async def test_console_pages_say_bishkek_time_and_show_names(tg: FakeTelegram, console: Console) -> None:
    await console.app.db.execute(
        "INSERT INTO users (id, first_seen, last_seen, username) VALUES (?, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', 'vol_aida')", (VOLUNTEER_ID,)
    )
    await grant(console.app.db, COORDINATOR_ID, VOLUNTEER_ID, "volunteer")
    await console.app.db.execute("UPDATE audit_log SET at = '2026-03-05T08:15:00+00:00'")
    async with await logged_in(tg, console, COORDINATOR_ID) as http:
        body = await (await http.get(f"{console.base}/staff")).text()
    assert "All times are in Bishkek time (Asia/Bishkek)." in body and "When (Bishkek time)" in body
    assert "05.03.2026 14:15" in body  # 08:15 UTC
    assert f"@vol_aida <code>{VOLUNTEER_ID}</code>" in body
