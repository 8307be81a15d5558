"""Texts shared by the migrant's and the coordinators' side of referrals, in the active language."""

from __future__ import annotations

from collections.abc import Mapping

from aiogram import html

from bot.handlers.regions import region_label
from bot.i18n import _
from bot.services.referrals import NEXT_STEP, DeclineReason, NextStep, Referral, ReferralEvent, Status
from bot.services.schedule import format_local_time
from bot.services.telegram_html import utf16_len
from bot.services.text import MESSAGE_LIMIT, pages_within


def status_label(status: Status) -> str:
    return {
        Status.NEW: _("New"),
        Status.CONTACTED: _("Contacted"),
        Status.ENROLLED: _("Enrolled"),
        Status.COMPLETED: _("Completed"),
        Status.PASSED: _("Passed to the organisation"),
        Status.RESOLVED: _("Resolved"),
        Status.DECLINED: _("Declined"),
        Status.WITHDRAWN: _("Withdrawn"),
    }[status]


def reason_label(reason: DeclineReason) -> str:
    """A decline reason as the coordinator picks it and the migrant reads it."""
    return {
        DeclineReason.UNREACHABLE: _("We could not reach you by phone"),
        DeclineReason.NOT_ELIGIBLE: _("The programme's conditions do not fit"),
        DeclineReason.NO_PLACES: _("No places left"),
        DeclineReason.DUPLICATE: _("You already have a request for this"),
        DeclineReason.OTHER: _("Another reason"),
    }[reason]


def next_step_text(reason: DeclineReason) -> str:
    """What the migrant can do after a decline, said in their notice."""
    return {
        NextStep.APPLY_AGAIN: _("Check your phone number and apply again: /training"),
        NextStep.OTHER_OFFERS: _("Look at the other programmes and services: /training"),
        NextStep.ASK: _("A consultant can help you find another way: /ask"),
        NextStep.NONE: _("Nothing to do: your other request goes on. See /my"),
    }[NEXT_STEP[reason]]


def details_lines(
    *, name: str | None, phone: str | None, region: str, city: str | None, comment: str | None, locale: str
) -> list[str]:
    """The personal part of a referral, as the migrant reviews it and as a coordinator reads it."""
    lines = [
        _("<b>Name:</b> {name}").format(name=html.quote(name or "—")),
        _("<b>Phone:</b> {phone}").format(phone=html.quote(phone or "—")),
        _("<b>Region:</b> {region}").format(region=html.quote(region_label(region, locale))),
        _("<b>City or village:</b> {city}").format(city=html.quote(city or "—")),
    ]
    if comment:
        lines.append(_("<b>Comment:</b> {comment}").format(comment=html.quote(comment)))
    return lines


def public_line(referral: Referral, title: str) -> str:
    """What a group may see of a referral: its reference, programme and status, nothing about the person."""
    return _("📥 Request <b>{reference}</b> · {status}\n{title}").format(
        reference=referral.reference, status=status_label(referral.status), title=html.quote(title)
    )


def event_line(event: ReferralEvent, locale: str, names: Mapping[int, str] | None = None) -> str:
    """One history line, in Bishkek time, naming the person who acted (`names`: id -> name)."""
    when = format_local_time(event.at)
    if event.to_status is not None:
        change = f"{status_label(event.from_status)} → {status_label(event.to_status)}"
    else:
        change = "📝 " + html.quote(event.note or _("(note deleted)"))
    who = (names or {}).get(event.actor_id)
    actor = html.quote(who) if who else f"<code>{event.actor_id}</code>"
    return f"{when} · {actor} · {change}"


def plain_event_line(event: ReferralEvent, names: Mapping[int, str]) -> str:
    """A history line for an export cell: plain text, Bishkek time, the person's name when known."""
    if event.to_status is not None:
        change = f"{status_label(event.from_status)} → {status_label(event.to_status)}"
    else:
        change = "📝 " + (event.note or _("(note deleted)"))
    return f"{format_local_time(event.at)} · {names.get(event.actor_id, event.actor_id)} · {change}"


# Room kept free on a card for the History heading and the "earlier entries" line.
_HISTORY_HEADROOM = 200


def coordinator_card(
    referral: Referral,
    title: str,
    events: list[ReferralEvent],
    locale: str,
    names: Mapping[int, str] | None = None,
) -> tuple[str, int]:
    """Everything a coordinator needs to follow up: the request, the person, and who did what when.

    The card is one message, so it holds the newest history that fits in Telegram's 4,096 UTF-16 units;
    returns the text and how many earlier entries were left out (the History screen pages them all).
    """
    lines = [
        f"<b>{referral.reference}</b> · {status_label(referral.status)}",
        html.quote(title),
        _("Received: {date}").format(date=format_local_time(referral.created_at)),
        "",
        *details_lines(
            name=referral.name,
            phone=referral.phone,
            region=referral.region,
            city=referral.city,
            comment=referral.comment,
            locale=locale,
        ),
    ]
    if referral.decline_reason is not None:
        lines.append(_("<b>Decline reason:</b> {reason}").format(reason=reason_label(referral.decline_reason)))
    if referral.user_id is None:
        lines.append(_("<i>The person deleted their data.</i>"))
    if not events:
        return "\n".join(lines), 0
    room = MESSAGE_LIMIT - utf16_len("\n".join(lines)) - _HISTORY_HEADROOM
    shown: list[str] = []
    for line in reversed([event_line(event, locale, names) for event in events]):
        room -= utf16_len(line) + 1
        if room < 0:
            break
        shown.insert(0, line)
    hidden = len(events) - len(shown)
    lines += ["", _("<b>History</b> (times in Bishkek time)")]
    if hidden:
        lines.append(_("… {count} earlier entries: press History.").format(count=hidden))
    return "\n".join(lines + shown), hidden


def history_pages(
    events: list[ReferralEvent], locale: str, limit: int, names: Mapping[int, str] | None = None
) -> list[list[str]]:
    """The whole history, newest first, in pages of at most `limit` UTF-16 units."""
    return pages_within([event_line(event, locale, names) for event in reversed(events)], limit)
