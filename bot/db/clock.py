"""Timestamps as the database stores them: ISO 8601 in UTC, so they sort as text."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def now_iso() -> str:
    return utcnow().isoformat(timespec="seconds")
