"""Building content directories for tests: the shipped `content/` with some files replaced by fixtures."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

from bot.content.loader import Content, load_content

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "content"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "content"


def content_with(tmp_path: Path, fixture: str | None = None) -> Path:
    """A copy of the shipped content in `tmp_path`, with the files of `fixture` laid over it."""
    directory = tmp_path / "content"
    shutil.copytree(SHIPPED, directory)
    if fixture is not None:
        for source in (FIXTURES / fixture).iterdir():
            shutil.copy(source, directory / source.name)
    return directory


def edit_entry(path: Path, entry: str, old: str, new: str) -> int:
    """Replace the first `old` after `entry` in a content file; the line where the change is."""
    text = path.read_text(encoding="utf-8")
    start = text.index(old, text.index(entry))
    path.write_text(text[:start] + new + text[start + len(old) :], encoding="utf-8")
    return text.count("\n", 0, start) + 1


@cache
def shipped_content() -> Content:
    """The shipped content exactly as the bot loads it at start, read once per test session."""
    return load_content(SHIPPED)
