"""Databases written before Alembic: SQLite files numbered by `PRAGMA user_version` (the SQL files in
migrations/legacy/). One older than 10 gets the files up to 10 first, as the old code did; then
`bot.db.migrate` stamps it at the revision whose schema its number stands for: 10 is the baseline, and the
two files main gained while the move to Alembic was under way (11, 12) are revisions 0002 and 0003."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from functools import cache
from importlib import resources
from pathlib import Path

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@cache
def legacy_migrations() -> tuple[tuple[int, str, str], ...]:
    """The legacy migrations as (number, file name, SQL), in order."""
    found = []
    for entry in resources.files("bot.db").joinpath("migrations", "legacy").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [number for number, _, _ in found]
    if numbers != list(range(1, len(found) + 1)):
        raise RuntimeError(f"legacy migrations are not numbered 1..N without gaps: {numbers}")
    return tuple(found)


LAST_LEGACY = len(legacy_migrations())
BASELINE_LEGACY = 10  # the schema of the baseline revision; and what `PRAGMA user_version` says from then on
# The revision a legacy database of each number is stamped at.
STAMPS = {10: "0001_baseline", 11: "0002_cases_reopened", 12: "0003_referral_statuses"}


def upgrade_legacy(path: Path, upto: int = BASELINE_LEGACY) -> int:
    """Bring a pre-Alembic SQLite database to legacy version `upto`; returns the version it has.

    A new or empty file, or one Alembic already manages, is left alone (0 or its version)."""
    if not path.is_file() or path.stat().st_size == 0:
        return 0
    with closing(sqlite3.connect(path, isolation_level=None, timeout=15)) as conn:
        managed = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone()
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        if managed or current == 0:
            return current
        conn.execute("PRAGMA foreign_keys = ON")
        for number, _, sql in legacy_migrations():
            if current < number <= upto:
                try:
                    conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
                except Exception:
                    if conn.in_transaction:
                        conn.rollback()
                    raise
                current = number
        return current
