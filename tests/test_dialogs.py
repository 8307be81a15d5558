"""The /ban and /stay dialogue flows without Telegram: order, Back, checks between answers, inputs."""

from __future__ import annotations

from datetime import date

from bot.services import ban_dialog, stay_dialog
from bot.services.dialog import NO, YES, Progress, record_answer
from bot.services.stay import Contract, Trip
from tests.content_helpers import shipped_content

DONE = "done"
RULES = shipped_content().ban_rules
TODAY = date(2026, 11, 25)


def play_ban(*steps: tuple[str, object]) -> Progress:
    progress = Progress(ban_dialog.FIRST)
    for step, value in steps:
        assert progress.step == step
        if ban_dialog.QUESTIONS[step].kind == "date_list" and value != DONE:
            progress.advance(record_answer(ban_dialog.QUESTIONS[step], value, progress.answers), step)
        else:
            answers = (
                progress.answers
                if value == DONE
                else record_answer(ban_dialog.QUESTIONS[step], value, progress.answers)
            )
            progress.advance(answers, ban_dialog.next_step(step, answers) or "result")
    return progress


def test_ban_dialogue_asks_follow_ups_only_after_yes():
    progress = play_ban(
        ("overstayed", YES),
        ("allowed_until", date(2025, 3, 31)),
        ("departure", date(2025, 10, 17)),
        ("admin", YES),
        ("admin_dates", date(2024, 1, 5)),
        ("admin_dates", date(2025, 2, 1)),
    )
    assert progress.step == "admin_dates"
    assert progress.answers["admin_dates"] == ["2024-01-05", "2025-02-01"]
    assert ban_dialog.next_step("admin_dates", progress.answers) == "migration"
    rest = play_ban(
        ("overstayed", NO),
        ("admin", NO),
        ("migration", NO),
        ("removal", NO),
        ("debts", YES),
        ("conviction", NO),
    )
    assert rest.step == "result"


def test_ban_answers_give_the_estimate_input():
    progress = play_ban(
        ("overstayed", YES),
        ("allowed_until", date(2025, 3, 31)),
        ("departure", date(2025, 10, 17)),
        ("admin", YES),
        ("admin_dates", date(2024, 1, 5)),
    )
    answers = ban_dialog.to_ban_answers(progress.answers, TODAY)
    assert (answers.overstay_days, answers.departure, answers.admin_rulings) == (
        200,
        date(2025, 10, 17),
        (date(2024, 1, 5),),
    )
    still = play_ban(("overstayed", YES), ("allowed_until", date(2026, 10, 1)), ("departure", None))
    assert ban_dialog.to_ban_answers(still.answers, TODAY).overstay_days == 55


def test_back_undoes_an_added_date():
    progress = play_ban(
        ("overstayed", NO),
        ("admin", YES),
        ("admin_dates", date(2024, 1, 5)),
        ("admin_dates", date(2025, 1, 5)),
    )
    assert progress.back() and progress.answers["admin_dates"] == ["2024-01-05"]
    assert progress.back() and progress.back() and progress.step == "admin"
    assert Progress.from_data(progress.to_data()) == progress
    assert progress.back() and not progress.back() and progress.step == "overstayed"


def test_ban_checks():
    answers = {"allowed_until": "2025-03-31"}
    assert ban_dialog.check("departure", date(2025, 3, 1), answers, TODAY) == "departure_before_allowed_end"
    assert ban_dialog.check("departure", None, answers, TODAY) is None
    assert (
        ban_dialog.check("admin_dates", date(2025, 3, 1), {"admin_dates": ["2025-01-01"] * 20}, TODAY)
        == "too_many_dates"
    )


def play_stay(*steps: tuple[str, object]) -> Progress:
    progress = Progress(stay_dialog.FIRST)
    for step, value in steps:
        assert progress.step == step
        assert (
            stay_dialog.check(step, value if isinstance(value, date) else None, progress.answers, TODAY)
            is None
        )
        answers = stay_dialog.record(step, value, progress.answers)
        progress.advance(answers, stay_dialog.next_step(step, answers, RULES.stay, TODAY) or "result")
    return progress


def test_stay_dialogue_with_earlier_trips_and_contract():
    progress = play_stay(
        ("country", "russia"),
        ("entry", date(2026, 6, 1)),
        ("exit", None),
        ("earlier", YES),
        ("earlier_entry", date(2026, 1, 10)),
        ("earlier_exit", date(2026, 2, 10)),
        ("earlier", NO),
        ("contract", YES),
        ("contract_end", date(2026, 10, 31)),
        ("ended_early", YES),
    )
    assert progress.step == "result"
    trips, contract = stay_dialog.to_inputs(progress.answers)
    assert trips == [Trip(date(2026, 1, 10), date(2026, 2, 10)), Trip(date(2026, 6, 1))]
    assert contract == Contract(date(2026, 10, 31), ended_early=True)


def test_stay_dialogue_skips_what_does_not_apply():
    kazakhstan = play_stay(
        ("country", "kazakhstan"), ("entry", date(2026, 9, 1)), ("exit", None), ("earlier", NO)
    )
    assert kazakhstan.step == "result"
    future_contract = play_stay(
        ("country", "russia"),
        ("entry", date(2026, 9, 1)),
        ("exit", None),
        ("earlier", NO),
        ("contract", YES),
        ("contract_end", date(2027, 8, 31)),
    )
    assert future_contract.step == "result"


def test_stay_checks_trip_order():
    answers = {"entry": "2026-06-01", "trips": [["2026-03-01", "2026-03-20"]], "earlier_entry": "2026-01-05"}
    assert stay_dialog.check("exit", date(2026, 5, 1), answers, TODAY) == "exit_before_entry"
    assert stay_dialog.check("earlier_entry", date(2026, 3, 1), answers, TODAY) == "overlap"
    assert stay_dialog.check("earlier_exit", date(2026, 1, 1), answers, TODAY) == "exit_before_entry"
    assert stay_dialog.check("earlier_exit", date(2026, 3, 1), answers, TODAY) == "overlap"
    assert stay_dialog.check("earlier_exit", date(2026, 2, 28), answers, TODAY) is None


def test_travel_date_must_be_ahead():
    assert ban_dialog.check_travel("travel_date", TODAY, {}, TODAY) == "not_ahead"
    assert ban_dialog.check_travel("travel_date", date(2027, 1, 1), {}, TODAY) is None
