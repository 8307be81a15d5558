"""The /stats chart: new users and referrals per week, as a PNG (matplotlib, no display needed)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # after the backend is chosen


def last_weeks(today: date, count: int) -> list[date]:
    """The Mondays of the last `count` weeks, oldest first, this week included."""
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=back) for back in range(count - 1, -1, -1)]


def weekly_chart(weeks: list[date], series: dict[str, dict[date, int]], title: str) -> bytes:
    """One line per series over `weeks`; a week missing from a series counts as zero."""
    figure = Figure(figsize=(8, 4), dpi=100)
    axes = figure.subplots()
    for label, values in series.items():
        axes.plot(weeks, [values.get(week, 0) for week in weeks], marker="o", label=label)
    axes.set_title(title)
    axes.set_ylim(bottom=0)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left")
    figure.autofmt_xdate()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
