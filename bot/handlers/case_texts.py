"""The words of talking to a person, shared by the migrant's side (ask.py), the group's side (operators.py)
and the handover that posts into topics: one place for each label."""

from __future__ import annotations

from datetime import datetime

from aiogram import html

from bot.db.cases import Case
from bot.db.tables import as_datetime
from bot.handlers.regions import region_label
from bot.i18n import LANGUAGE_NAMES, _, format_date
from bot.services.cases import reference
from bot.services.referrals import reference as referral_reference


def topic_label(topic: str) -> str:
    labels = {
        "ban": _("Entry ban and legal questions"),
        "work": _("Work and wages"),
        "documents": _("Documents"),
        "training": _("Training and jobs"),
        "health": _("Health"),
        "safety": _("🆘 Safety: trafficking, violence, detention"),
        "other": _("Something else"),
    }
    return labels[topic]


def source_label(source: str) -> str:
    labels = {
        "menu": _("main menu"),
        "command": _("the /ask command"),
        "ban": _("a ban check result"),
        "search": _("a search that found nothing"),
        "referral": _("a programme or service card"),
    }
    return labels.get(source, source)


def conversation_facts(retention_days: int) -> str:
    """Who reads a conversation with a person, what they see, how long it is kept: said in the same words
    on the consent screen before a case opens and in /privacy, so the two never disagree."""
    return _(
        "<b>Who reads it:</b> Koldoo's trained volunteers and partner lawyers.\n"
        "<b>What they see:</b> a case number, your language, your region if you set one, the topic and your "
        "messages. Not your name or phone number, unless you write them yourself.\n"
        "<b>How long it is kept:</b> while the conversation is open; {days} days after it is closed, the "
        "messages are deleted."
    ).format(days=retention_days)


def waiting_label(case: Case, now: datetime) -> str:
    """How long the migrant has waited: since their oldest message the team has not answered yet."""
    if case.waiting_since is None:
        return _("answered")
    minutes = int((now - as_datetime(case.waiting_since)).total_seconds() // 60)
    return _("waiting {hours} h {minutes} min").format(hours=minutes // 60, minutes=minutes % 60)


def volunteer_prefix() -> str:
    """What every answer from the team starts with: the team, never the person."""
    return _("<b>Koldoo volunteer:</b>")


def card_text(
    case: Case, earlier: list[Case], referrals: list[tuple[int, datetime]], locale: str
) -> str:
    """The first post of a case's topic: what the team may know, and nothing that names the person."""
    lines = [
        _("📨 <b>Case {reference}</b>").format(reference=reference(case.id)),
        _("Language: {language}").format(language=LANGUAGE_NAMES.get(case.locale, case.locale)),
        _("Region: {region}").format(
            region=html.quote(region_label(case.region, locale)) if case.region else _("not given")
        ),
        _("Topic: {topic}").format(topic=topic_label(case.topic)),
        _("Opened from: {source}").format(source=source_label(case.source)),
    ]
    if earlier:
        shown = ", ".join(f"{reference(item.id)} ({topic_label(item.topic)})" for item in earlier)
        lines.append(_("Earlier cases: {cases}").format(cases=shown))
    else:
        lines.append(_("Earlier cases: none"))
    if referrals:
        lines.append(
            _("Referrals: {referrals}").format(
                referrals=", ".join(referral_reference(rid, created) for rid, created in referrals)
            )
        )
    else:
        lines.append(_("Referrals: none"))
    if case.assignee_id is not None:
        lines.append(_("Taken by: {staff}").format(staff=f'<a href="tg://user?id={case.assignee_id}">{case.assignee_id}</a>'))
    else:
        lines.append(_("Taken by: nobody yet"))
    if case.urgent:
        lines.append(_("🆘 <b>Urgent</b>: the migrant got the emergency numbers; coordinators were alerted."))
    if not case.is_open:
        lines.append(_("Closed."))
    elif case.reopened_at is not None:
        lines.append(_("↩️ Reopened: the migrant wrote again within 7 days of the close."))
    lines += [
        "",
        _(
            "Write in this topic to answer: the migrant gets it from Koldoo, without your name. A message "
            "starting with ! is a note for the team only. /answer lists saved answers; /close ends the case."
        ),
    ]
    return "\n".join(lines)


def closed_on(case: Case, locale: str) -> str:
    if case.closed_at is None:
        return ""
    return format_date(case.closed_at.date(), locale)
