"""The pure case rules: which case /ask leads to, topic names, posts from waiting messages, the group pace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.services.cases import (
    POST_LIMIT,
    Waiting,
    ask_step,
    country_of,
    emergency_countries,
    is_note,
    may_reach_migrant,
    median_minutes,
    plan_posts,
    topic_name,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_ask_shows_the_open_case_reopens_within_7_days_and_opens_a_new_one_later() -> None:
    assert ask_step(True, None, NOW) == "open"
    assert ask_step(False, NOW - timedelta(days=7), NOW) == "reopen"
    assert ask_step(False, NOW - timedelta(days=7, seconds=1), NOW) == "new"
    assert ask_step(False, None, NOW) == "new"


def test_topic_names_carry_no_personal_data() -> None:
    assert topic_name(123, "ky", "ban") == "#C-123 · ky · ban"
    assert topic_name(7, "ru", "safety", urgent=True) == "🆘 #C-7 · ru · safety"


def test_waiting_texts_go_as_one_post_media_and_replies_alone() -> None:
    waiting = [
        Waiting(1, "text", 10, "a"),
        Waiting(2, "text", 11, "b"),
        Waiting(3, "photo", 12),
        Waiting(4, "text", 13, "c"),
        Waiting(5, "text", 14, "d", reply_to=3),
        Waiting(6, "text", 15, "e"),
    ]
    posts = plan_posts(waiting)
    assert [[m.id for m in post.messages] for post in posts] == [[1, 2], [3], [4], [5], [6]]
    assert posts[0].combined and posts[0].text_html == "a\n\nb"


def test_a_post_never_grows_beyond_telegrams_length() -> None:
    long = "x" * (POST_LIMIT // 2 - 10)
    posts = plan_posts([Waiting(i, "text", i, long) for i in range(3)])
    assert [len(post.messages) for post in posts] == [2, 1]
    assert all(len(post.text_html) <= POST_LIMIT for post in posts)


def test_who_may_write_to_whom() -> None:
    assert may_reach_migrant("open", unreachable=False)
    assert not may_reach_migrant("open", unreachable=True)
    assert not may_reach_migrant("closed", unreachable=False)
    assert not may_reach_migrant(None, unreachable=False)
    assert is_note("! check the consulate") and is_note("  !x") and not is_note("hello!") and not is_note(None)


def test_the_country_of_a_region_picks_the_emergency_numbers() -> None:
    assert country_of("russia") == "ru" and country_of("kazakhstan") == "kz" and country_of("osh") == "kg"
    assert emergency_countries(None) == ("ru", "kz", "kg")
    assert emergency_countries("kazakhstan") == ("kz",)


def test_median_time_to_first_answer() -> None:
    assert median_minutes([timedelta(minutes=m) for m in (1, 10, 3)]) == 3
    assert median_minutes([]) is None
