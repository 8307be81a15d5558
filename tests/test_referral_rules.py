"""Reference numbers, the status machine and what a migrant may type in the referral dialogue."""

from datetime import date, datetime

import pytest

from bot.services.referrals import (
    COMMENT_MAX,
    NAME_MAX,
    Status,
    allowed_moves,
    can_move,
    clean_city,
    clean_comment,
    clean_name,
    parse_reference,
    reference,
)


def test_reference_pads_the_id_and_uses_the_year_of_creation() -> None:
    assert reference(123, datetime(2026, 3, 5, 10, 0)) == "K-2026-000123"
    assert reference(1234567, date(2027, 1, 1)) == "K-2027-1234567"


def test_reference_round_trips() -> None:
    assert parse_reference(reference(42, date(2026, 1, 1))) == 42
    assert parse_reference(" k-2026-000042 ") == 42
    assert parse_reference("K-26-42") is None
    assert parse_reference("hello") is None


def test_status_moves_forward_one_step_or_declines() -> None:
    assert allowed_moves(Status.NEW) == (Status.CONTACTED, Status.DECLINED)
    assert allowed_moves(Status.CONTACTED) == (Status.ENROLLED, Status.DECLINED)
    assert allowed_moves(Status.ENROLLED) == (Status.COMPLETED, Status.DECLINED)


@pytest.mark.parametrize("closed", [Status.COMPLETED, Status.DECLINED])
def test_closed_referrals_do_not_move(closed: Status) -> None:
    assert allowed_moves(closed) == ()
    assert not any(can_move(closed, target) for target in Status)


def test_skipping_and_going_back_are_refused() -> None:
    assert not can_move(Status.NEW, Status.ENROLLED)
    assert not can_move(Status.NEW, Status.COMPLETED)
    assert not can_move(Status.ENROLLED, Status.CONTACTED)
    assert not can_move(Status.NEW, Status.NEW)


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        ("Айгүл", "Айгүл"),
        ("  Азамат   Токтогулов ", "Азамат Токтогулов"),
        ("Mary-Jane O'Neil", "Mary-Jane O'Neil"),
        ("Нурлан\u200b уулу", "Нурлан уулу"),
    ],
)
def test_names_are_tidied(typed: str, clean: str) -> None:
    assert clean_name(typed) == clean


@pytest.mark.parametrize("typed", ["", "   ", "!!!", "123 456", "😀😀", "-_-", "a" * (NAME_MAX + 1)])
def test_empty_symbol_only_or_long_names_are_refused(typed: str) -> None:
    assert clean_name(typed) is None


def test_city_follows_the_name_rules() -> None:
    assert clean_city(" Ош ") == "Ош"
    assert clean_city("???") is None


def test_comment_limit_is_inclusive_and_keeps_line_breaks() -> None:
    assert clean_comment("a" * COMMENT_MAX) == "a" * COMMENT_MAX
    assert clean_comment("a" * (COMMENT_MAX + 1)) is None
    assert clean_comment(" line one\nline\x00 two ") == "line one\nline two"
    assert clean_comment("   ") == ""
