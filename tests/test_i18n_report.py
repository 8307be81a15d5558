"""`python -m bot i18n-report`: coverage per language, and what changed in English since a review."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.__main__ import main
from bot.i18n_report import mark_reviewed, report
from tests.content_helpers import content_with, edit_entry


def test_nothing_has_changed_right_after_a_review_and_an_edit_is_listed_where_it_is(tmp_path: Path) -> None:
    directory = content_with(tmp_path)
    reviewed = tmp_path / "reviewed.json"
    assert mark_reviewed(directory, reviewed, date(2026, 12, 1)) > 700

    lines = report(directory, reviewed)
    assert lines[0].startswith("strings (.po): ky ") and lines[1].startswith("content texts: ky ")
    assert lines[-1] == "changed or new since the last review (2026-12-01): 0"

    line = edit_entry(directory / "topics.yaml", "id: kazakhstan", "en: Kazakhstan basics", "en: Kazakhstan today")
    lines = report(directory, reviewed)
    assert lines[-2] == "changed or new since the last review (2026-12-01): 1"
    where, key = lines[-1].split()
    assert key == "topics.kazakhstan.title" and where.startswith("topics.yaml:")
    assert line - 3 <= int(where.split(":")[1]) <= line  # the title's key, just above its English line


def test_the_command_prints_the_report(capsys, tmp_path: Path) -> None:
    assert main(["i18n-report", str(content_with(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "strings (.po): ky " in out and "content texts: ky " in out and "changed or new since" in out
