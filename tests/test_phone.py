"""Phone normalisation: the forms migrants actually type, and what must be refused."""

import pytest

from bot.services.phone import normalise_phone


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("0555 123 456", "+996555123456"),
        ("0555123456", "+996555123456"),
        ("555 123 456", "+996555123456"),
        ("+996 555 123 456", "+996555123456"),
        ("+996 (555) 12-34-56", "+996555123456"),
        ("996555123456", "+996555123456"),
        ("00996555123456", "+996555123456"),
        ("0312 123456", "+996312123456"),
        ("+7 912 345-67-89", "+79123456789"),
        ("79123456789", "+79123456789"),
        ("8 912 345 67 89", "+79123456789"),
        ("+7 701 234 5678", "+77012345678"),
        ("8 701 234 56 78", "+77012345678"),
        ("+998 90 123 45 67", "+998901234567"),
        ("998901234567", "+998901234567"),
        ("+90 532 123 45 67", "+905321234567"),
        ("  +996555123456  ", "+996555123456"),
    ],
)
def test_accepted_forms_become_e164(typed: str, e164: str) -> None:
    assert normalise_phone(typed) == e164


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "abc",
        "0555 12",
        "+996555123456789",
        "1-800-FLOWERS",
        "+7 912",
        "12345",
        "call me",
        "+996 555 123 456 ext 2",
        "0" * 40,
        "++996555123456",
    ],
)
def test_invalid_input_is_refused(typed: str) -> None:
    assert normalise_phone(typed) is None
