"""The console's Cases pages over HTTP: who may see them, what they show (and never show), the lists and
their pages, the transcript escaped, and Close with its CSRF token, the migrant's closing message, the
closed topic and the audit line."""

from __future__ import annotations

import json

import pytest

from bot.db import cases as db_cases
from bot.db.staff import grant, revoke
from bot.db.users import touch_user
from bot.devtools.fake_telegram import FakeTelegram
from bot.web.app import PAGE_SIZE
from tests.ask_helpers import GROUP, open_case, volunteer, wait_in_topic
from tests.conftest import COORDINATOR_ID
from tests.web_helpers import Console, browser_session, csrf_of, logged_in, start_console

WORK = "Work and wages"
AGREE = "I agree, continue"
VOLUNTEER_ID = 700  # the volunteer of tests.ask_helpers, a member of the operator group
ALICE, BOB = 3101, 3102


@pytest.fixture
async def console(tg: FakeTelegram, make_app) -> Console:
    tg.forum(GROUP)
    return await start_console(make_app, operator_chat_id=GROUP, default_locale="en")


async def two_cases(tg: FakeTelegram, console: Console):
    """Alice waits for an answer; Bob, who wrote first, was answered (and shared his phone)."""
    staff = await volunteer(tg, console.app)
    bob = tg.user(BOB, first_name="Bakyt", last_name="Osmonov")
    alice = tg.user(ALICE, first_name="Aigul", last_name="Toktogulova")
    await open_case(bob, "Documents", AGREE)
    await bob.send("I lost my passport")
    await bob.share_contact("+996555123456", first_name="Bakyt")
    bob_case = await wait_in_topic(tg, console.app, bob, 2)
    await staff.send("Go to the consulate <b>tomorrow</b>", thread=bob_case.thread_id)
    await open_case(alice, WORK, AGREE)
    await alice.send("<script>alert(1)</script> my boss does not pay")
    alice_case = await wait_in_topic(tg, console.app, alice, 1)
    return staff, alice, alice_case, bob, bob_case


async def test_coordinators_and_volunteers_see_open_cases_longest_waiting_first(tg: FakeTelegram, console: Console) -> None:
    staff, _alice, alice_case, _bob, bob_case = await two_cases(tg, console)
    await staff.press("Take", thread=bob_case.thread_id)
    for user_id in (COORDINATOR_ID, VOLUNTEER_ID):
        async with await logged_in(tg, console, user_id) as http:
            response = await http.get(f"{console.base}/cases")
            body = await response.text()
            assert response.status == 200 and 'href="/cases"' in body
            assert "Found: 2" in body
            assert body.index(f"#C-{alice_case.id}") < body.index(f"#C-{bob_case.id}")  # Alice still waits
            assert "waiting 0 h 0 min" in body and "answered" in body
            assert f"<code>{VOLUNTEER_ID}</code>" in body  # Bob's case is taken
            assert "Work and wages" in body and "Documents" in body and "English" in body
            for secret in ("Aigul", "Toktogulova", "Bakyt", "Osmonov", str(ALICE), str(BOB), "555123456"):
                assert secret not in body, secret
    volunteer = tg.user(VOLUNTEER_ID, username="vol_aida")  # Telegram knows her by a name now...
    await volunteer.send("/help")  # ...and the bot learns it with her next message
    async with await logged_in(tg, console, COORDINATOR_ID) as http:
        listed = await (await http.get(f"{console.base}/cases")).text()
        page = await (await http.get(f"{console.base}/cases/{bob_case.id}")).text()
    assert "<code>@vol_aida</code>" in listed and "<code>@vol_aida</code>" in page  # staff by name, not id


