"""Reference numbers, the status machine and what a migrant may type in the referral dialogue."""

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.services.referrals import (
    COMMENT_MAX,
    NAME_MAX,
    NEXT_STEP,
    UNDO_WINDOW,
    DeclineReason,
    Kind,
    NextStep,
    Status,
    allowed_moves,
    can_move,
    can_undo,
    can_withdraw,
    clean_city,
    clean_comment,
    clean_name,
    parse_reference,
    reference,
    statuses_for,
)


def test_reference_pads_the_id_and_uses_the_year_of_creation() -> None:
    assert reference(123, datetime(2026, 3, 5, 10, 0)) == "K-2026-000123"
    assert reference(1234567, date(2027, 1, 1)) == "K-2027-1234567"


def test_reference_round_trips() -> None:
    assert parse_reference(reference(42, date(2026, 1, 1))) == 42
    assert parse_reference(" k-2026-000042 ") == 42
    assert parse_reference("K-26-42") is None
    assert parse_reference("hello") is None


def test_training_moves_forward_one_step_or_declines() -> None:
    assert allowed_moves(Kind.TRAINING, Status.NEW) == (Status.CONTACTED, Status.DECLINED)
    assert allowed_moves(Kind.TRAINING, Status.CONTACTED) == (Status.ENROLLED, Status.DECLINED)
    assert allowed_moves(Kind.TRAINING, Status.ENROLLED) == (Status.COMPLETED, Status.DECLINED)


def test_service_is_passed_to_the_organisation_then_resolved() -> None:
    assert allowed_moves(Kind.SERVICE, Status.NEW) == (Status.CONTACTED, Status.DECLINED)
    assert allowed_moves(Kind.SERVICE, Status.CONTACTED) == (Status.PASSED, Status.DECLINED)
    assert allowed_moves(Kind.SERVICE, Status.PASSED) == (Status.RESOLVED, Status.DECLINED)
    assert not can_move(Kind.SERVICE, Status.CONTACTED, Status.ENROLLED)
    assert not can_move(Kind.TRAINING, Status.CONTACTED, Status.PASSED)


def test_statuses_of_each_kind_in_the_order_of_their_life() -> None:
    assert statuses_for(Kind.TRAINING) == (
        Status.NEW, Status.CONTACTED, Status.ENROLLED, Status.COMPLETED, Status.DECLINED, Status.WITHDRAWN,
    )
    assert statuses_for(Kind.SERVICE) == (
        Status.NEW, Status.CONTACTED, Status.PASSED, Status.RESOLVED, Status.DECLINED, Status.WITHDRAWN,
    )
    assert set(statuses_for(None)) == set(Status)


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("closed", [Status.COMPLETED, Status.RESOLVED, Status.DECLINED, Status.WITHDRAWN])
def test_closed_referrals_do_not_move(kind: Kind, closed: Status) -> None:
    assert allowed_moves(kind, closed) == ()
    assert not any(can_move(kind, closed, target) for target in Status)
    assert not can_withdraw(closed)


def test_skipping_and_going_back_are_refused() -> None:
    assert not can_move(Kind.TRAINING, Status.NEW, Status.ENROLLED)
    assert not can_move(Kind.TRAINING, Status.NEW, Status.COMPLETED)
    assert not can_move(Kind.TRAINING, Status.ENROLLED, Status.CONTACTED)
    assert not can_move(Kind.TRAINING, Status.NEW, Status.NEW)
    assert not can_move(Kind.SERVICE, Status.NEW, Status.WITHDRAWN)  # only the migrant withdraws


def test_a_migrant_withdraws_only_an_open_request() -> None:
    assert all(can_withdraw(status) for status in (Status.NEW, Status.CONTACTED, Status.ENROLLED, Status.PASSED))


def test_undo_is_possible_for_one_minute() -> None:
    moved = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    assert can_undo(moved, moved + timedelta(seconds=59))
    assert can_undo(moved, moved + UNDO_WINDOW)
    assert not can_undo(moved, moved + UNDO_WINDOW + timedelta(seconds=1))
    assert not can_undo(moved, moved - timedelta(seconds=5))  # a clock gone backwards is no licence


def test_every_decline_reason_has_a_next_step() -> None:
    assert set(NEXT_STEP) == set(DeclineReason)
    assert NEXT_STEP[DeclineReason.UNREACHABLE] is NextStep.APPLY_AGAIN


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
