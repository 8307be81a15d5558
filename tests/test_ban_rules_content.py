"""The shipped ban rules load, and the model refuses edits the estimator could not evaluate."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from bot.content.ban_rules import BanRules
from tests.content_helpers import shipped_content

PATH = "content/ban_rules.yaml"


def raw() -> dict:
    with open(PATH, encoding="utf-8") as fp:
        return yaml.safe_load(fp)


def test_shipped_rules_load():
    rules = shipped_content().ban_rules
    ids = [ground.id for ground in rules.grounds]
    assert {
        "overstay_30",
        "overstay_30_refusal",
        "overstay_before_2015",
        "overstay_180",
        "overstay_270",
        "admin_offences",
        "migration_offences",
        "removal",
        "repeated_removal",
        "unpaid_fines",
        "unspent_conviction",
        "medical_exam",
        "kz_overstay",
    } == set(ids)
    assert rules.stay.russia.calendar_year_from.isoformat() == "2025-01-01"
    assert (rules.stay.russia.limit_days, rules.stay.russia.contract.grace_days) == (90, 15)
    assert rules.stay.russia.contract.after_days == 90
    assert rules.stay.kazakhstan.calendar_year_from is None and not rules.stay.kazakhstan.contract.verified
    for ground in rules.grounds_of("russia"):
        expected = "discretionary" if "art. 26" in ground.clause.en or ground.id == "medical_exam" else "mandatory"
        assert ground.kind == expected
    [kazakhstan] = rules.grounds_of("kazakhstan")
    assert "art. 48" in kazakhstan.clause.en and kazakhstan.duration_unknown and not kazakhstan.verified
    assert not rules.minor_overstay.verified


def break_ground(ground_id: str, **changes) -> dict:
    data = raw()
    for ground in data["grounds"]:
        if ground["id"] == ground_id:
            ground.update(changes)
    return data


@pytest.mark.parametrize(
    ("ground_id", "changes", "message"),
    [
        ("overstay_30", {"counts_from": "last_ruling"}, "counts from"),
        ("overstay_30", {"duration_years": None}, "duration_years"),
        ("unpaid_fines", {"duration_years": 2}, "duration_years"),
        ("overstay_30", {"condition": {"type": "overstay", "more_than_days": -1}}, "greater than or equal to 0"),
        ("kz_overstay", {"duration_unknown": False}, "duration_years"),
        ("overstay_30", {"condition": {"type": "weather"}}, "does not match any of the expected tags"),
        ("overstay_30", {"durations_years": 3}, "Extra inputs"),
        ("admin_offences", {"title": {"ky": "", "ru": "x", "en": "x"}}, "text is empty"),
    ],
)
def test_bad_edits_are_named(ground_id, changes, message):
    with pytest.raises(ValidationError, match=message):
        BanRules.model_validate(break_ground(ground_id, **changes))


@pytest.mark.parametrize(
    ("ground_id", "changes", "loc", "message"),
    [
        ("overstay_30", {"replaced_by": ["overstay_999"]}, ("grounds", 0, "replaced_by", 0), "unknown ground id"),
        ("overstay_30", {"replaced_by": ["overstay_30"]}, ("grounds", 0, "replaced_by", 0), "cannot replace itself"),
        ("unspent_conviction", {"id": "unpaid_fines"}, ("grounds", 10, "id"), "duplicate id 'unpaid_fines'"),
        ("kz_overstay", {"replaced_by": ["overstay_30"]}, ("grounds", 12, "replaced_by", 0), "another country"),
    ],
)
def test_references_between_grounds_are_findings_at_their_entry(ground_id, changes, loc, message):
    rules = BanRules.model_validate(break_ground(ground_id, **changes))
    [finding] = rules.findings()
    assert finding.loc == loc
    assert message in finding.message


def test_stay_limit_cannot_exceed_its_window():
    data = raw()
    data["stay"]["kazakhstan"]["limit_days"] = 200
    with pytest.raises(ValidationError, match="limit_days"):
        BanRules.model_validate(data)