async def test_the_case_page_shows_the_transcript_escaped_and_no_name_or_phone(tg: FakeTelegram, console: Console) -> None:
    _staff, _alice, alice_case, _bob, bob_case = await two_cases(tg, console)
    async with await logged_in(tg, console, VOLUNTEER_ID) as http:
        body = await (await http.get(f"{console.base}/cases/{alice_case.id}")).text()
        assert "<script>alert" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt; my boss does not pay" in body
        body = await (await http.get(f"{console.base}/cases/{bob_case.id}")).text()
        transcript = body[body.index('class="transcript"'):]
        assert transcript.index("I lost my passport") < transcript.index("contact") < transcript.index(
            "Go to the consulate &lt;b&gt;tomorrow&lt;/b&gt;"
        )  # both ways, in order; what the operator typed is text, not markup
        assert "Koldoo volunteer" in transcript and "Volunteer" not in transcript.replace("Koldoo volunteer", "")
        for secret in ("Bakyt", "Osmonov", "555123456", str(BOB)):
            assert secret not in body, secret
        assert (await http.get(f"{console.base}/cases/999999")).status == 404


@pytest.mark.parametrize("value", ["closed' OR '1'='1", "<script>alert(1)</script>", "", "urgent"])
async def test_lists_open_closed_and_urgent(tg: FakeTelegram, console: Console, value: str) -> None:
    tg.user(COORDINATOR_ID)  # who is alerted
    staff, _alice, alice_case, _bob, bob_case = await two_cases(tg, console)
    await staff.send("/close", thread=bob_case.thread_id)
    await staff.press("Urgent", thread=alice_case.thread_id)
    async with await logged_in(tg, console, COORDINATOR_ID) as http:
        closed = await (await http.get(f"{console.base}/cases", params={"list": "closed"})).text()
        assert f"#C-{bob_case.id}" in closed and f"#C-{alice_case.id}" not in closed
        response = await http.get(f"{console.base}/cases", params={"list": value})
        body = await response.text()
        assert response.status == 200 and "<script>alert" not in body
        assert f"#C-{alice_case.id}" in body and f"#C-{bob_case.id}" not in body  # urgent, or else open
        assert "🆘" in body


async def test_the_list_is_paged_with_one_pager(tg: FakeTelegram, console: Console) -> None:
    for n in range(PAGE_SIZE + 2):
        await touch_user(console.app.db, 5000 + n)
        case, _new = await db_cases.open_case(console.app.db, 5000 + n, "work", "en", None, "menu", GROUP)
        await db_cases.add_incoming(console.app.db, case.id, "text", 1, "hello", None)
    async with await logged_in(tg, console, COORDINATOR_ID) as http:
        first = await (await http.get(f"{console.base}/cases")).text()
        assert f"Found: {PAGE_SIZE + 2}" in first and "Page 1 of 2" in first
        assert 'href="/cases?list=open&amp;page=1"' in first and 'rel="prev"' not in first
        second = await (await http.get(f"{console.base}/cases", params={"list": "open", "page": "1"})).text()
        assert "Page 2 of 2" in second and 'href="/cases?list=open&amp;page=0"' in second
        assert second.count('<a href="/cases/') == 2


async def test_close_needs_the_csrf_token_and_does_what_close_in_the_topic_does(tg: FakeTelegram, console: Console) -> None:
    _staff, alice, alice_case, _bob, _bob_case = await two_cases(tg, console)
    async with await logged_in(tg, console, VOLUNTEER_ID) as http:
        url = f"{console.base}/cases/{alice_case.id}"
        page = await (await http.get(url)).text()
        for data in ({}, {"csrf": "forged"}):
            assert (await http.post(f"{url}/close", data=data)).status == 403
        assert (await db_cases.get_case(console.app.db, alice_case.id)).is_open
        response = await http.post(f"{url}/close", data={"csrf": csrf_of(page)})
        body = await response.text()
        assert response.status == 200 and "The case is closed" in body and "Close the case" not in body
        again = await http.post(f"{url}/close", data={"csrf": csrf_of(page)})
        assert "was closed already" in await again.text()
    assert not (await db_cases.get_case(console.app.db, alice_case.id)).is_open
    assert tg.topic(GROUP, alice_case.thread_id).closed
    assert "Closed." in tg.thread(GROUP, alice_case.thread_id)[0].text
    closing = [m for m in alice.messages if "is closed" in (m.text or "")]
    assert len(closing) == 1 and alice.last.button_texts() == ["1", "2", "3", "4", "5"]
    rows = await console.app.db.fetchall("SELECT actor_id, target, details FROM audit_log WHERE action = 'case.close'")
    assert [(row["actor_id"], row["target"], json.loads(row["details"])) for row in rows] == [
        (VOLUNTEER_ID, f"#C-{alice_case.id}", {"case_id": alice_case.id})
    ]


