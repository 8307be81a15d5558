"""Tools for content authors: `check-content`, refusing to start on bad content, and the chat simulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.devtools.chat import run_chat
from tests.content_helpers import SHIPPED, content_with, edit_entry


def test_check_content_prints_one_line_per_problem_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = content_with(tmp_path, "contacts-references")

    exit_code = main(["check-content", str(directory)])

    assert exit_code == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{directory / 'contacts.yaml'}:11: contacts.one.country: unknown country id 'kz'",
        f"{directory / 'contacts.yaml'}:19: contacts.two.city: unknown city id 'kazan' in country 'ru'",
    ]


def test_check_content_reports_broken_ban_rules_and_training_at_their_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = content_with(tmp_path)
    rules, training = directory / "ban_rules.yaml", directory / "training.yaml"
    rule_line = edit_entry(rules, "id: overstay_270", "duration_years: 10", "duration_years: ten")
    training_line = edit_entry(training, "id: osh_centre_of_excellence", "trades: [various]", "trades: []")

    exit_code = main(["check-content", str(directory)])

    assert exit_code == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{rules}:{rule_line}: grounds.overstay_270.duration_years: "
        "Input should be a valid integer, unable to parse string as an integer",
        f"{training}:{training_line}: programmes.osh_centre_of_excellence.trades: "
        "Tuple should have at least 1 item after validation, not 0",
    ]


def test_check_content_of_the_shipped_content_exits_0_with_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-content", str(SHIPPED)]) == 0
    lines = capsys.readouterr().out.splitlines()
    files = sorted(SHIPPED.glob("*.yaml"))
    entries = sum(path.read_text(encoding="utf-8").count("verified_on:") for path in files)  # one per entry
    assert lines[-1] == f"content ok: {len(files)} files, {entries} entries, texts checked in ky, ru, en"
    assert not [line for line in lines[:-1] if "warning:" not in line]


def test_check_content_of_a_missing_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-content", str(tmp_path / "nowhere")]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{tmp_path / 'nowhere'}: no such folder: set CONTENT_DIR to the content folder"
    ]


def test_the_bot_refuses_to_start_on_invalid_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = content_with(tmp_path, "cycle")
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout
    monkeypatch.setenv("BOT_TOKEN", "123456:TEST-token")
    monkeypatch.setenv("BOT_API_URL", "http://127.0.0.1:9")  # never reached
    monkeypatch.setenv("CONTENT_DIR", str(directory))
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "bot.sqlite3"))

    exit_code = main([])

    assert exit_code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{directory / 'topics.yaml'}:17: topics.c.children: cycle: b -> c -> b"
    ]
    assert not (tmp_path / "bot.sqlite3").exists()


async def test_chat_simulator_shows_numbered_buttons_and_presses_them() -> None:
    typed = iter(["3", "/guide", "2", "patent"])
    output: list[str] = []

    def read(prompt: str) -> str:
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    exit_code = await run_chat("en", read=read, write=output.append)

    transcript = "\n".join(output)
    assert exit_code == 0
    assert "[3] English" in transcript  # the language picker of a new user
    assert "Done: I will speak English." in transcript  # pressed button 3
    assert "[2] Working in Russia" in transcript
    assert "Rules for citizens of Kyrgyzstan working in Russia" in transcript  # pressed button 2
    assert "Here is what I found in the guide:\n  [1] Your first 30 days in Russia" in transcript
