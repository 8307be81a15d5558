"""Every button label fits a phone in every language: the bot's own buttons (from the code) and the catalogue's."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.content.buttons import BUTTON_MAX, REGION_MAX, too_long
from bot.content.catalogue import REGIONS, SERVICE_KINDS, TRADES
from tests.check_helpers import LOCALES, t

BOT = Path(__file__).resolve().parent.parent / "bot"


def _msgids(node: ast.AST) -> list[str]:
    return [
        sub.args[0].value
        for sub in ast.walk(node)
        if isinstance(sub, ast.Call)
        and getattr(sub.func, "id", "") in ("_", "__")
        and sub.args
        and isinstance(sub.args[0], ast.Constant)
    ]


def button_msgids() -> set[str]:
    """Strings the code puts on buttons: the `text` of any *Button(...) or .button(...) call, and `*_LABELS` tables."""
    found: set[str] = set()
    for path in BOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if "button" in name.lower():
                    texts = [kw.value for kw in node.keywords if kw.arg == "text"] + list(node.args[:1])
                    found.update(msgid for text in texts for msgid in _msgids(text))
            elif isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id.endswith("LABELS") for target in node.targets
            ):
                found.update(_msgids(node.value))
    return found


def test_the_scan_finds_the_bots_buttons() -> None:
    found = button_msgids()
    assert {"🏠 Coming home: support", "Get legal help", "⏰ Remind me: ban end", "Share"} <= found
    assert len(found) > 40


@pytest.mark.parametrize("locale", LOCALES)
def test_every_button_of_the_code_fits_a_phone(locale: str) -> None:
    long = {msgid: t(msgid, locale) for msgid in button_msgids() if len(t(msgid, locale)) > BUTTON_MAX}
    assert long == {}


def test_catalogue_labels_fit_and_regions_fit_two_to_a_row() -> None:
    assert [(rid, *bad) for rid, label in REGIONS.items() for bad in too_long(label, REGION_MAX)] == []
    for table in (TRADES, SERVICE_KINDS):
        assert [(key, *bad) for key, label in table.items() for bad in too_long(label)] == []


def test_too_long_names_the_language_and_length() -> None:
    from bot.content.common import LocalizedText

    label = LocalizedText(ky="ы" * 31, ru="short", en="e" * 30)
    assert list(too_long(label)) == [("ky", 31)]
