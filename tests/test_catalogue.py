"""The shipped training and services catalogues, and the rules their models enforce."""

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from bot.content.catalogue import (
    REGIONS,
    SERVICE_KINDS,
    TRADES,
    ServicesFile,
    TrainingFile,
    region_id,
)

CONTENT = Path(__file__).resolve().parent.parent / "content"


def _load(name: str) -> dict:
    return yaml.safe_load((CONTENT / name).read_text(encoding="utf-8"))


def _programme(**changes: object) -> dict:
    base = {
        "id": "p1",
        "title": {"ky": "Окуу", "ru": "Обучение", "en": "Training"},
        "provider": {"ky": "Лицей", "ru": "Лицей", "en": "Lyceum"},
        "description": {"ky": "Сүрөттөмө", "ru": "Описание", "en": "Description"},
        "regions": ["osh"],
        "trades": ["welding"],
        "website": "https://edu.gov.kg",
        "source": "test",
        "verified_on": "2026-11-25",
    }
    return {**base, **changes}


def test_shipped_training_catalogue_is_valid_and_browsable() -> None:
    training = TrainingFile.model_validate(_load("training.yaml"))
    assert set(training.regions()) <= set(REGIONS)
    for region in training.regions():
        for trade in training.trades(region):
            assert trade in TRADES
            assert training.programmes_for(region, trade), (region, trade)


def test_shipped_services_cover_every_kind() -> None:
    services = ServicesFile.model_validate(_load("services.yaml"))
    assert services.kinds() == list(SERVICE_KINDS)
    # only what Koldoo runs itself (volunteering) has no other site to send to
    assert all(s.website.startswith("https://") for s in services.services if s.kind != "volunteer")
    assert services.get("community_volunteer").website is None


def test_unverified_facts_are_flagged() -> None:
    training = TrainingFile.model_validate(_load("training.yaml"))
    services = ServicesFile.model_validate(_load("services.yaml"))
    # Confirmed against public pages in December 2026 (issue 17); the certification centre is not.
    assert training.get("lyceums_for_returnees").verified
    assert services.get("social_contract").verified
    assert training.get("vocational_lyceums").verified
    assert not training.get("skills_certification").verified


def test_browsing_filters_by_region_and_trade() -> None:
    training = TrainingFile.model_validate(
        {"programmes": [_programme(), _programme(id="p2", regions=["batken"], trades=["sewing", "welding"])]}
    )
    assert training.regions() == ["osh", "batken"]
    assert training.trades("batken") == ["sewing", "welding"]  # the fixed order of TRADES
    assert [p.id for p in training.programmes_for("osh", "welding")] == ["p1"]
    assert training.programmes_for("osh", "sewing") == []


@pytest.mark.parametrize(
    "changes",
    [
        {"regions": ["atlantis"]},
        {"regions": []},
        {"trades": ["astronaut"]},
        {"trades": []},
        {"id": "Has Spaces"},
        {"id": "x" * 33},
        {"website": "mlsp.gov.kg"},
        {"languages": ["fr"]},
        {"cost": "cheap"},
        {"phone": "+996555123456"},
    ],
)
def test_bad_programmes_are_rejected(changes: dict) -> None:
    with pytest.raises(ValidationError):
        TrainingFile.model_validate({"programmes": [_programme(**changes)]})


def test_a_duplicate_id_is_found_at_the_repeat() -> None:
    training = TrainingFile.model_validate({"programmes": [_programme(), _programme()]})
    assert [(f.loc, f.message) for f in training.findings()] == [(("programmes", 1, "id"), "duplicate id 'p1'")]


def test_unknown_service_kind_is_rejected() -> None:
    service = {k: v for k, v in _programme().items() if k != "trades"} | {"kind": "astrology"}
    with pytest.raises(ValidationError, match="unknown service kind"):
        ServicesFile.model_validate({"services": [service]})


@pytest.mark.parametrize(
    ("typed", "rid"),
    [
        ("Osh", "osh"),
        ("osh_city", "osh_city"),
        ("Osh-city", "osh_city"),
        ("Jalal-Abad", "jalal_abad"),
        ("ISSYK-KUL", "issyk_kul"),
        ("Chuy region", "chuy"),
        ("Bishkek", "bishkek"),
        ("Paris", None),
    ],
)
def test_region_ids_from_typed_names(typed: str, rid: str | None) -> None:
    assert region_id(typed) == rid
