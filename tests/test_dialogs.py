"""The "Check my situation" flow without Telegram: order, Back that really undoes, inputs."""

from __future__ import annotations

import copy
from datetime import date

from bot.services import ban_dialog, check_dialog
from bot.services.dialog import NO, YES, Progress
from bot.services.stay import Contract, Trip
from tests.content_helpers import shipped_content

DONE = "done"
RULES = shipped_content().ban_rules
TODAY = date(2026, 11, 25)


def play(*steps: tuple[str, object]) -> Progress:
    progress = Progress(check_dialog.FIRST)
    for step, value in steps:
        assert progress.step == step, (progress.step, step)
        question = check_dialog.QUESTIONS[step]
        if value == DONE:
            answers = progress.answers
        else:
            assert check_dialog.check(step, value if isinstance(value, date) else None, progress.answers, TODAY) is None
            answers = check_dialog.record(step, value, progress.answers, RULES, TODAY)
        if question.kind == "date_list" and value != DONE:
            progress.advance(answers, step)
        else:
            progress.advance(answers, check_dialog.next_step(step, answers, RULES, TODAY) or "result")
    return progress


def test_follow_ups_only_after_yes_and_the_inputs():
    progress = play(
        ("country", "russia"),
        ("in_period", YES),
        ("entry", date(2026, 2, 1)),
        ("exit", None),
        ("more", NO),
        ("in_period", NO),
        ("old", YES),
        ("old_entry", date(2016, 6, 1)),
        ("old_exit", date(2017, 3, 24)),
        ("old_more", NO),
        ("contract", YES),
        ("contract_end", date(2026, 10, 1)),
        ("ended_early", YES),
        ("expelled", YES),
        ("expelled_dates", date(2019, 1, 5)),
        ("expelled_dates", DONE),
        ("readmitted", NO),
        ("migration_fines", NO),
        ("other_fines", NO),
        ("debts", NO),
        ("conviction", YES),
        ("medical", NO),
    )
    assert progress.step == "result"
    trips, contract = check_dialog.stay_dialog.to_inputs(progress.answers)
    assert trips == [Trip(date(2026, 2, 1)), Trip(date(2016, 6, 1), date(2017, 3, 24))]
    assert contract == Contract(date(2026, 10, 1), ended_early=True)
    stay, estimate = check_dialog.evaluate(progress.answers, RULES, TODAY)
    # 2016-17: 207 days over; 2026: the contract ended early on day 243, so legal until 1 October + 15 days
    assert [t.overstay_days for t in stay.trips] == [207, 40]
    ids = {f.ground.id for f in estimate.findings}
    assert {"overstay_180", "overstay_30", "removal", "unspent_conviction"} <= ids


def test_kazakhstan_skips_the_russian_ban_questions():
    progress = play(("country", "kazakhstan"), ("in_period", NO), ("old", NO), ("contract", NO))
    assert progress.step == "result"


def test_back_restores_the_periods_and_trips_before_the_answer():
    progress = play(("country", "russia"), ("in_period", YES), ("entry", date(2025, 12, 20)), ("exit", None))
    before = copy.deepcopy(progress.answers)
    answers = check_dialog.record("more", NO, progress.answers, RULES, TODAY)
    progress.advance(answers, check_dialog.next_step("more", answers, RULES, TODAY))
    assert progress.answers["period"] == 1
    assert progress.back() and progress.answers == before and progress.step == "more"


def test_travel_date_must_be_ahead():
    assert ban_dialog.check_travel("travel_date", TODAY, {}, TODAY) == "not_ahead"
    assert ban_dialog.check_travel("travel_date", date(2027, 1, 1), {}, TODAY) is None