async def test_closing_in_the_topic_is_audited_too(tg: FakeTelegram, console: Console) -> None:
    staff, _alice, alice_case, _bob, _bob_case = await two_cases(tg, console)
    await staff.send("/close", thread=alice_case.thread_id)
    row = await console.app.db.fetchone("SELECT actor_id, target FROM audit_log WHERE action = 'case.close'")
    assert (row["actor_id"], row["target"]) == (VOLUNTEER_ID, f"#C-{alice_case.id}")


async def test_strangers_and_revoked_staff_get_no_case(tg: FakeTelegram, console: Console) -> None:
    _staff, _alice, alice_case, _bob, _bob_case = await two_cases(tg, console)
    async with browser_session() as http:
        response = await http.get(f"{console.base}/cases/{alice_case.id}", allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/login"
        assert (await http.post(f"{console.base}/cases/{alice_case.id}/close", data={})).status == 403
    await grant(console.app.db, COORDINATOR_ID, 951, "volunteer")
    async with await logged_in(tg, console, 951) as http:
        page = await (await http.get(f"{console.base}/cases/{alice_case.id}")).text()
        await revoke(console.app.db, COORDINATOR_ID, 951)
        response = await http.post(f"{console.base}/cases/{alice_case.id}/close", data={"csrf": csrf_of(page)})
        assert response.status == 403
        assert (await http.get(f"{console.base}/cases", allow_redirects=False)).status in (303, 403)
    assert (await db_cases.get_case(console.app.db, alice_case.id)).is_open


async def test_the_transcript_keeps_captions_and_follows_edits(tg: FakeTelegram, console: Console) -> None:
    staff = await volunteer(tg, console.app)
    migrant = tg.user(ALICE)
    await open_case(migrant, WORK, AGREE)
    await migrant.send_photo(caption="my contract")
    await migrant.send("I worked 30 days")
    mine = [m for m in tg.chat(migrant.id) if not m.from_bot][-1]
    case = await wait_in_topic(tg, console.app, migrant, 2)
    await migrant.edit(mine.message_id, "I worked 40 days")
    await staff.send_photo(case.thread_id, caption="Sign here")
    async with await logged_in(tg, console, COORDINATOR_ID) as http:
        body = await (await http.get(f"{console.base}/cases/{case.id}")).text()
    transcript = body[body.index('class="transcript"'):]
    assert transcript.index("photo") < transcript.index("my contract") < transcript.index("I worked 40 days")
    assert "30 days" not in transcript and transcript.index("I worked 40 days") < transcript.index("Sign here")


async def test_a_case_reopened_by_writing_again_says_so(tg: FakeTelegram, console: Console) -> None:
    staff, alice, alice_case, _bob, _bob_case = await two_cases(tg, console)
    await staff.send("/close", thread=alice_case.thread_id)
    await alice.send("one more question")
    async with await logged_in(tg, console, VOLUNTEER_ID) as http:
        listing = await (await http.get(f"{console.base}/cases")).text()
        page = await (await http.get(f"{console.base}/cases/{alice_case.id}")).text()
    row = listing[listing.index(f"#C-{alice_case.id}"):]
    assert "Reopened" in row[: row.index("</tr>")] and "Reopened" in page and "Close the case" in page
    assert page.index("my boss does not pay") < page.index("one more question")


def test_the_console_closes_through_the_service_not_a_handler_module() -> None:
    """The console is an edge beside the handlers: Close reaches the one close rule in services/, whose
    Telegram part is the handover's, so the rule imports no aiogram and no handler."""
    import ast
    from pathlib import Path

    import bot.services.case_closing as closing
    import bot.web.cases as web_cases

    def imports(module: object) -> set[str]:
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}

    assert "bot.handlers.ask" not in imports(web_cases)
    assert web_cases.close_case is closing.close_case
    assert not {name for name in imports(closing) if name.startswith(("aiogram", "bot.handlers"))}
