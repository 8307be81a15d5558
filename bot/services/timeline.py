"""The picture sent with "Check my situation": trips, the allowance used, the overstay and the ban on a calendar.

Top: each trip as a bar (green while legal, red once over the limit), the last legal day, the ban period and
the first day entry is allowed again. Bottom: the days used per period against the limit (the "90-day
line"). Sized for a small phone (a 720 px wide PNG with large type) and kept under 100 KB. Pure: the
caller passes every word already translated and every date already formatted; rendering is CPU work, so
handlers run it in a thread.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import matplotlib

matplotlib.use("Agg")

from matplotlib.dates import AutoDateLocator, date2num, num2date
from matplotlib.figure import Figure

GREEN, RED, ORANGE, GREY, BLUE = "#2e7d32", "#c62828", "#ef6c00", "#757575", "#1565c0"
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class TripBar:
    entry: date
    last_day: date  # the exit, or today for a trip still going on
    last_legal_day: date


@dataclass(frozen=True)
class Timeline:
    """What the picture shows, as plain dates."""

    today: date
    trips: tuple[TripBar, ...]
    used: tuple[tuple[date, int], ...]  # (day, days used in its window) for every day drawn
    limit_days: int
    last_legal_day: date | None  # shown when the person is still in the country
    bans: tuple[tuple[date, date | None], ...]  # (first day, last day or None: open-ended)
    enter_from: date | None


def render(timeline: Timeline, words: Mapping[str, str], tick_text: Callable[[date], str]) -> bytes:
    """The PNG. `words` holds the translated labels: title, trips, ban, used, limit, legal, over,
    last_legal, enter_from, today (dates already in them); `tick_text` formats an axis date."""
    figure = Figure(figsize=(7.2, 6.0), dpi=100)
    top, bottom = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    figure.subplots_adjust(left=0.16, right=0.97, top=0.9, bottom=0.16, hspace=0.12)
    figure.suptitle(words["title"], fontsize=17, fontweight="bold")

    first = min([t.entry for t in timeline.trips] + [timeline.today])
    last = max(
        [timeline.today]
        + [end for _start, end in timeline.bans if end is not None]
        + ([timeline.enter_from] if timeline.enter_from else [])
        + ([timeline.last_legal_day] if timeline.last_legal_day else [])
    )
    margin = max(timedelta(days=10), (last - first) / 25)
    left, right = date2num(first - margin), date2num(last + margin)
    least = (right - left) / 150  # a short trip or overstay stays visible on a ten-year calendar

    def bar(row: int, start: date, end: date, color: str, hatch: str | None = None) -> None:
        x = date2num(start)
        width = max(date2num(end + ONE_DAY) - x, least)
        edge = "white" if hatch else color
        top.broken_barh([(x, width)], (row - 0.3, 0.6), facecolors=color, hatch=hatch, edgecolor=edge)

    for trip in timeline.trips:
        legal_end = min(trip.last_day, trip.last_legal_day)
        if legal_end >= trip.entry:
            bar(1, trip.entry, legal_end, GREEN)
        if trip.last_day > trip.last_legal_day:
            bar(1, max(trip.entry, trip.last_legal_day + ONE_DAY), trip.last_day, RED)
    for start, end in timeline.bans:
        bar(0, start, end if end is not None else last + margin, ORANGE, hatch=None if end else "//")
    top.set_yticks([0, 1], [words["ban"], words["trips"]], fontsize=14)
    top.set_ylim(-0.7, 2.0)
    top.axvline(date2num(timeline.today), color=GREY, linewidth=1.5, linestyle=":")
    top.text(date2num(timeline.today), 1.45, " " + words["today"], color=GREY, fontsize=12, ha="left")
    if timeline.last_legal_day is not None:
        x = date2num(timeline.last_legal_day)
        top.axvline(x, color=RED, linewidth=2, linestyle="--")
        top.text(
            x,
            1.7,
            f" {words['last_legal']} ",
            color=RED,
            fontsize=13,
            ha=_side(x, left, right),
            fontweight="bold",
        )
    if timeline.enter_from is not None:
        x = date2num(timeline.enter_from)
        top.axvline(x, color=GREEN, linewidth=2.5)
        top.text(
            x,
            -0.55,
            f" {words['enter_from']} ",
            color=GREEN,
            fontsize=13,
            ha=_side(x, left, right),
            fontweight="bold",
        )
    handles = [
        top.bar(0, 0, color=GREEN, label=words["legal"]),
        top.bar(0, 0, color=RED, label=words["over"]),
    ]
    if timeline.bans:
        handles.append(top.bar(0, 0, color=ORANGE, label=words["ban"]))
    long_words = sum(len(handle.get_label()) for handle in handles) > 40
    figure.legend(
        handles=handles, loc="lower center", fontsize=12, ncols=2 if long_words else 3, frameon=False
    )

    if timeline.used:
        xs = [date2num(day) for day, _count in timeline.used]
        bottom.fill_between(xs, [count for _day, count in timeline.used], step="post", color=BLUE, alpha=0.35)
        bottom.step(xs, [count for _day, count in timeline.used], where="post", color=BLUE, linewidth=1.5)
    bottom.axhline(timeline.limit_days, color=RED, linewidth=2, linestyle="--")
    bottom.text(left, timeline.limit_days * 1.04, " " + words["limit"], color=RED, fontsize=12, va="bottom")
    peak = max([count for _day, count in timeline.used] + [timeline.limit_days])
    bottom.set_ylim(0, peak * 1.3)
    bottom.set_ylabel(words["used"], fontsize=13)
    bottom.tick_params(labelsize=12)

    locator = AutoDateLocator(minticks=3, maxticks=6)
    bottom.xaxis.set_major_locator(locator)
    bottom.set_xlim(left, right)
    bottom.set_xticks(bottom.get_xticks(), [tick_text(num2date(x).date()) for x in bottom.get_xticks()])
    bottom.set_xlim(left, right)
    for axes in (top, bottom):
        axes.grid(axis="x", alpha=0.3)
        axes.spines[["top", "right"]].set_visible(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _side(x: float, left: float, right: float) -> str:
    """Write a label on the side of its line that has room: right of a line near the left edge, else left."""
    return "left" if x < left + (right - left) * 0.3 else "right"
